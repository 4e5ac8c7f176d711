// Hotlist hits: analysts confirm or dismiss pending hits (read image and hotlist entry side
// by side, look-alike characters marked); officers see confirmed hits only. The server
// decides who receives what (rtcc/api/live.py); this panel only shows what arrives.
import { el, fmtTime } from "./wall-format.js";

const MAX_CONFIRMED = 50;
const PENDING_RULES = new Set(["hotlist_match", "lpr_hotlist"]);
const STYLE = `
.panel-hits .list { max-height: 45vh; overflow-y: auto; }
.panel-hits .hit { display: block; border-left: 3px solid #e0a800; padding: 6px 8px;
  margin: 6px 0; }
.panel-hits .hit.confirmed { border-left-color: #d9534f; }
.panel-hits .hit-sides { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.panel-hits .hit-side h3 { font-size: 0.75em; margin: 0 0 2px; opacity: 0.7;
  text-transform: uppercase; }
.panel-hits .hit-image { max-width: 100%; max-height: 90px; display: block; }
.panel-hits .plate { font-family: monospace; font-size: 1.15em; letter-spacing: 0.08em; }
.panel-hits .plate mark { background: #e0a800; color: #000; }
.panel-hits .hit-actions { display: flex; gap: 6px; margin-top: 6px; flex-wrap: wrap; }
.panel-hits .hit-actions input { flex: 1; min-width: 8em; }
.panel-hits .hit-meta { font-size: 0.8em; opacity: 0.8; }
`;

/** The plate with the characters at `positions` marked (where read and entry differ). */
function plateText(plate, positions) {
  const marked = new Set(positions || []);
  return el(
    "span",
    { class: "plate" },
    [...(plate || "")].map((ch, i) => (marked.has(i) ? el("mark", { text: ch }) : ch))
  );
}

function readImage(ref) {
  if (ref && /^(https?:\/\/|data:image\/)/i.test(ref)) {
    const attrs = { class: "hit-image", src: ref, alt: "plate read image" };
    return el("img", { ...attrs, "data-testid": "hit-image" });
  }
  return el("div", { class: "hit-image-ref", "data-testid": "hit-image", text: ref || "no image" });
}

export class HitsPanel {
  constructor(container) {
    this.hits = new Map(); // id → hit (wire form)
    this.confirmer = false;
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.append(style);
    this.title = el("span", { text: "Confirmed hits" });
    this.count = el("span", { class: "count", text: "0" });
    this.list = el("ul", { id: "hit-list", class: "list", "data-testid": "hit-list" });
    this.empty = el("p", { class: "empty", text: "No hotlist hits" });
    this.section = el(
      "section",
      { class: "panel-section panel-hits", "data-testid": "hits-panel" },
      el("h2", {}, this.title, " ", this.count),
      this.list,
      this.empty
    );
    container.prepend(this.section);
  }

  /** Ask once whether this viewer confirms hits (the server answers 403 otherwise) and seed. */
  async detectRole() {
    const get = (path) => fetch(path, { credentials: "same-origin" });
    try {
      let response = await get("/api/v1/hits/pending");
      this.confirmer = response.ok;
      if (!this.confirmer) response = await get("/api/v1/hits/confirmed");
      // Seed from the API too, in case the first snapshot came before this module ran.
      if (response.ok) for (const hit of await response.json()) this.hits.set(hit.id, hit);
    } catch {
      this.confirmer = false;
    }
    this.title.textContent = this.confirmer ? "Hits to confirm" : "Confirmed hits";
    this.section.dataset.mode = this.confirmer ? "confirm" : "confirmed";
    this.render();
  }

  onMessage(msg) {
    if (msg.type === "snapshot") {
      this.hits = new Map((msg.state.hits || []).map((h) => [h.id, h]));
    } else if (msg.type === "alert" && PENDING_RULES.has(msg.alert.rule)) {
      for (const hit of msg.alert.detail.hits || []) this.hits.set(hit.id, hit);
    } else if (msg.type === "hit") {
      this.hits.set(msg.hit.id, msg.hit);
    } else {
      return;
    }
    this.render();
  }

  visible() {
    const all = [...this.hits.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    if (this.confirmer) return all.filter((h) => h.status === "pending");
    return all.filter((h) => h.status === "confirmed").slice(0, MAX_CONFIRMED);
  }

  render() {
    const rows = this.visible().map((hit) => this._item(hit));
    this.list.replaceChildren(...rows);
    this.count.textContent = String(rows.length);
    this.empty.hidden = rows.length > 0;
  }

  _item(hit) {
    const entry = hit.entry || {};
    const read = el(
      "div",
      { class: "hit-side hit-read" },
      el("h3", { text: `Read · ${hit.reader_id}` }),
      readImage(hit.image_ref),
      plateText(hit.plate_read, hit.positions),
      el("div", {
        class: "hit-meta",
        text: `${hit.state_read || "state ?"} · ${fmtTime(hit.read_at)}`,
      })
    );
    const listed = el(
      "div",
      { class: "hit-side hit-entry", "data-testid": "hit-entry" },
      el("h3", { text: `Hotlist · ${hit.list_name}` }),
      plateText(entry.plate, hit.positions),
      el("div", {
        text: `${entry.state || "any state"} · ${entry.list_type || "on-device match"}`,
      }),
      entry.reason ? el("div", { text: entry.reason }) : null,
      entry.case_number
        ? el("div", { class: "hit-meta", text: `Case ${entry.case_number}` })
        : null,
      entry.vehicle ? el("div", { class: "hit-meta", text: entry.vehicle }) : null,
      entry.owner ? el("div", { class: "hit-meta", text: `Owner ${entry.owner}` }) : null
    );
    const li = el(
      "li",
      {
        class: `hit ${hit.status}`,
        "data-testid": "hit-item",
        "data-hit-id": hit.id,
        "data-status": hit.status,
      },
      hit.lookalike
        ? el("div", {
            class: "hit-meta",
            "data-testid": "hit-lookalike",
            text: "Look-alike match: check the marked characters",
          })
        : null,
      el("div", { class: "hit-sides" }, read, listed)
    );
    if (hit.status === "confirmed") {
      const text = `Confirmed by ${hit.decided_by} at ${fmtTime(hit.decided_at)}`;
      li.append(el("div", { class: "hit-meta", text }));
    } else if (this.confirmer && hit.status === "pending") {
      li.append(this._actions(hit));
    }
    return li;
  }

  _actions(hit) {
    const reason = el("input", {
      type: "text",
      placeholder: "reason to dismiss",
      "aria-label": "reason to dismiss",
      "data-testid": "hit-dismiss-reason",
    });
    const status = el("span", { class: "hit-meta", role: "status" });
    const send = async (action) => {
      const body = action === "dismiss" ? { reason: reason.value.trim() } : {};
      const response = await fetch(`/api/v1/hits/${hit.id}/${action}`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = answer.error ? answer.error.message : `refused (${response.status})`;
        return;
      }
      this.hits.set(answer.id, answer);
      this.render();
    };
    const button = (testid, text) =>
      el("button", { class: "btn", type: "button", "data-testid": testid, text });
    const confirm = button("hit-confirm", "Confirm");
    const dismiss = button("hit-dismiss", "Dismiss");
    confirm.addEventListener("click", () => send("confirm"));
    dismiss.addEventListener("click", () => send("dismiss"));
    return el("div", { class: "hit-actions" }, confirm, reason, dismiss, status);
  }
}

// Every live message is re-broadcast by wall-live.js as a window "rtcc:live" event.
const container = document.querySelector("aside.panel");
if (container) {
  const panel = new HitsPanel(container);
  panel.detectRole();
  window.addEventListener("rtcc:live", (ev) => panel.onMessage(ev.detail));
  window.rtccHits = panel; // test hook, like window.rtcc in wall.js
}
