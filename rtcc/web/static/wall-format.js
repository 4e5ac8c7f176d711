// Small shared helpers of the wall: DOM building, colours, times, geometry, popups.

/** Build an element; text is always set as text (never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Escape text for the few places Leaflet wants an HTML string (div icons). */
export function esc(value) {
  const map = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  return String(value ?? "").replace(/[&<>"']/g, (c) => map[c]);
}

export const UNIT_STATUS_COLOURS = {
  available: "#3ddc84",
  enroute: "#ffd166",
  on_scene: "#ff5c7a",
  busy: "#ff9f43",
  out_of_service: "#6c7a89",
};

export const CAMERA_STATUS_COLOURS = { online: "#4cc9f0", degraded: "#ffd166", offline: "#5f6b78" };

export function priorityColour(priority) {
  if (priority <= 1) return "#ff4d4f";
  if (priority === 2) return "#ff9f43";
  if (priority === 3) return "#ffd166";
  return "#6cb4ff";
}

/** The browser's clock corrected to the server's, so ages do not depend on a skewed PC. */
export const serverClock = {
  offsetMs: 0,
  sync(serverIso) {
    const t = Date.parse(serverIso);
    if (!Number.isNaN(t)) this.offsetMs = t - Date.now();
  },
  now() {
    return Date.now() + this.offsetMs;
  },
};

const pad = (n) => String(n).padStart(2, "0");

export function fmtClock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fmtTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "—" : fmtClock(t);
}

/** "45s", "12m", "3h 05m", "2d 4h" */
export function fmtAge(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function ageOf(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : serverClock.now() - t;
}

export function fmtDistance(m) {
  return m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${Math.round(m)} m`;
}

export function humanize(key) {
  const words = String(key).replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function words(value) {
  return String(value ?? "").replace(/_/g, " ");
}

/** The point `distM` metres from (lat, lon) along `bearingDeg` (spherical earth). */
export function destination(lat, lon, bearingDeg, distM) {
  const R = 6371008.8;
  const rad = Math.PI / 180;
  const d = distM / R;
  const b = bearingDeg * rad;
  const p1 = lat * rad;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 =
    lon * rad +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [p2 / rad, l2 / rad];
}

// Geofence geometry: GeoJSON [lon, lat] polygons, as the server validated them.
const M_PER_DEG = 111_195;
const polygonsOf = (g) => (g.type === "Polygon" ? [g.coordinates] : g.coordinates);

function inRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function contains(geometry, lon, lat) {
  return polygonsOf(geometry).some(
    ([shell, ...holes]) => inRing(lon, lat, shell) && !holes.some((h) => inRing(lon, lat, h))
  );
}

/** Metres from the point to the nearest edge (flat earth around the point: fine at city scale). */
function edgeDistanceM(geometry, lon, lat) {
  const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
  let best = Infinity;
  for (const ring of polygonsOf(geometry).flat()) {
    for (let i = 1; i < ring.length; i++) {
      const ax = (ring[i - 1][0] - lon) * kx;
      const ay = (ring[i - 1][1] - lat) * M_PER_DEG;
      const bx = (ring[i][0] - lon) * kx;
      const by = (ring[i][1] - lat) * M_PER_DEG;
      const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
      const t = len2 ? Math.max(0, Math.min(1, -(ax * (bx - ax) + ay * (by - ay)) / len2)) : 0;
      best = Math.min(best, Math.hypot(ax + t * (bx - ax), ay + t * (by - ay)));
    }
  }
  return best;
}

/** "inside", "possibly" (only the accuracy circle reaches it) or null — as the server's rule. */
export function whereIs(geometry, location) {
  if (contains(geometry, location.lon, location.lat)) return "inside";
  const accuracy = location.accuracy_m || 0;
  if (accuracy > 0 && edgeDistanceM(geometry, location.lon, location.lat) <= accuracy) {
    return "possibly";
  }
  return null;
}

function valueText(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === "object") return JSON.stringify(value);
  return words(value);
}

/** A popup body: a heading and a two-column table of details. */
function detailsCard(title, rows, subtitle) {
  return el(
    "div",
    { class: "popup" },
    el("div", { class: "popup-title", text: title }),
    subtitle ? el("div", { class: "popup-sub", text: subtitle }) : null,
    el(
      "table",
      { class: "popup-table" },
      rows.map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: valueText(v) })))
    )
  );
}

const deg = (v) => `${Math.round(v)}°`;
const pct = (v) => `${Math.round(v * 100)}%`;

/** Payload fields whose raw names or units would slow a reader down. */
const FIELDS = {
  heading_deg: ["Heading", deg],
  direction_deg: ["Direction", deg],
  fov_deg: ["Field of view", deg],
  range_m: ["Range", fmtDistance],
  speed_mps: ["Speed", (v) => `${Math.round(v * 3.6)} km/h (${Math.round(v * 2.237)} mph)`],
  confidence: ["Confidence", pct],
  confidence_pct: ["Confidence", (v) => `${v}%`],
  camera_type: ["Type", words],
  unit_type: ["Type", words],
};

function field(key, value) {
  const known = FIELDS[key];
  if (!known) return [humanize(key), value];
  const [label, format] = known;
  return [label, value === null || value === undefined ? value : format(value)];
}

/** Popup for any event: all payload fields, then where and when it came from. */
export function eventPopup(title, event) {
  const rows = Object.entries(event.payload || {}).map(([k, v]) => field(k, v));
  const loc = event.location;
  if (loc) {
    rows.push(["Position", `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`]);
    if (loc.accuracy_m !== null && loc.accuracy_m !== undefined) {
      rows.push(["Accuracy", fmtDistance(loc.accuracy_m)]);
    }
  }
  const ago = fmtAge(ageOf(event.occurred_at));
  rows.push(["Occurred", `${fmtTime(event.occurred_at)} (${ago} ago)`]);
  rows.push(["Source", event.source]);
  return detailsCard(title, rows, words(event.kind));
}

/** Popup for a gunshot once its alert says who can see it and who is near. */
export function gunshotPopup(alert, event) {
  const d = alert.detail || {};
  const cams = d.cameras || [];
  const ids = (list) => list.map((c) => c.camera_id);
  const rows = [
    ["Rounds", d.rounds],
    ["Classification", d.classification],
    ["In view", ids(cams.filter((c) => c.in_view))],
    ["Other cameras", ids(cams.filter((c) => !c.in_view))],
    ["Units", (d.units || []).map((u) => u.unit_id)],
    ["Detected", event ? `${event.occurred_at.slice(11, 19)} UTC` : null],
    ["Source", event ? event.source : null],
  ];
  return detailsCard(alert.title, rows, "gunshot alert");
}
