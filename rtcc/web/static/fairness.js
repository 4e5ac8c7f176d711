// The public fairness map: neighbourhoods coloured by the chosen measure, and a what-if
// for proposed cameras (click the map to place them). Reads only the public JSON.

const COLOURS = ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"];
const MAX_PROPOSED = 50;

function classes(values) {
  const known = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (known.length === 0) return [];
  const steps = COLOURS.length - 1;
  const breaks = [];
  for (let i = 1; i <= steps; i += 1) {
    breaks.push(known[Math.min(known.length - 1, Math.floor((i * known.length) / (steps + 1)))]);
  }
  return breaks;
}

function colourFor(value, breaks) {
  if (value === null || value === undefined) return "#cccccc";
  let index = 0;
  while (index < breaks.length && value > breaks[index]) index += 1;
  return COLOURS[Math.min(index, COLOURS.length - 1)];
}

function drawLegend(element, breaks) {
  element.replaceChildren();
  const stops = [0, ...breaks];
  stops.forEach((from, i) => {
    const swatch = document.createElement("span");
    swatch.style.background = COLOURS[i];
    swatch.title = i < breaks.length ? `${from} – ${breaks[i]}` : `> ${from}`;
    element.append(swatch);
  });
  const label = document.createElement("em");
  label.textContent = breaks.length ? `0 … ${breaks[breaks.length - 1]}+` : "no data";
  element.append(label);
}

function cell(row, text, header = false) {
  const td = document.createElement(header ? "th" : "td");
  td.textContent = text === null || text === undefined ? "–" : String(text);
  row.append(td);
}

function table(headings, rows) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  headings.forEach((h) => cell(head, h, true));
  const body = t.createTBody();
  rows.forEach((values) => {
    const tr = body.insertRow();
    values.forEach((v, i) => cell(tr, v, i === 0));
  });
  return t;
}

function showWhatIf(container, result) {
  container.replaceChildren();
  const summary = document.createElement("p");
  summary.dataset.testid = "whatif-summary";
  summary.textContent =
    `${result.proposed} proposed (${result.proposed_outside_areas} outside every area); ` +
    `city sensors per 1,000: ${result.city_sensors_per_1000_before} → ${result.city_sensors_per_1000_after}`;
  container.append(summary);
  const areas = table(
    ["Neighbourhood", "Sensors", "→", "per 1,000", "→"],
    result.areas_changed.map((a) => [
      a.name, a.sensors_before, a.sensors_after, a.sensors_per_1000_before, a.sensors_per_1000_after,
    ]),
  );
  areas.dataset.testid = "whatif-areas";
  container.append(areas);
  container.append(
    table(
      ["Group", "Ratio to city", "→"],
      result.groups.map((g) => [g.group, g.sensor_ratio_to_city_before, g.sensor_ratio_to_city_after]),
    ),
  );
}

async function main() {
  const mapElement = document.getElementById("fairness-map");
  if (!mapElement) return;
  const query = new URLSearchParams({ since: mapElement.dataset.since, until: mapElement.dataset.until });
  const response = await fetch(`/api/v1/public/fairness?${query}`);
  const report = await response.json();
  const L = window.L;
  const map = L.map(mapElement, { zoomSnap: 0.25 });
  const features = report.areas.features;
  const layer = L.geoJSON(report.areas, {
    style: () => ({ color: "#333", weight: 1, fillOpacity: 0.75 }),
    onEachFeature: (feature, path) => {
      const p = feature.properties;
      path.bindTooltip(
        `${p.name}: ${p.sensors} sensors (${p.sensors_per_1000 ?? "–"} per 1,000), ` +
          `${p.alerts} alerts (${p.alerts_per_1000 ?? "–"} per 1,000)`,
      );
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds());

  const measure = document.getElementById("measure");
  const legend = document.getElementById("legend");
  function paint() {
    const key = measure.value;
    const breaks = classes(features.map((f) => f.properties[key]));
    layer.setStyle((feature) => ({ fillColor: colourFor(feature.properties[key], breaks) }));
    drawLegend(legend, breaks);
  }
  measure.addEventListener("change", paint);
  paint();
  mapElement.dataset.areasDrawn = String(layer.getLayers().length);

  const proposed = [];
  const markers = L.layerGroup().addTo(map);
  const list = document.getElementById("proposed");
  const error = document.getElementById("whatif-error");
  const result = document.getElementById("whatif-result");
  map.on("click", (event) => {
    if (proposed.length >= MAX_PROPOSED) return;
    const lat = Number(event.latlng.lat.toFixed(6));
    const lon = Number(event.latlng.lng.toFixed(6));
    proposed.push({ lat, lon, camera_type: "fixed" });
    L.circleMarker([lat, lon], { radius: 6, color: "#b00020" }).addTo(markers);
    const item = document.createElement("li");
    item.textContent = `${lat}, ${lon}`;
    list.append(item);
  });
  document.getElementById("whatif-clear").addEventListener("click", () => {
    proposed.length = 0;
    markers.clearLayers();
    list.replaceChildren();
    result.replaceChildren();
    error.hidden = true;
  });
  document.getElementById("whatif-run").addEventListener("click", async () => {
    error.hidden = true;
    const answer = await fetch("/api/v1/public/fairness/what-if", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ cameras: proposed }),
    });
    const body = await answer.json();
    if (!answer.ok) {
      const first = body.detail?.[0];
      error.textContent = first ? `${first.loc.slice(1).join(".")}: ${first.msg}` : body.error?.message;
      error.hidden = false;
      return;
    }
    showWhatIf(result, body);
  });
}

window.addEventListener("load", () => {
  main();
});
