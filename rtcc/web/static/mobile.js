// The officer's phone: alerts near where the officer is (browser geolocation), nearest
// first, with the units on them, a confirmed hotlist hit's read image and entry, and a
// large Acknowledge button. The server decides what this user may receive (rtcc/api/live.py).
import { el, fmtDistance, fmtTime } from "./wall-format.js";
import { LiveConnection } from "./wall-live.js";

const MAX_ALERTS = 100;
const alerts = new Map(); // id → alert
const states = new Map(); // id → lifecycle state
let here = null; // {lat, lon, accuracy}
const list = document.getElementById("m-alerts");
const empty = document.getElementById("m-empty");
const radius = document.getElementById("m-radius");
const conn = document.getElementById("m-conn");
const position = document.getElementById("m-position");
const myUnit = document.querySelector('[data-testid="user"]')?.dataset.unit || "";

function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

function compass(a, b) {
  const rad = Math.PI / 180;
  const y = Math.sin((b.lon - a.lon) * rad) * Math.cos(b.lat * rad);
  const x = Math.cos(a.lat * rad) * Math.sin(b.lat * rad) - Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos((b.lon - a.lon) * rad);
  const deg = (Math.atan2(y, x) / rad + 360) % 360;
  return ["N", "NE", "E", "SE", "S", "SW", "W", "NW"][Math.round(deg / 45) % 8];
}

function hitBlock(d) {
  const hit = d.hit;
  if (!hit) return null;
  const image = hit.image_ref && /^(https?:\/\/|data:image\/)/i.test(hit.image_ref)
    ? el("img", { src: hit.image_ref, alt: "plate read", "data-testid": "m-hit-image" })
    : el("div", { text: hit.image_ref || "no image" });
  const entry = hit.entry || {};
  return el(
    "div",
    { class: "m-hit", "data-testid": "m-hit" },
    el("div", {}, image, el("div", { class: "m-plate", text: hit.plate_read || "" })),
    el("div", {}, el("div", { class: "m-plate", text: entry.plate || "" }),
      el("div", { text: [entry.list_type, entry.reason, entry.vehicle].filter(Boolean).join(" · ") }))
  );
}

async function acknowledge(id, button) {
  button.disabled = true;
  const response = await fetch(`/api/v1/alerts/${encodeURIComponent(id)}/acknowledge`, { method: "POST" });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    button.textContent = answer.error?.message || "could not acknowledge";
    return;
  }
  states.set(id, await response.json());
  render();
}

function card(alert, dist) {
  const d = alert.detail || {};
  const state = states.get(alert.id) || { status: "new" };
  const units = (d.units || []).map((u) => u.unit_id);
  const sev = ["critical", "warning"].includes(alert.severity) ? alert.severity : "info";
  const where = dist == null ? "" : `${fmtDistance(dist)} ${compass(here, alert.location)} · `;
  const ack = el("button", { type: "button", "data-testid": "m-ack",
    text: state.status === "new" ? "Acknowledge" : state.status.replace(/_/g, " ") });
  ack.disabled = state.status !== "new";
  ack.addEventListener("click", () => acknowledge(alert.id, ack));
  const nav = alert.location
    ? el("a", { href: `geo:${alert.location.lat},${alert.location.lon}`, "data-testid": "m-nav", text: "Navigate" })
    : null;
  return el(
    "li",
    { class: `m-card sev-${sev}`, "data-testid": "m-alert", "data-alert-id": alert.id, "data-status": state.status },
    el("h2", { text: alert.title }),
    el("div", { class: "m-meta" }, el("span", { class: "m-dist", "data-testid": "m-distance", text: where }), fmtTime(alert.created_at)),
    state.assigned_to
      ? el("div", { class: "m-assigned", "data-testid": "m-assigned",
          text: myUnit && state.assigned_to === myUnit ? "Assigned to you" : `Assigned: ${state.assigned_to}` })
      : null,
    units.length ? el("div", { class: "m-units", "data-testid": "m-units", text: `Units near: ${units.join(", ")}` }) : null,
    hitBlock(d),
    el("div", { class: "m-actions" }, ack, nav)
  );
}

function render() {
  const limit = Number(radius.value);
  const shown = [];
  for (const alert of alerts.values()) {
    const dist = here && alert.location ? distanceM(here, alert.location) : null;
    if (limit && dist != null && dist > limit) continue;
    if (limit && here && !alert.location) continue;
    shown.push([dist ?? Infinity, alert, dist]);
  }
  shown.sort((a, b) => a[0] - b[0] || b[1].created_at.localeCompare(a[1].created_at));
  list.replaceChildren(...shown.map(([, alert, dist]) => card(alert, dist)));
  empty.hidden = shown.length > 0;
}

function addAlert(alert) {
  alerts.set(alert.id, alert);
  if (alerts.size > MAX_ALERTS) alerts.delete(alerts.keys().next().value);
}

function onMessage(msg) {
  if (msg.type === "snapshot") {
    alerts.clear();
    [...(msg.state?.alerts || [])].reverse().forEach(addAlert);
  } else if (msg.type === "alert") {
    addAlert(msg.alert);
  } else if (msg.type === "alert_state") {
    states.set(msg.alert_state.alert_id, msg.alert_state);
  } else {
    return;
  }
  render();
}

radius.addEventListener("change", render);
if (navigator.geolocation) {
  navigator.geolocation.watchPosition(
    (p) => {
      here = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
      position.textContent = `Located ±${fmtDistance(p.coords.accuracy)}`;
      render();
    },
    (e) => { position.textContent = `Location unavailable (${e.message}): showing all alerts`; },
    { enableHighAccuracy: true, maximumAge: 10000 }
  );
} else {
  position.textContent = "No location on this device: showing all alerts";
}
new LiveConnection({
  onMessage,
  onStatus: (status, detail) => {
    conn.textContent = status === "live" ? "live" : detail || status;
    conn.classList.toggle("live", status === "live");
  },
  heartbeatS: Number(conn.dataset.heartbeatS) || 5,
}).start();
