// The live map: basemap, one layer per kind of thing, and what a selected alert points at.
/* global L */
import { ageOf, el, eventPopup, gunshotPopup } from "./wall-format.js";
import { openStreamButton } from "./wall-camera-open.js";

/** A camera's popup: its details, and a button to open its stream (its own decision). */
function cameraPopup(title, event) {
  const card = eventPopup(title, event);
  card.append(openStreamButton(event.payload.camera_id));
  return card;
}
import {
  CALLER_STYLE,
  DISTRICT_STYLE,
  FOOTPRINT_STYLE,
  GUNSHOT_RING_STYLE,
  STREET_STYLES,
  callIcon,
  cameraIcon,
  coneStyle,
  districtLabel,
  droneFootprint,
  droneIcon,
  gunshotIcon,
  incidentIcon,
  lprStyle,
  unitIcon,
  viewCone,
} from "./wall-icons.js";
import { addControls } from "./wall-legend.js";
import { drawAlertLinks } from "./wall-links.js";

const LPR_FADE_MS = 2 * 60 * 1000;
const HOTLIST_FADE_MS = 10 * 60 * 1000;
const MAX_LPR_MARKERS = 3000;
const GUNSHOT_PULSE_MS = 10 * 60 * 1000;
const GUNSHOT_KEEP_MS = 60 * 60 * 1000;
const FOOTPRINT_MIN_HEIGHT_M = 5; // below this a drone is on (or at) its dock: no footprint
const ENTITY_LAYERS = ["units", "cameras", "incidents", "calls", "lpr", "gunshots", "links"];
const PANES = [
  ["basemap", 250],
  ["cones", 360],
  ["rings", 380],
  ["links", 450],
];

/** What makes two icons look different: a marker is only redrawn when this changes. */
const iconKey = (icon) => `${icon.options.className}|${icon.options.html}`;

export class WallMap {
  constructor(container) {
    this.map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      minZoom: 3,
      maxZoom: 20,
    }).setView([20, 0], 3);
    for (const [name, z] of PANES) this.map.createPane(name).style.zIndex = String(z);
    this.map.getPane("basemap").style.pointerEvents = "none";
    this.fitted = false; // framed once on its own (the live entities, or the city's basemap)
    // Once someone moves the map, opens a popup or picks an alert, data arriving late (the
    // basemap, the first snapshot) must not move it: the view is theirs. Add-ons that move
    // the map on request fire "viewtaken" on it (wall-dfr.js).
    this.viewTaken = false;
    this.map.on("dragstart popupopen viewtaken", () => this.takeView());
    this.layers = { districts: L.layerGroup(), streets: L.layerGroup() };
    for (const name of ENTITY_LAYERS) this.layers[name] = L.layerGroup();
    for (const layer of Object.values(this.layers)) layer.addTo(this.map);
    // One entry per thing drawn: {marker, latlng, popup, extras: [other layers it owns]}.
    this.items = {
      unit: new Map(),
      camera: new Map(),
      incident: new Map(),
      call: new Map(),
      lpr: new Map(),
      gunshot: new Map(),
    };
    // Lowest altitude seen per drone: its dock / take-off level (kept across resyncs).
    this.droneGround = new Map();
    addControls(this.map, this.layers);
  }

  // --- basemap -----------------------------------------------------------------------------

  /** Districts as faint labelled areas, streets as grey lines; returns the features drawn. */
  drawBasemap(geojson) {
    const features = (geojson && geojson.features) || [];
    const ofLayer = (name) => features.filter((f) => f.properties && f.properties.layer === name);
    const districts = ofLayer("district");
    const streets = ofLayer("street");
    L.geoJSON(districts, {
      pane: "basemap",
      style: () => DISTRICT_STYLE,
      onEachFeature: (f) => this._labelDistrict(f),
    }).addTo(this.layers.districts);
    L.geoJSON(streets, {
      pane: "basemap",
      interactive: false,
      style: (f) => STREET_STYLES[f.properties.class] || STREET_STYLES.local,
    }).addTo(this.layers.streets);
    const bounds = L.geoJSON(features).getBounds();
    if (bounds.isValid() && !this.viewTaken) {
      this.map.fitBounds(bounds, { padding: [16, 16] });
      this.fitted = true;
    }
    return districts.length + streets.length;
  }

  _labelDistrict(feature) {
    if (feature.geometry.type !== "Polygon") return;
    const ring = feature.geometry.coordinates[0].slice(0, -1);
    const lat = ring.reduce((sum, p) => sum + p[1], 0) / ring.length;
    const lon = ring.reduce((sum, p) => sum + p[0], 0) / ring.length;
    const icon = districtLabel(feature.properties.name || "");
    const label = L.marker([lat, lon], { icon, interactive: false, pane: "basemap" });
    this.layers.districts.addLayer(label);
  }

  /** With no basemap, frame whatever the first snapshot put on the map. */
  fitToEntitiesOnce() {
    if (this.fitted || this.viewTaken) return;
    const points = [];
    for (const kind of ["unit", "camera", "incident", "call"]) {
      for (const item of this.items[kind].values()) points.push(item.latlng);
    }
    if (!points.length) return;
    this.map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 16 });
    this.fitted = true;
  }

  // --- entities ----------------------------------------------------------------------------

  clear() {
    for (const name of ENTITY_LAYERS) this.layers[name].clearLayers();
    for (const items of Object.values(this.items)) items.clear();
  }

  counts() {
    const n = (kind) => this.items[kind].size;
    return {
      units: n("unit"),
      cameras: n("camera"),
      incidents: n("incident"),
      calls: n("call"),
      lpr: n("lpr"),
      gunshots: n("gunshot"),
      links: this.layers.links.getLayers().length,
    };
  }

  /**
   * Add or move the marker kept under `id`. Popups are built only when opened (`popup`
   * is a function), so a busy AVL feed does not rebuild tables nobody is looking at.
   */
  _place(kind, layer, id, latlng, icon, popup) {
    let item = this.items[kind].get(id);
    if (!item) {
      const marker = L.marker(latlng, { icon, riseOnHover: true, keyboard: false });
      item = { marker, latlng, iconKey: iconKey(icon), popup, extras: [] };
      marker.bindPopup(() => item.popup(), { maxWidth: 320 });
      this.items[kind].set(id, item);
      layer.addLayer(marker);
      return item;
    }
    item.marker.setLatLng(latlng);
    if (item.iconKey !== iconKey(icon)) {
      item.marker.setIcon(icon);
      item.iconKey = iconKey(icon);
    }
    item.popup = popup;
    item.latlng = latlng;
    if (item.marker.isPopupOpen()) item.marker.getPopup().update();
    return item;
  }

  /** Replace the extra shape (cone, accuracy circle, ring) an item owns. */
  _setExtra(item, layer, shape) {
    for (const old of item.extras) layer.removeLayer(old);
    item.extras = [shape];
    layer.addLayer(shape);
  }

  _remove(kind, layer, id) {
    const item = this.items[kind].get(id);
    if (!item) return;
    layer.removeLayer(item.marker);
    for (const extra of item.extras) layer.removeLayer(extra);
    this.items[kind].delete(id);
  }

  upsertUnit(event) {
    const p = event.payload;
    if (!event.location) return;
    const latlng = [event.location.lat, event.location.lon];
    const popup = () => eventPopup(`Unit ${p.unit_id}`, event);
    if (p.unit_type === "drone") {
      this._upsertDrone(p, latlng, popup);
      return;
    }
    this._place("unit", this.layers.units, p.unit_id, latlng, unitIcon(p), popup);
  }

  /**
   * A drone: aircraft marker turned to its heading, and the ground its camera sees.
   * Feeds report altitude above sea level (MAVLink) or the ellipsoid (CoT), not above the
   * ground, so the footprint uses the height above the lowest altitude this wall has seen
   * for the drone (its dock / take-off level): flat ground assumed, as in droneFootprint.
   */
  _upsertDrone(p, latlng, popup) {
    const layer = this.layers.units;
    const alt = p.altitude_m;
    if (alt != null) {
      const ground = this.droneGround.get(p.unit_id);
      if (ground == null || alt < ground) this.droneGround.set(p.unit_id, alt);
    }
    const altText = alt == null ? "" : `${Math.round(alt)} m alt`;
    const item = this._place("unit", layer, p.unit_id, latlng, droneIcon(p, altText), popup);
    const height = alt == null ? null : alt - this.droneGround.get(p.unit_id);
    const corners =
      height != null && height >= FOOTPRINT_MIN_HEIGHT_M
        ? droneFootprint(latlng[0], latlng[1], height, p.heading_deg)
        : null;
    if (corners) {
      this._setExtra(item, layer, L.polygon(corners, FOOTPRINT_STYLE));
    } else {
      for (const old of item.extras) layer.removeLayer(old);
      item.extras = [];
    }
  }

  upsertCamera(event) {
    const p = event.payload;
    if (!event.location) return;
    const latlng = [event.location.lat, event.location.lon];
    const title = p.name ? `${p.camera_id} · ${p.name}` : p.camera_id;
    const layer = this.layers.cameras;
    const item = this._place("camera", layer, p.camera_id, latlng, cameraIcon(p), () =>
      cameraPopup(title, event)
    );
    this._setExtra(item, layer, L.polygon(viewCone(latlng, p), coneStyle(p)));
  }

  /** An incident is drawn until CAD closes it. */
  upsertIncident(event) {
    const p = event.payload;
    if (p.status === "closed" || !event.location) {
      this._remove("incident", this.layers.incidents, p.incident_id);
      return;
    }
    const latlng = [event.location.lat, event.location.lon];
    const title = `${p.call_type} · P${p.priority ?? 3}`;
    const popup = () => eventPopup(title, event);
    this._place("incident", this.layers.incidents, p.incident_id, latlng, incidentIcon(p), popup);
  }

  /** A 911 caller: a "911" tag inside a circle as wide as the fix is uncertain. */
  upsertCall(event) {
    const p = event.payload;
    if (!event.location) return;
    const latlng = [event.location.lat, event.location.lon];
    const layer = this.layers.calls;
    const popup = () => eventPopup(`911 call ${p.call_id}`, event);
    const item = this._place("call", layer, p.call_id, latlng, callIcon(p), popup);
    const radius = Math.max(event.location.accuracy_m || 0, 5);
    this._setExtra(item, layer, L.circle(latlng, { ...CALLER_STYLE, radius }));
  }

  /** A plate read: a small dot that fades; a hotlist hit is larger, brighter and stays longer. */
  addLpr(event) {
    if (!event.location || this.items.lpr.has(event.id)) return;
    const p = event.payload;
    const hit = Boolean(p.hotlist);
    const ttl = hit ? HOTLIST_FADE_MS : LPR_FADE_MS;
    const since = event.received_at || event.occurred_at;
    if (ageOf(since) > ttl) return;
    const marker = L.circleMarker([event.location.lat, event.location.lon], lprStyle(hit));
    const state = p.plate_state ? ` (${p.plate_state})` : "";
    const title = `${p.plate}${state}${hit ? ` · HOTLIST ${p.hotlist}` : ""}`;
    marker.bindPopup(() => eventPopup(title, event), { maxWidth: 320 });
    marker.bindTooltip(el("span", { text: p.plate }), { direction: "top", offset: [0, -6] });
    this.layers.lpr.addLayer(marker);
    this.items.lpr.set(event.id, { marker, since, ttl, latlng: marker.getLatLng(), extras: [] });
    if (this.items.lpr.size > MAX_LPR_MARKERS) {
      const oldest = this.items.lpr.keys().next().value;
      this._remove("lpr", this.layers.lpr, oldest);
    }
  }

  /** A gunshot detection: a pulsing marker now, its search ring when the alert arrives. */
  addGunshot(event) {
    if (!event.location || ageOf(event.occurred_at) > GUNSHOT_KEEP_MS) return;
    const item = this._gunshot(event.id, event.location, event.occurred_at);
    item.event = event;
    if (!item.alert) item.popup = () => eventPopup("Gunshot detection", event);
  }

  gunshotAlert(alert) {
    if (!alert.location || ageOf(alert.created_at) > GUNSHOT_KEEP_MS) return;
    const item = this._gunshot(alert.event_id, alert.location, alert.created_at);
    item.alert = alert;
    item.popup = () => gunshotPopup(alert, item.event);
    if (!item.extras.length) {
      const radius = (alert.detail && alert.detail.radius_m) || 1000;
      const ring = L.circle([alert.location.lat, alert.location.lon], {
        ...GUNSHOT_RING_STYLE,
        radius,
      });
      this._setExtra(item, this.layers.gunshots, ring);
    }
  }

  _gunshot(id, location, since) {
    let item = this.items.gunshot.get(id);
    if (item) return item;
    const latlng = [location.lat, location.lon];
    const icon = gunshotIcon(id, ageOf(since) < GUNSHOT_PULSE_MS);
    const marker = L.marker(latlng, { icon, zIndexOffset: 1000 });
    item = { marker, latlng, since, extras: [], popup: () => el("div", { text: "Gunshot" }) };
    marker.bindPopup(() => item.popup(), { maxWidth: 320 });
    this.items.gunshot.set(id, item);
    this.layers.gunshots.addLayer(marker);
    return item;
  }

  /** Fade plate reads, stop old gunshots pulsing, forget what is too old to matter. */
  tick() {
    for (const [id, item] of this.items.lpr) {
      const age = ageOf(item.since);
      if (age > item.ttl) {
        this._remove("lpr", this.layers.lpr, id);
      } else {
        const opacity = Math.max(0.15, 1 - age / item.ttl);
        item.marker.setStyle({ opacity, fillOpacity: 0.9 * opacity });
      }
    }
    for (const [id, item] of this.items.gunshot) {
      const age = ageOf(item.since);
      if (age > GUNSHOT_KEEP_MS) this._remove("gunshot", this.layers.gunshots, id);
      else if (age > GUNSHOT_PULSE_MS) item.marker.getElement()?.classList.remove("gunshot-fresh");
    }
  }

  // --- focus -------------------------------------------------------------------------------

  /** From now on only people move the map (see `viewTaken`). */
  takeView() {
    this.viewTaken = true;
  }

  /** Centre on a point at a zoom, as someone choosing the view would. */
  view(lat, lon, zoom) {
    this.takeView();
    this.map.setView([lat, lon], zoom, { animate: false });
  }

  focus(kind, id) {
    const item = this.items[kind].get(id);
    if (!item) return;
    this.takeView();
    this.map.flyTo(item.latlng, Math.max(this.map.getZoom(), 17), { duration: 0.6 });
    item.marker.openPopup();
  }

  /** Fly to the alert and draw a line to every camera (green = can see it) and unit it lists. */
  showAlert(alert) {
    const bounds = drawAlertLinks(this.layers.links, alert);
    this.takeView();
    if (bounds) this.map.flyToBounds(bounds.pad(0.15), { maxZoom: 17, duration: 0.8 });
    // wall-dock.js (and any other add-on) draws its part of the selected alert.
    document.dispatchEvent(new CustomEvent("rtcc:alert-selected", { detail: { alert, map: this.map } }));
  }

  invalidate() {
    this.map.invalidateSize();
  }
}
