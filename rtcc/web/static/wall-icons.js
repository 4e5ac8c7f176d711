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
