// The analyst video wall: keeps the live picture from the websocket and draws it.
import { DfrLayer } from "./wall-dfr.js";
import { FeedList } from "./wall-feeds.js";
import { fmtClock, serverClock } from "./wall-format.js";
import { GeofenceDraw } from "./wall-geofence-draw.js";
import { GeofenceLayer } from "./wall-geofences.js";
import { LiveConnection } from "./wall-live.js";
import { WallMap } from "./wall-map.js";
import { Panel } from "./wall-panel.js";

const state = {
  units: new Map(),
  cameras: new Map(),
  incidents: new Map(),
  calls: new Map(),
  incidentStart: new Map(), // incident id → earliest time seen (ms); kept across resyncs
  latest: new Map(), // "kind:id" → occurred_at (ms) of the newest update applied
  basemapFeatures: 0,
  snapshots: 0,
};

const wallMap = new WallMap(document.getElementById("map"));
const viewer = document.querySelector(".who").dataset;
const geofences = new GeofenceLayer(wallMap.map, {
  user: viewer.username,
  role: viewer.role,
  onCall: (id) => wallMap.focus("call", id),
});
new GeofenceDraw(wallMap.map, geofences); // every wall role may draw (geofences.manage)
const dfr = new DfrLayer(wallMap.map); // draws nothing for a user without dfr.view
const panel = new Panel({
  onIncident: (id) => wallMap.focus("incident", id),
  onAlert: (alert) => selectAlert(alert),
});

function renderIncidents() {
  panel.renderIncidents(state.incidents, incidentSince);
  dfr.decorateList(); // each incident's "Drone?" button (and its answer)
}

function selectAlert(alert) {
  panel.select(alert.id);
  wallMap.showAlert(alert);
}

const incidentSince = (id) => state.incidentStart.get(id) ?? 0;

function noteIncidentStart(event) {
  const id = event.payload.incident_id;
  // Snapshot entities carry when the incident was first seen; live updates only their own time.
  const t = Date.parse(event.first_occurred_at || event.occurred_at);
  if (Number.isNaN(t)) return;
  const known = state.incidentStart.get(id);
  if (known === undefined || t < known) state.incidentStart.set(id, t);
}

// --- applying live messages ---------------------------------------------------------------

const ENTITY_ID = {
  unit_position: "unit_id",
  camera_status: "camera_id",
  cad_incident: "incident_id",
  caller_location: "call_id",
};

/** Like the store, keep the newest state: a late, older update must not move things back. */
function isStale(event) {
  const field = ENTITY_ID[event.kind];
  const t = Date.parse(event.occurred_at);
  if (!field || Number.isNaN(t)) return false;
  const key = `${event.kind}:${event.payload[field]}`;
  const known = state.latest.get(key);
  if (known !== undefined && t < known) return true;
  state.latest.set(key, t);
  return false;
}

function applyEntity(event) {
  const p = event.payload || {};
  if (isStale(event)) return false;
  switch (event.kind) {
    case "unit_position":
      state.units.set(p.unit_id, event);
      wallMap.upsertUnit(event);
      return false;
    case "camera_status":
      state.cameras.set(p.camera_id, event);
      wallMap.upsertCamera(event);
      return false;
    case "cad_incident":
      if (p.status === "closed") {
        state.incidents.delete(p.incident_id);
        state.incidentStart.delete(p.incident_id);
      } else {
        noteIncidentStart(event);
        state.incidents.set(p.incident_id, event);
      }
      wallMap.upsertIncident(event);
      return true;
    case "caller_location":
      state.calls.set(p.call_id, event);
      wallMap.upsertCall(event);
      geofences.updateCall(event);
      return false;
    case "lpr_read":
      wallMap.addLpr(event);
      return false;
    case "gunshot":
      wallMap.addGunshot(event);
      return false;
    default:
      return false;
  }
}

function applyAlert(alert) {
  panel.addAlert(alert);
  if (alert.rule === "gunshot_nearby") wallMap.gunshotAlert(alert);
}

/** A snapshot replaces everything: nothing from before it may linger on the wall. */
const feeds = new FeedList();

function applySnapshot(snap) {
  serverClock.sync(snap.server_time);
  feeds.setAll(snap.sources);
  wallMap.clear();
  for (const key of ["units", "cameras", "incidents", "calls"]) state[key].clear();
  geofences.setAll(snap.geofences);
  for (const e of snap.units || []) applyEntity(e);
  for (const e of snap.cameras || []) applyEntity(e);
  for (const e of snap.incidents || []) applyEntity(e);
  for (const e of snap.calls || []) applyEntity(e);
  for (const e of [...(snap.recent || [])].reverse()) applyEntity(e); // oldest first
  const alerts = snap.alerts || [];
  panel.setAlerts(alerts);
  for (const a of [...alerts].reverse()) {
    if (a.rule === "gunshot_nearby") wallMap.gunshotAlert(a);
  }
  for (const id of [...state.incidentStart.keys()]) {
    if (!state.incidents.has(id)) state.incidentStart.delete(id);
  }
  renderIncidents();
  dfr.load();
  wallMap.fitToEntitiesOnce();
  state.snapshots += 1;
  updateKpis();
}

let renderPending = false;
let incidentsDirty = false;

/** Redraw the incident list and header counts once per burst of messages, not per message. */
function scheduleRender(incidentsChanged) {
  incidentsDirty ||= incidentsChanged;
  if (renderPending) return;
  renderPending = true;
  window.setTimeout(() => {
    renderPending = false;
    if (incidentsDirty) renderIncidents();
    incidentsDirty = false;
    updateKpis();
  }, 50);
}

function onMessage(msg) {
  switch (msg.type) {
    case "snapshot":
      applySnapshot(msg.state || {});
      break;
    case "event":
      scheduleRender(applyEntity(msg.event));
      break;
    case "alert":
      applyAlert(msg.alert);
      scheduleRender(false);
      break;
    case "heartbeat":
      serverClock.sync(msg.server_time);
      break;
    case "source_health":
      feeds.change(msg.source_health);
      break;
    case "geofence":
      geofences.change(msg.geofence);
      break;
    case "resync":
      break; // a snapshot follows immediately
    case "hit": // wall-hits.js
    case "alert_state": // wall-alert-actions.js
    case "output_health": // wall-outputs.js
      break; // handled by their own modules through the rtcc:live window event
    default:
      console.warn("rtcc: unknown live message type", msg.type);
  }
}

// --- header ---------------------------------------------------------------------------------

const connStatus = document.getElementById("conn-status");

function onStatus(status, detail) {
  const labels = { live: "live", reconnecting: "reconnecting…", connecting: "connecting…" };
  connStatus.textContent = labels[status] || status;
  connStatus.className = `conn conn-${status}`;
  connStatus.dataset.state = status;
  connStatus.title = detail;
}

function updateKpis() {
  const online = [...state.cameras.values()].filter((e) => e.payload.status !== "offline").length;
  document.getElementById("kpi-units").textContent = String(state.units.size);
  document.getElementById("kpi-cameras").textContent = `${online}/${state.cameras.size}`;
  document.getElementById("kpi-incidents").textContent = String(state.incidents.size);
  document.getElementById("kpi-alerts").textContent = String(panel.alerts.length);
}

function tickClock() {
  document.getElementById("clock").textContent = fmtClock(serverClock.now());
}

document.getElementById("logout-button").addEventListener("click", async () => {
  try {
    await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin" });
  } finally {
    window.location.assign("/login");
  }
});

// --- start ------------------------------------------------------------------------------------

const heartbeatS = Number(document.getElementById("conn-status").dataset.heartbeatS) || 5;
const live = new LiveConnection({ onMessage, onStatus, heartbeatS });

async function loadBasemap() {
  try {
    const response = await fetch("/api/v1/basemap", { credentials: "same-origin" });
    if (!response.ok) return;
    state.basemapFeatures = wallMap.drawBasemap(await response.json());
  } catch (err) {
    console.warn("rtcc: basemap unavailable", err);
  }
  if (!state.basemapFeatures) wallMap.fitToEntitiesOnce();
}

loadBasemap();
dfr.load();
live.start();
tickClock();
window.setInterval(tickClock, 1000);
window.setInterval(() => {
  panel.tick();
  wallMap.tick();
}, 5000);
window.matchMedia("(max-width: 800px)").addEventListener("change", () => wallMap.invalidate());

/** Small hooks for tests and for debugging from the console. */
window.rtcc = Object.freeze({
  counts: () => ({ ...wallMap.counts(), alerts: panel.alerts.length }),
  geofences: () => geofences.stats(),
  view: (lat, lon, zoom) => wallMap.view(lat, lon, zoom),
  viewNow: () => {
    const c = wallMap.map.getCenter();
    return { lat: c.lat, lon: c.lng, zoom: wallMap.map.getZoom() };
  },
  call: (id) => {
    const item = wallMap.items.call.get(id);
    const circle = item && item.extras[0];
    return item ? { marker: item.marker.getLatLng(), circle: circle && circle.getLatLng() } : null;
  },
  dfr: () => dfr.stats(),
  socketState: () => live.status,
  dropSocket: (opts) => live.drop(opts),
  reconnect: () => live.reconnectNow(),
  selectAlert: (id) => {
    const alert = panel.alerts.find((a) => a.id === id);
    if (alert) selectAlert(alert);
    return Boolean(alert);
  },
  stats: () => ({
    connects: live.connects,
    messages: live.messages,
    snapshots: state.snapshots,
    basemapFeatures: state.basemapFeatures,
  }),
});
