// Map controls: the layer switcher, the scale and the colour legend.
/* global L */
import {
  CAMERA_STATUS_COLOURS,
  UNIT_STATUS_COLOURS,
  el,
  humanize,
  priorityColour,
} from "./wall-format.js";

function swatch(colour, label, shape = "dot") {
  return `<span class="lc-swatch lc-${shape}" style="--c:${colour}"></span>${label}`;
}

const layerControls = new WeakMap(); // map → its layer switcher
const legends = new WeakMap(); // map → the legend's columns

export function addControls(map, layers) {
  const overlays = {
    [swatch("#3ddc84", "Units")]: layers.units,
    [swatch("#4cc9f0", "Cameras", "square")]: layers.cameras,
    [swatch("#ff9f43", "Incidents", "diamond")]: layers.incidents,
    [swatch("#c77dff", "911 callers")]: layers.calls,
    [swatch("#9db4c8", "Plate reads")]: layers.lpr,
    [swatch("#ff3b3b", "Gunshots")]: layers.gunshots,
    [swatch("#3ddc84", "Alert links", "line")]: layers.links,
    [swatch("#5b6b7d", "Streets", "line")]: layers.streets,
    [swatch("#2a3a4d", "Districts", "square")]: layers.districts,
  };
  const narrow = window.matchMedia("(max-width: 800px)").matches;
  const switcher = L.control.layers(null, overlays, { collapsed: narrow, position: "topright" });
  layerControls.set(map, switcher.addTo(map));
  L.control.scale({ imperial: true, metric: true, position: "bottomright" }).addTo(map);
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => legendElement(map, !narrow);
  legend.addTo(map);
}

function row(cls, colour, label) {
  return el("li", {}, el("span", { class: `lg-sym ${cls}`, style: `--c:${colour}` }), label);
}

function column(title, rows) {
  return el("div", {}, el("h3", { text: title }), el("ul", {}, rows));
}

/** Drones / DFR: its switcher entry and legend column, once docks are known to this user. */
export function addDfrControls(map, layer) {
  layerControls.get(map)?.addOverlay(layer, swatch("#9fd3ff", "Drones / DFR", "square"));
  const cols = legends.get(map);
  if (!cols) return;
  const zone = (cls, colour, label) => row(`lg-zone ${cls}`, colour, label);
  cols.append(
    column("Drones / DFR", [
      row("lg-dock", "#9fd3ff", "Dock"),
      zone("lg-nofly", "#ff4d4f", "No-fly zone"),
      zone("lg-auth", "#ffb020", "Authorization"),
      row("lg-line lg-dashed", "#9fd3ff", "Dock → incident"),
    ])
  );
}

function legendElement(map, open) {
  const units = Object.entries(UNIT_STATUS_COLOURS).map(([status, colour]) =>
    row("lg-dot", colour, humanize(status))
  );
  const incidents = [1, 2, 3, 4].map((p) =>
    row("lg-diamond", priorityColour(p), p < 4 ? `Priority ${p}` : "Priority 4+")
  );
  const sensors = [
    row("lg-cam", CAMERA_STATUS_COLOURS.online, "Camera and view"),
    row("lg-cam", CAMERA_STATUS_COLOURS.offline, "Camera offline"),
    row("lg-dot lg-small", "#9db4c8", "Plate read"),
    row("lg-dot lg-ring", "#ff2e88", "Hotlist hit"),
    row("lg-dot lg-ring", "#c77dff", "911 caller"),
    row("lg-dot lg-pulse", "#ff3b3b", "Gunshot"),
  ];
  const cols = el(
    "div",
    { class: "legend-cols" },
    column("Units", units),
    column("Incidents", incidents),
    column("Sensors", sensors)
  );
  legends.set(map, cols);
  const details = el(
    "details",
    { class: "legend", "data-testid": "legend" },
    el("summary", { text: "Legend" }),
    cols
  );
  details.open = open;
  L.DomEvent.disableClickPropagation(details);
  L.DomEvent.disableScrollPropagation(details);
  return details;
}
