// Draw a geofence on the map (click points; double-click or Finish; Escape cancels) or upload one.
/* global L */
import { el } from "./wall-format.js";
import { errorText } from "./wall-geofences.js";

const SAME_POINT_PX = 6; // the two clicks of a double-click add one point
const SKETCH = { color: "#ffb020", weight: 2.5, interactive: false, className: "geofence-sketch" };
const RUBBER = { ...SKETCH, weight: 1.5, dashArray: "4 5", className: "geofence-rubber" };
const HINT = "Click to add points · double-click or Finish to close · Esc cancels";

/** POST one geofence; resolves to "" when saved, else the server's reason. */
async function save(name, geometry) {
  const response = await fetch("/api/v1/geofences", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, geometry }),
  });
  return response.ok ? "" : errorText(response);
}

/** The Polygon/MultiPolygon geometries (with a name if they carry one) in a GeoJSON file. */
function polygonsIn(doc) {
  const named = (geometry, props) => ({ geometry, name: props && (props.name || props.NAME) });
  const features = doc.type === "FeatureCollection" ? doc.features || [] : [doc];
  return features
    .map((f) => (f.type === "Feature" ? named(f.geometry, f.properties) : named(f, null)))
    .filter((p) => p.geometry && ["Polygon", "MultiPolygon"].includes(p.geometry.type));
}

export class GeofenceDraw {
  /** @param fences the GeofenceLayer, told while drawing so its popups stay shut */
  constructor(map, fences) {
    this.map = map;
    this.fences = fences;
    this.points = [];
    this.sketch = L.layerGroup().addTo(map);
    this.onKey = (ev) => ev.key === "Escape" && this.cancel();
    this.onClick = (ev) => this._add(ev.latlng.wrap());
    this.onMove = (ev) => this._rubber(ev.latlng.wrap());
    this.onDouble = (ev) => {
      L.DomEvent.stop(ev);
      this.finish();
    };
    const control = L.control({ position: "topleft" });
    control.onAdd = () => this._element();
    control.addTo(map);
  }

  _element() {
    const button = (text, testid, onClick) => {
      const b = el("button", { type: "button", class: "btn", "data-testid": testid, text });
      b.addEventListener("click", onClick);
      return b;
    };
    this.file = el("input", { type: "file", accept: ".geojson,.json,application/geo+json" });
    this.file.hidden = true;
    this.file.addEventListener("change", () => this._upload());
    this.startButton = button("Draw geofence", "geofence-draw", () => this.start());
    this.uploadButton = button("Upload", "geofence-upload", () => this.file.click());
    this.finishButton = button("Finish", "geofence-finish", () => this.finish());
    this.cancelButton = button("Cancel", "geofence-cancel", () => this.cancel());
    this.hint = el("div", { class: "geofence-hint", "data-testid": "geofence-hint", text: HINT });
    const errorAttrs = { class: "geofence-error", role: "alert", "data-testid": "geofence-error" };
    this.error = el("div", errorAttrs);
    this.error.hidden = true;
    const box = el(
      "div",
      { class: "geofence-control", "data-testid": "geofence-control" },
      el("div", { class: "geofence-buttons" }, [
        this.startButton,
        this.uploadButton,
        this.finishButton,
        this.cancelButton,
      ]),
      this.hint,
      this.error,
      this.file
    );
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    this._show(false);
    return box;
  }

  _show(drawing) {
    this.startButton.hidden = this.uploadButton.hidden = drawing;
    this.finishButton.hidden = this.cancelButton.hidden = this.hint.hidden = !drawing;
    this.finishButton.disabled = this.points.length < 3;
    this.map.getContainer().classList.toggle("geofence-drawing", drawing);
  }

  _say(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  start() {
    if (this.fences.drawing) return;
    this.fences.drawing = true;
    this.points = [];
    this._say("");
    this.map.closePopup();
    this.map.doubleClickZoom.disable();
    this.map.on({ click: this.onClick, mousemove: this.onMove, dblclick: this.onDouble });
    document.addEventListener("keydown", this.onKey);
    this._show(true);
  }

  cancel() {
    this.map.off({ click: this.onClick, mousemove: this.onMove, dblclick: this.onDouble });
    document.removeEventListener("keydown", this.onKey);
    window.setTimeout(() => this.map.doubleClickZoom.enable(), 0); // after this dblclick
    this.fences.drawing = false;
    this.points = [];
    this.sketch.clearLayers();
    this._show(false);
  }

  _add(latlng) {
    const last = this.points[this.points.length - 1];
    const px = (p) => this.map.latLngToContainerPoint(p);
    if (last && px(last).distanceTo(px(latlng)) < SAME_POINT_PX) return;
    this.points.push(latlng);
    this._redraw(null);
  }

  _rubber(latlng) {
    if (this.points.length) this._redraw(latlng);
  }

  _redraw(cursor) {
    this.sketch.clearLayers();
    const pts = this.points;
    if (pts.length > 2) this.sketch.addLayer(L.polygon(pts, { ...SKETCH, fillOpacity: 0.1 }));
    else if (pts.length > 1) this.sketch.addLayer(L.polyline(pts, SKETCH));
    if (cursor) this.sketch.addLayer(L.polyline([pts[pts.length - 1], cursor, pts[0]], RUBBER));
    for (const p of pts) {
      const vertex = { ...SKETCH, radius: 4, fillColor: "#0b0f14", fillOpacity: 1 };
      this.sketch.addLayer(L.circleMarker(p, { ...vertex, className: "geofence-vertex" }));
    }
    this.finishButton.disabled = pts.length < 3;
  }

  async finish() {
    if (this.points.length < 3) {
      this._say("A geofence needs at least 3 points");
      return;
    }
    const name = window.prompt("Name of the geofence", "");
    if (name === null) return; // back to drawing; Escape or Cancel leaves
    if (!name.trim()) {
      this._say("A geofence needs a name");
      return;
    }
    const ring = this.points.map((p) => [round(p.lng), round(p.lat)]);
    const problem = await save(name.trim(), { type: "Polygon", coordinates: [[...ring, ring[0]]] });
    if (problem) this._say(problem);
    else this.cancel(); // the bus brings the new fence to every wall, this one included
  }

  async _upload() {
    const file = this.file.files[0];
    this.file.value = "";
    if (!file) return;
    let found = [];
    try {
      found = polygonsIn(JSON.parse(await file.text()));
    } catch (err) {
      this._say(`${file.name}: not GeoJSON (${err.message})`);
      return;
    }
    if (!found.length) {
      this._say(`${file.name}: no Polygon or MultiPolygon in it`);
      return;
    }
    const base = file.name.replace(/\.(geo)?json$/i, "");
    const problems = [];
    for (const [i, { geometry, name }] of found.slice(0, 50).entries()) {
      const label = name || (found.length > 1 ? `${base} ${i + 1}` : base);
      const problem = await save(String(label).slice(0, 100), geometry);
      if (problem) problems.push(`${label}: ${problem}`);
    }
    this._say(problems.join("\n"));
  }
}

const round = (v) => Math.round(v * 1e7) / 1e7;
