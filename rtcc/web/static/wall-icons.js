// How each kind of thing looks on the map: div icons, camera view cones, overlay styles.
/* global L */
import { CAMERA_STATUS_COLOURS, destination, esc, priorityColour } from "./wall-format.js";

const CAMERA_SVG =
  '<svg viewBox="0 0 20 14" aria-hidden="true"><rect x="1" y="2" width="12" height="10" rx="2"/>' +
  '<path d="M13 6l6-3.5v9L13 8z"/></svg>';

export function unitIcon(p) {
  const status = esc(p.status || "available");
  return L.divIcon({
    className: `unit-icon unit-${status} unit-type-${esc(p.unit_type || "patrol")}`,
    html:
      `<span class="unit-dot" data-testid="unit-marker" data-unit-id="${esc(p.unit_id)}"></span>` +
      `<span class="unit-label">${esc(p.unit_id)}</span>`,
    iconSize: [14, 14],
    iconAnchor: [7, 7],
    popupAnchor: [0, -8],
  });
}

export function cameraIcon(p) {
  return L.divIcon({
    className: `camera-icon camera-${esc(p.status || "online")}`,
    html:
      `<span class="camera-glyph" data-testid="camera-marker" ` +
      `data-camera-id="${esc(p.camera_id)}">${CAMERA_SVG}</span>`,
    iconSize: [20, 16],
    iconAnchor: [10, 8],
    popupAnchor: [0, -8],
  });
}

export function incidentIcon(p) {
  const prio = p.priority ?? 3;
  return L.divIcon({
    className: "incident-icon",
    html:
      `<span class="incident-diamond" style="--c:${priorityColour(prio)}" ` +
      `data-testid="incident-marker" data-incident-id="${esc(p.incident_id)}">` +
      `<b>${esc(prio)}</b></span>`,
    iconSize: [24, 24],
    iconAnchor: [12, 12],
    popupAnchor: [0, -12],
  });
}

export function callIcon(p) {
  return L.divIcon({
    className: "call-icon",
    html: `<span data-testid="call-marker" data-call-id="${esc(p.call_id)}">911</span>`,
    iconSize: [30, 16],
    iconAnchor: [15, 8],
    popupAnchor: [0, -8],
  });
}

export function gunshotIcon(eventId, fresh) {
  return L.divIcon({
    className: `gunshot-icon${fresh ? " gunshot-fresh" : ""}`,
    html:
      '<span class="gunshot-pulse"></span>' +
      `<span class="gunshot-core" data-testid="gunshot-marker" data-event-id="${esc(eventId)}">` +
      "</span>",
    iconSize: [22, 22],
    iconAnchor: [11, 11],
    popupAnchor: [0, -10],
  });
}

export function districtLabel(name) {
  const html = `<span>${esc(name)}</span>`;
  return L.divIcon({ className: "district-label", html, iconSize: null });
}

/** The polygon a camera sees: an arc of `fov_deg` around `heading_deg` out to `range_m`. */
export function viewCone(latlng, p) {
  const [lat, lon] = latlng;
  const range = p.range_m || 150;
  const fov = p.heading_deg == null ? 360 : Math.min(p.fov_deg || 90, 360);
  const heading = p.heading_deg || 0;
  const steps = Math.max(4, Math.ceil(fov / 6));
  const arc = [];
  for (let i = 0; i <= steps; i += 1) {
    arc.push(destination(lat, lon, heading - fov / 2 + (fov * i) / steps, range));
  }
  return fov >= 360 ? arc : [latlng, ...arc];
}

/** Cones are faint so forty overlapping cameras stay readable; offline ones dashed and grey. */
export function coneStyle(p) {
  const status = p.status || "online";
  const colour = CAMERA_STATUS_COLOURS[status] || CAMERA_STATUS_COLOURS.online;
  const offline = status === "offline";
  return {
    pane: "cones",
    interactive: false,
    color: colour,
    weight: 1,
    opacity: offline ? 0.35 : 0.55,
    fillColor: colour,
    fillOpacity: offline ? 0.04 : 0.13,
    dashArray: offline || p.heading_deg == null ? "4 4" : null,
  };
}

export const CALLER_STYLE = {
  pane: "rings",
  interactive: false,
  color: "#c77dff",
  weight: 1.5,
  fillColor: "#c77dff",
  fillOpacity: 0.12,
};

export const GUNSHOT_RING_STYLE = {
  pane: "rings",
  interactive: false,
  color: "#ff3b3b",
  weight: 1.5,
  dashArray: "6 6",
  fillColor: "#ff3b3b",
  fillOpacity: 0.04,
  className: "gunshot-ring",
};

export function lprStyle(hit) {
  return {
    radius: hit ? 8 : 4.5,
    color: hit ? "#ffffff" : "#9db4c8",
    weight: hit ? 2 : 1,
    fillColor: hit ? "#ff2e88" : "#9db4c8",
    fillOpacity: 0.9,
    className: hit ? "lpr-hit" : "lpr-read",
  };
}

export const STREET_STYLES = {
  arterial: { color: "#6b7c90", weight: 3.5, opacity: 0.9 },
  local: { color: "#3d4a5a", weight: 1.5, opacity: 0.9 },
};

export const DISTRICT_STYLE = {
  color: "#3a5068",
  weight: 1.5,
  fillColor: "#1c2a3a",
  fillOpacity: 0.35,
};

// --- drones ------------------------------------------------------------------------------------

const DRONE_SVG =
  '<path d="M12 1.5l2 7 8 4.5v2.2l-8-2.4-.5 6 2.5 1.9v1.3l-4-1-4 1v-1.3l2.5-1.9-.5-6-8 2.4V13l8-4.5z"/>';

/** A drone: an aircraft glyph (nose up = north) turned to its heading, altitude and battery. */
export function droneIcon(p, heightText) {
  const status = esc(p.status || "available");
  const turn = p.heading_deg == null ? 0 : Number(p.heading_deg);
  const battery = p.battery_pct == null ? "" : ` · ${Math.round(p.battery_pct)}%`;
  const low = p.battery_pct != null && p.battery_pct < 30 ? "color:#ff5c7a;" : "";
  return L.divIcon({
    className: `unit-icon unit-${status} unit-type-drone`,
    html:
      `<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" ` +
      `data-testid="unit-marker" data-unit-id="${esc(p.unit_id)}" data-unit-type="drone" ` +
      `style="display:block;transform:rotate(${turn}deg);fill:var(--c);stroke:#0b0f14;` +
      `stroke-width:1.2;filter:drop-shadow(0 0 1.5px #fff)">${DRONE_SVG}</svg>` +
      `<span class="unit-label" style="left:24px;top:1px;${low}">` +
      `${esc(p.unit_id)}${esc(heightText ? ` · ${heightText}` : "")}${esc(battery)}</span>`,
    iconSize: [22, 22],
    iconAnchor: [11, 11],
    popupAnchor: [0, -11],
  });
}

/**
 * The ground quadrilateral a drone camera sees: [near-left, near-right, far-right, far-left].
 *
 * Same model as rtcc/analysis/drone_footprint.py `camera_footprint` (change both together):
 * flat earth `heightM` below the camera; a pinhole camera on the drone's heading, no roll,
 * `pitchDeg` below the horizon (-90 = straight down), hfov x vfov; each image corner's ray
 * meets the ground at a corner, and a ray that misses the ground or lands beyond
 * `maxDistanceM` is cut there along its horizontal direction; metres to degrees with the
 * local equirectangular approximation. Returns null when no footprint makes sense.
 */
export function droneFootprint(lat, lon, heightM, headingDeg, opts = {}) {
  const { hfovDeg = 70, vfovDeg = 50, pitchDeg = -45, maxDistanceM = 1000 } = opts;
  if (!(heightM > 0) || headingDeg == null || !(pitchDeg >= -90 && pitchDeg < 0)) return null;
  const R = 6371008.8;
  const rad = Math.PI / 180;
  const pitch = pitchDeg * rad;
  const heading = headingDeg * rad;
  const tx = Math.tan((hfovDeg * rad) / 2);
  const ty = Math.tan((vfovDeg * rad) / 2);
  const corners = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ];
  return corners.map(([sx, sy]) => {
    const forward = Math.cos(pitch) - sy * ty * Math.sin(pitch);
    const right = sx * tx;
    const up = Math.sin(pitch) + sy * ty * Math.cos(pitch);
    const horizontal = Math.hypot(forward, right);
    let scale = maxDistanceM / horizontal;
    if (up < 0 && (heightM / -up) * horizontal <= maxDistanceM) scale = heightM / -up;
    const [f, r] = [forward * scale, right * scale];
    const north = f * Math.cos(heading) - r * Math.sin(heading);
    const east = f * Math.sin(heading) + r * Math.cos(heading);
    return [lat + north / R / rad, lon + east / (R * Math.cos(lat * rad)) / rad];
  });
}

export const FOOTPRINT_STYLE = {
  pane: "cones",
  interactive: false,
  color: "#9fd3ff",
  weight: 1.5,
  dashArray: "3 3",
  fillColor: "#9fd3ff",
  fillOpacity: 0.12,
};
