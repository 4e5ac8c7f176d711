// Output channels (Slack, Teams, webhooks…) beside the feeds strip: a failing channel shows
// red so the room knows an alert may not have reached everyone. Loaded on each snapshot
// from /api/v1/outputs/health, then updated by `output_health` messages.
import { el } from "./wall-format.js";

const STYLE = `
.health-failing { --c: #f85149; }
`;

class OutputList {
  constructor(after) {
    this.section = el(
      "section",
      { class: "panel-section panel-feeds", id: "outputs-section", hidden: true },
      el("h2", {}, "Outputs ", el("span", { id: "output-problems", class: "count", text: "0" })),
      el("ul", { id: "output-list", class: "feed-list", "data-testid": "output-list" })
    );
    after.after(this.section);
    this.list = this.section.querySelector("#output-list");
    this.problems = this.section.querySelector("#output-problems");
    this.channels = new Map(); // name → {channel, kind, state, reason}
  }

  async load() {
    const response = await fetch("/api/v1/outputs/health", { credentials: "same-origin" });
    if (!response.ok) return;
    const rows = await response.json();
    this.channels = new Map(rows.map((c) => [c.channel, { ...c, reason: "" }]));
    this.render();
  }

  /** An `output_health` message: one channel started failing or recovered. */
  change(msg) {
    const known = this.channels.get(msg.channel) || {};
    this.channels.set(msg.channel, { ...known, ...msg });
    this.render();
  }

  render() {
    const rows = [...this.channels.values()].sort((a, b) => a.channel.localeCompare(b.channel));
    this.section.hidden = rows.length === 0;
    this.list.replaceChildren(
      ...rows.map((c) =>
        el(
          "li",
          {
            class: `feed health-${c.state}`,
            "data-testid": "output-item",
            "data-channel": c.channel,
            "data-health": c.state,
            title: `${c.kind} · ${c.state}${c.reason ? ` (${c.reason})` : ""}`,
          },
          el("span", { class: "feed-dot", "aria-hidden": "true" }),
          el("span", { class: "feed-name", text: c.channel }),
          el("span", { class: "feed-state", text: c.state })
        )
      )
    );
    const bad = rows.filter((c) => c.state === "failing").length;
    this.problems.textContent = String(bad);
    this.problems.classList.toggle("count-bad", bad > 0);
  }
}

const feeds = document.getElementById("feeds-section");
if (feeds) {
  document.head.append(el("style", { text: STYLE }));
  const outputs = new OutputList(feeds);
  outputs.load();
  // Every live message is re-broadcast by wall-live.js as a window "rtcc:live" event.
  window.addEventListener("rtcc:live", (ev) => {
    const msg = ev.detail;
    if (msg.type === "snapshot") outputs.load();
    else if (msg.type === "output_health") outputs.change(msg.output_health);
  });
  window.rtccOutputs = outputs; // test hook
}
