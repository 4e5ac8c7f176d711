// The alert lifecycle on the wall: Acknowledge, Assign (analysts, supervisors) and Close
// with a disposition, on each alert in the feed; every change arrives live as an
// `alert_state` message (rtcc/api/alert_routes.py) and redraws the alert's status line.
import { el, fmtTime } from "./wall-format.js";

const ASSIGNERS = new Set(["analyst", "supervisor"]);
const DISPOSITIONS = [
  ["confirmed", "Confirmed"],
  ["arrest", "Arrest"],
  ["report_taken", "Report taken"],
  ["no_evidence_found", "No evidence found"],
  ["unfounded", "Unfounded"],
  ["duplicate", "Duplicate"],
  ["other", "Other"],
];
const STYLE = `
.alert-actions { display: flex; gap: 4px; flex-wrap: wrap; margin-top: 6px; }
.alert-actions button, .alert-actions select, .alert-actions input { font-size: 0.8em; }
.alert-actions input { width: 6em; }
.alert-status { font-size: 0.8em; opacity: 0.85; margin-top: 4px; }
li.alert[data-status="closed"] { opacity: 0.55; }
`;
const role = document.querySelector('[data-testid="user"]')?.dataset.role || "";
const states = new Map(); // alert id → latest state

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error?.message || response.statusText);
  return answer;
}

function statusText(s) {
  if (s.status === "closed") {
    return `Closed by ${s.closed_by} at ${fmtTime(s.closed_at)}: ${s.disposition.replace(/_/g, " ")}`;
  }
  if (s.status === "assigned") {
    return `Assigned to ${s.assigned_to} by ${s.assigned_by} at ${fmtTime(s.assigned_at)}`;
  }
  if (s.status === "acknowledged") {
    return `Acknowledged by ${s.acknowledged_by} at ${fmtTime(s.acknowledged_at)}`;
  }
  return "New";
}

function show(li, state) {
  li.dataset.status = state.status;
  const line = li.querySelector(".alert-status");
  if (line) line.textContent = statusText(state);
  for (const button of li.querySelectorAll(".alert-actions [data-step]")) {
    const order = ["new", "acknowledged", "assigned", "closed"];
    button.disabled = order.indexOf(button.dataset.step) <= order.indexOf(state.status);
  }
}

function actionsFor(li) {
  const id = li.dataset.alertId;
  const base = `/api/v1/alerts/${encodeURIComponent(id)}`;
  const status = el("div", { class: "alert-status", "data-testid": "alert-status", text: "New" });
  const error = el("span", { class: "alert-error", role: "status" });
  const run = (promise) => promise.then((s) => show(li, s)).catch((e) => (error.textContent = e.message));
  const stop = (ev) => ev.stopPropagation(); // actions do not select the alert
  const ack = el("button", { type: "button", "data-step": "acknowledged", "data-testid": "alert-ack", text: "Ack" });
  ack.addEventListener("click", (ev) => (stop(ev), run(post(`${base}/acknowledge`))));
  const parts = [ack];
  if (ASSIGNERS.has(role)) {
    const who = el("input", { placeholder: "unit", "aria-label": "assign to", "data-testid": "alert-assignee" });
    const assign = el("button", { type: "button", "data-step": "assigned", "data-testid": "alert-assign", text: "Assign" });
    who.addEventListener("click", stop);
    assign.addEventListener("click", (ev) => {
      stop(ev);
      if (who.value.trim()) run(post(`${base}/assign`, { assignee: who.value.trim() }));
    });
    parts.push(who, assign);
  }
  const outcome = el(
    "select",
    { "aria-label": "disposition", "data-testid": "alert-disposition" },
    el("option", { value: "", text: "Outcome…" }),
    DISPOSITIONS.map(([value, label]) => el("option", { value, text: label }))
  );
  const close = el("button", { type: "button", "data-step": "closed", "data-testid": "alert-close", text: "Close" });
  outcome.addEventListener("click", stop);
  close.addEventListener("click", (ev) => {
    stop(ev);
    if (outcome.value) run(post(`${base}/close`, { disposition: outcome.value }));
    else error.textContent = "choose an outcome";
  });
  parts.push(outcome, close, error);
  li.append(status, el("div", { class: "alert-actions", "data-testid": "alert-actions" }, parts));
  if (states.has(id)) show(li, states.get(id));
}

function decorate(node) {
  if (node instanceof HTMLElement && node.matches("li.alert") && !node.querySelector(".alert-actions")) {
    actionsFor(node);
  }
}

const style = document.createElement("style");
style.textContent = STYLE;
document.head.append(style);
const feed = document.getElementById("alert-feed");
/** After a (re)load, the states of the alerts already in the feed, in one request. */
async function loadStates() {
  const ids = [...(feed?.children || [])].map((li) => li.dataset.alertId).filter(Boolean);
  if (!ids.length) return;
  const response = await fetch(`/api/v1/alerts/states?ids=${encodeURIComponent(ids.join(","))}`);
  if (!response.ok) return;
  for (const [id, state] of Object.entries(await response.json())) {
    states.set(id, state);
    const li = feed.querySelector(`li.alert[data-alert-id="${CSS.escape(id)}"]`);
    if (li) show(li, state);
  }
}

if (feed) {
  for (const li of feed.children) decorate(li);
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(decorate))).observe(
    feed,
    { childList: true }
  );
}
window.addEventListener("rtcc:live", (ev) => {
  const msg = ev.detail;
  if (msg?.type === "snapshot") window.setTimeout(loadStates, 300); // once the feed is drawn
  if (msg?.type !== "alert_state") return;
  const state = msg.alert_state;
  states.set(state.alert_id, state);
  const li = feed?.querySelector(`li.alert[data-alert-id="${CSS.escape(state.alert_id)}"]`);
  if (li) show(li, state);
});
