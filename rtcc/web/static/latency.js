// The latency page, live: every 2 s the tables are rebuilt from GET /api/v1/latency.
// The markup matches rtcc/web/templates/latency.html (which renders the first state).
import { el } from "./wall-format.js";

const REFRESH_MS = 2000;
const TABLES = ["feeds", "rules", "channels"];

/** Milliseconds as the template prints them: "–" for none, one decimal under 100. */
function ms(value) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(1);
}

function row(r, hops) {
  const name = el("th", { scope: "row" }, r.name);
  if (r.kind) name.append(" ", el("span", { class: "muted", text: r.kind }));
  const cells = hops.flatMap((h) => {
    const s = r.hops[h.key] || { n: 0, p50: null, p95: null };
    return [
      el("td", { class: "num", "data-hop": h.key, "data-stat": "p50", text: ms(s.p50) }),
      el("td", { class: "num", "data-hop": h.key, "data-stat": "p95", text: ms(s.p95) }),
      el("td", { class: "num muted", "data-hop": h.key, "data-stat": "n", text: String(s.n) }),
    ];
  });
  return el("tr", { "data-testid": "latency-row", "data-name": r.name }, name, ...cells);
}

function render(data) {
  for (const key of TABLES) {
    const body = document.querySelector(`#latency-${key} tbody`);
    const hops = data.hops[key];
    const rows = data[key];
    if (rows.length === 0) {
      const empty = el("td", { colspan: 1 + 3 * hops.length, class: "muted" }, "No samples yet.");
      body.replaceChildren(el("tr", {}, empty));
    } else {
      body.replaceChildren(...rows.map((r) => row(r, hops)));
    }
  }
  document.getElementById("latency-messages").textContent = String(data.messages);
  document.getElementById("latency-lost").textContent = String(data.lost_messages);
  document.getElementById("latency-lost-tile").classList.toggle("tile-warn", data.lost_messages > 0);
  document.getElementById("latency-awaiting-delivery").textContent = String(data.awaiting_delivery);
  document.getElementById("latency-awaiting-ack").textContent = String(data.awaiting_acknowledgement);
  const updated = document.getElementById("latency-updated");
  const now = new Date();
  updated.dateTime = now.toISOString();
  updated.textContent = now.toLocaleTimeString();
}

function showError(text) {
  const box = document.getElementById("latency-error");
  box.hidden = !text;
  box.textContent = text || "";
}

let paused = false;

async function refresh() {
  if (paused) return;
  try {
    const response = await fetch("/api/v1/latency", { credentials: "same-origin" });
    if (response.status === 401) {
      window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    render(await response.json());
    showError("");
  } catch (err) {
    showError(`Not updating: ${err.message}. Retrying.`);
  }
}

function start() {
  const pause = document.getElementById("latency-pause");
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Resume updates" : "Pause updates";
    if (!paused) refresh();
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
}

start();
