// Auto-dock on the wall: for the selected alert, a strip of tiles for the cameras docked
// to it (name, distance, angle off axis, "slew sent") and their view sectors on the map.
// wall-map.js announces the selection with an "rtcc:alert-selected" event on document.
/* global L */
import { el, fmtDistance } from "./wall-format.js";

const EARTH_RADIUS_M = 6371008.8;
const SECTOR_STEPS = 24;

/** The point `distance` metres from [lat, lon] at `bearing` degrees (sphere; drawing only). */
function destination(lat, lon, bearing, distance) {
  const d = distance / EARTH_RADIUS_M;
  const b = (bearing * Math.PI) / 180;
  const p1 = (lat * Math.PI) / 180;
  const l1 = (lon * Math.PI) / 180;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 =
    l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [(p2 * 180) / Math.PI, (l2 * 180) / Math.PI];
}

/** Where the camera looks once docked: a PTZ slews to the spot, a fixed camera keeps its heading. */
function sectorOf(cam) {
  const steerable = cam.camera_type === "ptz" || cam.camera_type === "drone";
  const centre = steerable || cam.heading_deg == null ? cam.bearing_from_camera_deg : cam.heading_deg;
  const fov = Math.min(cam.fov_deg ?? 90, 359.9);
  const range = cam.range_m ?? cam.distance_m;
  const origin = [cam.location.lat, cam.location.lon];
  const ring = [origin];
  for (let i = 0; i <= SECTOR_STEPS; i += 1) {
    const bearing = centre - fov / 2 + (fov * i) / SECTOR_STEPS;
    ring.push(destination(origin[0], origin[1], bearing, range));
  }
  return ring;
}

function tile(cam) {
  const slew = cam.slew;
  const latency = slew && slew.latency_ms != null ? ` in ${slew.latency_ms.toFixed(1)} ms` : "";
  return el(
    "li",
    {
      class: "dock-tile",
      "data-testid": "dock-tile",
      "data-camera-id": cam.camera_id,
      title: slew ? `AbsoluteMove pan ${slew.Position.PanTilt.x}, tilt ${slew.Position.PanTilt.y}` : null,
    },
    el("strong", { class: "dock-name", text: cam.name || cam.camera_id }),
    el("span", { class: "dock-distance", text: fmtDistance(cam.distance_m) }),
    el("span", { class: "dock-angle", text: `${Math.round(cam.angle_off_axis_deg ?? 0)}° off axis` }),
    slew ? el("span", { class: "dock-slew", "data-testid": "dock-slew", text: `slew sent${latency}` }) : null
  );
}

const STYLE = `
.dock-strip { position: absolute; left: 12px; bottom: 12px; z-index: 800; max-width: calc(100% - 24px);
  background: rgba(12, 18, 26, 0.92); border: 1px solid #2c3b4d; border-radius: 6px; padding: 6px 8px;
  color: #e6edf3; font-size: 12px; }
.dock-strip h3 { margin: 0 0 4px; font-size: 12px; font-weight: 600; color: #9fb3c8; }
.dock-strip ul { display: flex; gap: 6px; margin: 0; padding: 0; list-style: none; overflow-x: auto; }
.dock-tile { display: flex; flex-direction: column; min-width: 120px; padding: 4px 6px;
  border-left: 3px solid #3ddc84; background: #16212d; border-radius: 4px; }
.dock-slew { color: #ffd166; }
`;

class DockStrip {
  constructor() {
    this.layer = null;
    this.node = el("section", { class: "dock-strip", "data-testid": "dock-strip", hidden: true });
    this.list = el("ul", { class: "dock-tiles" });
    this.node.append(el("h3", { text: "Docked cameras" }), this.list);
    document.head.append(el("style", { text: STYLE }));
    (document.querySelector(".wall-main") || document.body).append(this.node);
  }

  show(alert, map) {
    const docked = ((alert && alert.detail && alert.detail.cameras) || []).filter(
      (c) => c.docked && c.location
    );
    if (!this.layer && map) this.layer = L.layerGroup().addTo(map);
    if (this.layer) this.layer.clearLayers();
    this.list.replaceChildren(...docked.map(tile));
    this.node.hidden = docked.length === 0;
    if (!this.layer) return;
    for (const cam of docked) {
      L.polygon(sectorOf(cam), {
        pane: "links",
        color: "#3ddc84",
        weight: 1,
        fillOpacity: 0.18,
        className: "dock-sector",
      })
        .bindTooltip(`${cam.name || cam.camera_id} · docked`, { sticky: true })
        .addTo(this.layer);
    }
  }
}

const strip = new DockStrip();
document.addEventListener("rtcc:alert-selected", (e) => strip.show(e.detail.alert, e.detail.map));
