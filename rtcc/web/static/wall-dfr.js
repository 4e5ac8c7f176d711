// Drone as First Responder on the wall: docks, airspace zones, and "which dock should launch?".
/* global L */
import { el, esc, fmtDistance } from "./wall-format.js";
import { addDfrControls } from "./wall-legend.js";

export const DFR_COLOUR = "#9fd3ff";
const NO_FLY = "#ff4d4f";
const AUTHORIZATION = "#ffb020";
const SVG_NS = "http://www.w3.org/2000/svg";

const pad = (n) => String(n).padStart(2, "0");

/** 163.9 → "02:44" */
export function fmtEta(seconds) {
  const total = Math.max(0, Math.round(seconds));
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

/** The red diagonal hatching no-fly zones are filled with (referenced from wall.css). */
function addHatchPattern() {
  if (document.getElementById("dfr-hatch")) return;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", "0");
  svg.setAttribute("height", "0");
  svg.setAttribute("aria-hidden", "true");
  svg.style.position = "absolute";
  svg.innerHTML =
    '<defs><pattern id="dfr-hatch" width="9" height="9" patternUnits="userSpaceOnUse" ' +
    'patternTransform="rotate(45)"><rect width="9" height="9" fill="rgba(255,77,79,0.10)"/>' +
    '<rect width="3" height="9" fill="rgba(255,77,79,0.55)"/></pattern></defs>';
  document.body.append(svg);
}

function dockIcon(dock) {
  return L.divIcon({
    className: "dfr-dock-icon",
    html:
      `<span class="dfr-dock-glyph" data-testid="dfr-dock" data-dock-id="${esc(dock.id)}">` +
      '<svg viewBox="0 0 12 12" aria-hidden="true"><path d="M3 2.5v7M9 2.5v7M3 6h6"/></svg>' +
      `</span><span class="dfr-dock-label">${esc(dock.name)}</span>`,
    iconSize: [18, 18],
    iconAnchor: [9, 9],
    popupAnchor: [0, -10],
  });
}

function zoneLabel(zone) {
  const kind = zone.kind === "no_fly" ? "No-fly" : "Authorization";
  return L.divIcon({
    className: `dfr-zone-label dfr-zone-label-${esc(zone.kind)}`,
    html:
      `<span data-testid="dfr-zone-label" data-zone-id="${esc(zone.id)}">` +
      `${esc(kind)} · ${esc(zone.name)}</span>`,
    iconSize: null,
  });
}

function zoneStyle(zone) {
  const noFly = zone.kind === "no_fly";
  return {
    pane: "dfr-zones",
    interactive: false,
    color: noFly ? NO_FLY : AUTHORIZATION,
    weight: 2,
    opacity: 0.9,
    dashArray: noFly ? null : "8 5",
    fillColor: noFly ? NO_FLY : AUTHORIZATION,
    fillOpacity: noFly ? 1 : 0.04, // no-fly: the hatch pattern carries its own transparency
    className: `dfr-zone dfr-zone-${zone.kind}`,
  };
}

/** Label at the top of the polygon's outer ring (its northernmost vertex's latitude). */
function labelPoint(ring) {
  const lats = ring.map((p) => p[1]);
  const lons = ring.map((p) => p[0]);
  return [Math.max(...lats), (Math.min(...lons) + Math.max(...lons)) / 2];
}

function dockPopup(dock) {
  const rows = [
    ["Drone", dock.unit_id],
    ["Range", fmtDistance(dock.max_range_m)],
    ["Cruise", `${Math.round(dock.cruise_speed_mps)} m/s`],
    ["Launch", `${Math.round(dock.launch_time_s)} s`],
    ["Min. battery", `${Math.round(dock.min_launch_battery_pct)}%`],
  ];
  return el(
    "div",
    { class: "popup" },
    el("div", { class: "popup-title", text: dock.name }),
    el("div", { class: "popup-sub", text: "DFR dock" }),
    el(
      "table",
      { class: "popup-table" },
      rows.map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: v })))
    )
  );
}

export class DfrLayer {
  constructor(map) {
    this.map = map;
    map.createPane("dfr-zones").style.zIndex = "330";
    map.getPane("dfr-zones").style.pointerEvents = "none";
    this.layer = L.layerGroup().addTo(map);
    this.route = L.layerGroup().addTo(this.layer);
    this.docks = [];
    this.zones = [];
    this.weather = null;
    this.last = null; // {incidentId, rec} or {incidentId, error}
    this.controlsAdded = false;
    this.loading = null;
    map.on("popupopen", (ev) => this._onPopupOpen(ev.popup));
  }

  get enabled() {
    return this.docks.length > 0;
  }

  /** Docks and zones from the server; nothing at all when this user may not see DFR. */
  load() {
    this.loading ||= this._load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  async _load() {
    let cfg = null;
    try {
      const response = await fetch("/api/v1/dfr/docks", { credentials: "same-origin" });
      if (response.ok) cfg = await response.json();
    } catch (err) {
      console.warn("rtcc: DFR docks unavailable", err);
      return;
    }
    this._draw(cfg || { docks: [], zones: [] });
  }

  _draw(cfg) {
    for (const layer of this.layer.getLayers()) {
      if (layer !== this.route) this.layer.removeLayer(layer);
    }
    this.docks = cfg.docks || [];
    this.zones = cfg.zones || [];
    this.weather = cfg.weather || null;
    if (!this.docks.length) {
      this._clearRecommendation();
      this.decorateList();
      return;
    }
    addHatchPattern();
    if (!this.controlsAdded) {
      addDfrControls(this.map, this.layer);
      this.controlsAdded = true;
    }
    for (const zone of this.zones) {
      this.layer.addLayer(L.geoJSON(zone.polygon, { style: () => zoneStyle(zone) }));
      const at = labelPoint(zone.polygon.coordinates[0]);
      const label = L.marker(at, { icon: zoneLabel(zone), interactive: false, pane: "dfr-zones" });
      this.layer.addLayer(label);
    }
    for (const dock of this.docks) {
      const marker = L.marker([dock.lat, dock.lon], { icon: dockIcon(dock), keyboard: false });
      marker.bindPopup(() => dockPopup(dock), { maxWidth: 320 });
      this.layer.addLayer(marker);
    }
    this.decorateList();
  }

  stats() {
    const last = this.last && this.last.rec ? this.last.rec : null;
    return { docks: this.docks, zones: this.zones, lastRecommendation: last };
  }

  // --- asking -------------------------------------------------------------------------------

  askButton(incidentId) {
    const button = el("button", {
      type: "button",
      class: "dfr-ask",
      "data-testid": "dfr-ask",
      "data-incident-id": incidentId,
      title: "Which DFR dock should launch for this incident?",
      text: "Drone?",
    });
    button.addEventListener("click", (ev) => {
      ev.stopPropagation();
      this.recommend(incidentId);
    });
    button.addEventListener("keydown", (ev) => ev.stopPropagation());
    return button;
  }

  async recommend(incidentId) {
    const url = `/api/v1/dfr/recommendation?incident_id=${encodeURIComponent(incidentId)}`;
    let answer;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      const body = await response.json().catch(() => ({}));
      if (response.ok) answer = { incidentId, rec: body };
      else {
        const message = (body.error && body.error.message) || `HTTP ${response.status}`;
        answer = { incidentId, error: message };
      }
    } catch (err) {
      answer = { incidentId, error: "the server could not be reached" };
    }
    this.last = answer;
    this._drawRoute();
    this.decorateList();
    this._decorateOpenPopup();
    return answer;
  }

  _clearRecommendation() {
    this.last = null;
    this.route.clearLayers();
  }

  /** A dashed line from the recommended dock to the incident; the map frames it if needed. */
  _drawRoute() {
    this.route.clearLayers();
    const rec = this.last && this.last.rec;
    const dock = rec && this.docks.find((d) => d.id === rec.recommended_dock_id);
    if (!dock) return;
    const best = rec.options.find((o) => o.dock_id === dock.id);
    const line = [
      [dock.lat, dock.lon],
      [rec.incident.lat, rec.incident.lon],
    ];
    L.polyline(line, {
      pane: "links",
      color: DFR_COLOUR,
      weight: 3,
      opacity: 0.95,
      dashArray: "8 7",
      className: "dfr-route",
    })
      .bindTooltip(`${esc(dock.name)} → ${esc(rec.incident_id)} · ETA ${fmtEta(best.eta_s)}`, {
        sticky: true,
      })
      .addTo(this.route);
    const bounds = L.latLngBounds(line);
    if (!this.map.getBounds().contains(bounds)) {
      this.map.fire("viewtaken"); // asked for: the wall stops framing the map on its own
      this.map.flyToBounds(bounds.pad(0.3), { maxZoom: 16, duration: 0.6 });
    }
  }

  // --- where the button and the answer go ---------------------------------------------------

  /** Give every incident in the panel its "Drone?" button, and its answer if it has one. */
  decorateList() {
    const list = document.getElementById("incident-list");
    if (!list) return;
    let shown = false;
    for (const li of list.querySelectorAll("li[data-incident-id]")) {
      const id = li.dataset.incidentId;
      li.querySelector(".dfr-ask")?.remove();
      li.querySelector(".dfr-card")?.remove();
      if (!this.enabled) continue;
      li.querySelector(".item-meta")?.append(this.askButton(id));
      if (this.last && this.last.incidentId === id) {
        li.append(this._card(this.last));
        shown = true;
      }
    }
    const selector = this.last && `li[data-incident-id="${CSS.escape(this.last.incidentId)}"]`;
    if (this.last && !shown && !list.querySelector(selector)) this._clearRecommendation(); // closed
  }

  /** The incident a popup belongs to, or null (only incident markers get the button). */
  _incidentOf(popup) {
    const source = popup._source;
    const marker = source && source.getElement && source.getElement();
    const tag = marker && marker.querySelector('[data-testid="incident-marker"]');
    return tag ? tag.dataset.incidentId : null;
  }

  /** Rebuild an incident popup so Leaflet lays it out again with the button (and answer). */
  _onPopupOpen(popup) {
    if (!this._incidentOf(popup)) return;
    if (!popup._dfrWatched) {
      popup._dfrWatched = true;
      popup.on("contentupdate", () => this._decoratePopup(popup));
    }
    popup.update();
  }

  _decorateOpenPopup() {
    this.map.eachLayer((layer) => {
      const popup = layer.getPopup && layer.getPopup();
      if (popup && popup.isOpen() && popup._dfrWatched) popup.update();
    });
  }

  _decoratePopup(popup) {
    const id = this._incidentOf(popup);
    const body = popup.getElement()?.querySelector(".leaflet-popup-content .popup");
    if (!id || !body || !this.enabled) return;
    const answer = this.last && this.last.incidentId === id ? this._card(this.last) : null;
    body.append(el("div", { class: "dfr-popup" }, this.askButton(id), answer));
  }

  // --- the answer -----------------------------------------------------------------------------

  _card(answer) {
    const close = el("button", {
      type: "button",
      class: "dfr-card-close",
      "aria-label": "Close the drone recommendation",
      text: "×",
    });
    close.addEventListener("click", (ev) => {
      ev.stopPropagation();
      this._clearRecommendation();
      this.decorateList();
      this._decorateOpenPopup();
    });
    const head = el(
      "div",
      { class: "dfr-card-head" },
      el("span", { class: "dfr-card-title", text: "DFR · " }, el("b", { text: answer.incidentId })),
      close
    );
    const attrs = {
      class: "dfr-card",
      "data-testid": "dfr-card",
      "data-incident-id": answer.incidentId,
    };
    if (answer.error) {
      return el("div", attrs, head, el("div", { class: "dfr-card-error", text: answer.error }));
    }
    const rec = answer.rec;
    const best = rec.options.find((o) => o.dock_id === rec.recommended_dock_id);
    const others = rec.options.filter((o) => o !== best);
    const card = el(
      "div",
      attrs,
      head,
      best ? recommended(best) : el("div", { class: "dfr-none", text: rec.summary }),
      others.length ? el("ul", { class: "dfr-others" }, others.map(otherOption)) : null,
      weatherLine(rec)
    );
    card.title = rec.model;
    card.addEventListener("click", (ev) => ev.stopPropagation());
    return card;
  }
}

function recommended(o) {
  const battery = o.battery_pct == null ? "" : ` · battery ${Math.round(o.battery_pct)}%`;
  return el(
    "div",
    { class: "dfr-best", "data-testid": "dfr-recommended", "data-dock-id": o.dock_id },
    el(
      "div",
      { class: "dfr-best-line" },
      el("span", { class: "dfr-launch", text: "Launch" }),
      el("span", { class: "dfr-best-name", text: o.dock_name }),
      el("span", { class: "dfr-eta", "data-testid": "dfr-eta", text: fmtEta(o.eta_s) })
    ),
    el("div", {
      class: "dfr-best-sub",
      text: `${o.unit_id} · ${fmtDistance(o.distance_m)}${battery}`,
    }),
    o.flags.length ? el("div", { class: "dfr-flags", text: o.flags.join("; ") }) : null
  );
}

function otherOption(o) {
  const state = o.eligible ? "eligible" : "not eligible";
  return el(
    "li",
    {
      class: `dfr-option ${o.eligible ? "is-eligible" : "not-eligible"}`,
      "data-testid": "dfr-option",
      "data-dock-id": o.dock_id,
      "data-eligible": String(o.eligible),
    },
    el(
      "div",
      { class: "dfr-option-line" },
      el("span", { class: "dfr-option-name", text: o.dock_name }),
      el("span", { class: "dfr-option-state", text: state }),
      el("span", { class: "dfr-option-eta", title: "ETA had it launched", text: fmtEta(o.eta_s) })
    ),
    el("div", { class: "dfr-reason", "data-testid": "dfr-reason", text: o.reason })
  );
}

function weatherLine(rec) {
  const w = rec.weather || {};
  if (w.grounded) {
    return el("div", { class: "dfr-weather grounded", text: `Grounded: ${w.reason || "weather"}` });
  }
  if (w.wind_mps == null) return null;
  const text = `Wind ${Math.round(w.wind_mps)} m/s (not in the ETA)`;
  return el("div", { class: "dfr-weather", text });
}
