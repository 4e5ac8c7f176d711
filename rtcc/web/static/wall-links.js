// What an alert points at: lines from its spot to the cameras and units it lists.
/* global L */
import { esc, fmtDistance, words } from "./wall-format.js";

const COLOURS = { inView: "#3ddc84", notInView: "#7d8a99", unit: "#3ea6ff" };

function cameraLine(origin, cam) {
  const to = [cam.location.lat, cam.location.lon];
  const label = `${esc(cam.camera_id)} · ${fmtDistance(cam.distance_m)} · ${
    cam.in_view ? "in view" : "not in view"
  }`;
  return L.polyline([origin, to], {
    pane: "links",
    color: cam.in_view ? COLOURS.inView : COLOURS.notInView,
    weight: cam.in_view ? 3 : 2,
    opacity: 0.95,
    dashArray: cam.in_view ? null : "5 6",
    className: cam.in_view ? "link-camera link-in-view" : "link-camera",
  }).bindTooltip(label, { sticky: true });
}

function unitLine(origin, unit) {
  const to = [unit.location.lat, unit.location.lon];
  const status = esc(words(unit.status));
  const label = `${esc(unit.unit_id)} · ${fmtDistance(unit.distance_m)} · ${status}`;
  return L.polyline([origin, to], {
    pane: "links",
    color: COLOURS.unit,
    weight: 2,
    opacity: 0.9,
    dashArray: "2 6",
    className: "link-unit",
  }).bindTooltip(label, { sticky: true });
}

/**
 * Draw the alert's links into `layer` (green = that camera can see the spot) and
 * return the bounds that frame them all, or null when the alert has no location.
 */
export function drawAlertLinks(layer, alert) {
  layer.clearLayers();
  if (!alert || !alert.location) return null;
  const origin = [alert.location.lat, alert.location.lon];
  const detail = alert.detail || {};
  const bounds = L.latLngBounds([origin]);
  for (const cam of detail.cameras || []) {
    if (!cam.location) continue;
    layer.addLayer(cameraLine(origin, cam));
    bounds.extend([cam.location.lat, cam.location.lon]);
  }
  for (const unit of detail.units || []) {
    if (!unit.location || unit.location.lat == null) continue;
    layer.addLayer(unitLine(origin, unit));
    bounds.extend([unit.location.lat, unit.location.lon]);
  }
  layer.addLayer(
    L.circleMarker(origin, {
      pane: "links",
      radius: 14,
      color: alert.severity === "critical" ? "#ff3b3b" : "#ffb020",
      weight: 3,
      fill: false,
      className: "alert-focus",
    })
  );
  return bounds;
}
