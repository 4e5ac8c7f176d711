// Geofences on the wall: outlines with names, and the 911 callers inside the viewer's own.
/* global L */
import { el, esc, fmtDistance, fmtTime, whereIs } from "./wall-format.js";

const DELETES_ANY = new Set(["admin", "supervisor"]);
const MINE = "#ffb020";
const OTHERS = "#8fa3b8";

export class GeofenceLayer {
  constructor(map, { user, role, onCall }) {
    this.map = map;
    this.user = user;
    this.role = role;
    this.onCall = onCall;
    this.drawing = false; // set by the draw control: clicks then add points, not popups
    map.createPane("geofences").style.zIndex = "340";
    this.layer = L.layerGroup().addTo(map);
    this.rings = L.layerGroup().addTo(map);
    this.fences = new Map(); // id → {fence, shape, label}
    this.calls = new Map(); // call id → latest caller_location event
    this.hits = new Map(); // call id → {event, ring, fences: [{fence, where}]} (own fences only)
    this.list = document.getElementById("geofence-calls");
    this.count = document.getElementById("geofence-call-count");
  }

  mine(fence) {
    return fence.owner === this.user;
  }

  /** The snapshot's geofences replace everything, and calls are re-read after it. */
  setAll(fences) {
    this.layer.clearLayers();
    this.rings.clearLayers();
    this.fences.clear();
    this.calls.clear();
    this.hits.clear();
    for (const fence of fences || []) this._draw(fence);
    this._render();
  }

  /** A live `geofence` notice: one was added or deleted. */
  change(msg) {
    if (msg.action === "deleted") this._erase(msg.id);
    else this._draw(msg);
    for (const event of this.calls.values()) this._locate(event);
    this._render();
  }

  updateCall(event) {
    if (!event.location) return;
    this.calls.set(event.payload.call_id, event);
    this._locate(event);
    this._render();
  }

  stats() {
    return {
      fences: this.fences.size,
      mine: [...this.fences.values()].filter((f) => this.mine(f.fence)).length,
      highlighted: [...this.hits.keys()].sort(),
    };
  }

  _draw(fence) {
    this._erase(fence.id);
    const own = this.mine(fence);
    const colour = own ? MINE : OTHERS;
    const shape = L.geoJSON(fence.geometry, {
      pane: "geofences",
      style: () => ({
        color: colour,
        weight: own ? 2.5 : 1.5,
        dashArray: own ? null : "6 5",
        fillColor: colour,
        fillOpacity: own ? 0.08 : 0.04,
        className: `geofence geofence-id-${fence.id}${own ? " geofence-mine" : ""}`,
      }),
    });
    shape.on("click", (ev) => this._openPopup(fence, ev.latlng));
    const icon = L.divIcon({
      className: `geofence-label${own ? " geofence-label-mine" : ""}`,
      html: `<span data-testid="geofence-label" data-geofence-id="${esc(fence.id)}">${esc(
        fence.name
      )}</span>`,
      iconSize: null,
    });
    const top = shape.getBounds();
    const at = [top.getNorth(), top.getCenter().lng];
    const label = L.marker(at, { icon, pane: "geofences", interactive: false, keyboard: false });
    this.layer.addLayer(shape).addLayer(label);
    this.fences.set(fence.id, { fence, shape, label });
  }

  _erase(id) {
    const drawn = this.fences.get(id);
    if (!drawn) return;
    this.layer.removeLayer(drawn.shape).removeLayer(drawn.label);
    this.fences.delete(id);
  }

  /** Which of the viewer's fences the caller is in; keep its highlight ring on the caller. */
  _locate(event) {
    const id = event.payload.call_id;
    const found = [];
    for (const { fence } of this.fences.values()) {
      const where = this.mine(fence) ? whereIs(fence.geometry, event.location) : null;
      if (where) found.push({ fence, where });
    }
    const known = this.hits.get(id);
    const latlng = [event.location.lat, event.location.lon];
    if (!found.length) {
      if (known) this.rings.removeLayer(known.ring);
      this.hits.delete(id);
    } else if (known) {
      known.ring.setLatLng(latlng);
      Object.assign(known, { event, fences: found });
    } else {
      const ring = L.circleMarker(latlng, {
        radius: 17,
        color: MINE,
        weight: 3,
        fill: false,
        interactive: false,
        className: "geofence-call-ring",
      });
      this.rings.addLayer(ring);
      this.hits.set(id, { event, ring, fences: found });
    }
    this._markCall(id, found);
  }

  /** Tag the caller's "911" marker so it stands out (the map layer owns the marker). */
  _markCall(id, found) {
    const marker = document.querySelector(
      `[data-testid="call-marker"][data-call-id="${CSS.escape(id)}"]`
    );
    if (!marker) return;
    if (!found.length) delete marker.dataset.geofence;
    else marker.dataset.geofence = found.some((f) => f.where === "inside") ? "inside" : "possibly";
  }

  _render() {
    const busy = new Set();
    for (const hit of this.hits.values()) for (const f of hit.fences) busy.add(f.fence.id);
    for (const [id, { shape, fence }] of this.fences) {
      const active = busy.has(id);
      if (!this.mine(fence)) continue;
      shape.setStyle({ fillOpacity: active ? 0.16 : 0.08, weight: active ? 3 : 2.5 });
    }
    if (!this.list) return;
    const rows = [...this.hits.entries()].sort(([a], [b]) => a.localeCompare(b));
    this.list.replaceChildren(...rows.map(([id, hit]) => this._callItem(id, hit)));
    this.count.textContent = String(rows.length);
    const empty = document.querySelector('[data-empty-for="geofence-calls"]');
    if (empty) empty.hidden = rows.length > 0;
  }

  _callItem(id, hit) {
    const loc = hit.event.location;
    const where = hit.fences
      .map((f) => `${f.where === "inside" ? "inside" : "possibly inside"} ${f.fence.name}`)
      .join(" · ");
    const accuracy = loc.accuracy_m ? `±${fmtDistance(loc.accuracy_m)}` : "no accuracy";
    const li = el(
      "li",
      { class: "geofence-call", "data-testid": "geofence-call", "data-call-id": id, tabindex: 0 },
      el("span", { class: "geofence-call-tag", text: "911" }),
      el(
        "div",
        { class: "item-main" },
        el("div", { class: "geofence-call-id", text: `Call ${id}` }),
        el("div", { class: "geofence-call-where", text: where })
      ),
      el(
        "div",
        { class: "item-meta" },
        el("span", { class: "age", text: `${accuracy} · ${hit.event.payload.method || ""}` }),
        el("time", { class: "age", text: fmtTime(hit.event.occurred_at) })
      )
    );
    const open = () => this.onCall(id);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (ev) => ev.key === "Enter" && open());
    return li;
  }

  _openPopup(fence, latlng) {
    if (this.drawing) return;
    const inside = [...this.calls.values()].filter((e) => whereIs(fence.geometry, e.location));
    const status = el("div", { class: "geofence-popup-status", role: "status" });
    const body = el(
      "div",
      { class: "popup", "data-testid": "geofence-popup" },
      el("div", { class: "popup-title", text: fence.name }),
      el("div", { class: "popup-sub", text: "geofence" }),
      el(
        "table",
        { class: "popup-table" },
        el("tr", {}, el("th", { text: "Owner" }), el("td", { text: fence.owner })),
        el("tr", {}, el("th", { text: "Created" }), el("td", { text: fmtTime(fence.created_at) })),
        el("tr", {}, el("th", { text: "911 callers" }), el("td", { text: inside.length }))
      ),
      status
    );
    if (this.mine(fence) || DELETES_ANY.has(this.role)) {
      const button = el("button", { type: "button", class: "btn", text: "Delete geofence" });
      button.addEventListener("click", () => this._delete(fence, status));
      body.append(button);
    }
    L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(body).openOn(this.map);
  }

  async _delete(fence, status) {
    if (!window.confirm(`Delete geofence "${fence.name}"?`)) return;
    const response = await fetch(`/api/v1/geofences/${encodeURIComponent(fence.id)}`, {
      method: "DELETE",
      credentials: "same-origin",
    });
    if (response.ok) this.map.closePopup();
    else status.textContent = await errorText(response);
  }
}

/** The server's reason for a refusal, as one line. */
export async function errorText(response) {
  try {
    const error = (await response.json()).error || {};
    return error.field ? `${error.field}: ${error.message}` : error.message || response.statusText;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}
