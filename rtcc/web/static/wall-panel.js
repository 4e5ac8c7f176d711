// The side panel: open incidents (newest first) and the alert feed.
import { ageOf, el, fmtAge, fmtDistance, fmtTime, priorityColour, words } from "./wall-format.js";

const MAX_ALERTS = 200;
const NEW_ALERT_MS = 10_000;
const RULE_LABELS = {
  gunshot_nearby: "Gunshot",
  lpr_hotlist: "Hotlist hit (reader) to confirm",
  hotlist_match: "Hotlist hit to confirm",
  hotlist_hit_confirmed: "Confirmed hotlist hit",
  caller_in_geofence: "Caller in geofence",
};

const HIT_RULES = new Set(["lpr_hotlist", "hotlist_match", "hotlist_hit_confirmed"]);

function setEmpty(list) {
  const empty = document.querySelector(`[data-empty-for="${list.id}"]`);
  if (empty) empty.hidden = list.children.length > 0;
}

export class Panel {
  constructor({ onIncident, onAlert }) {
    this.incidentList = document.getElementById("incident-list");
    this.alertFeed = document.getElementById("alert-feed");
    this.incidentCount = document.getElementById("incident-count");
    this.alertCount = document.getElementById("alert-count");
    this.onIncident = onIncident;
    this.onAlert = onAlert;
    this.alerts = [];
    this.selectedAlertId = null;
  }

  // --- incidents ---------------------------------------------------------------------------

  /** Redraw the incident list from `incidents` (id → event); `since` gives each one's start. */
  renderIncidents(incidents, since) {
    const rows = [...incidents.values()].sort(
      (a, b) => since(b.payload.incident_id) - since(a.payload.incident_id)
    );
    this.incidentList.replaceChildren(...rows.map((e) => this._incidentItem(e, since)));
    this.incidentCount.textContent = String(rows.length);
    setEmpty(this.incidentList);
  }

  _incidentItem(event, since) {
    const p = event.payload;
    const prio = p.priority ?? 3;
    const started = new Date(since(p.incident_id)).toISOString();
    const li = el(
      "li",
      {
        class: `incident prio-${Math.min(prio, 4)}`,
        "data-testid": "incident-item",
        "data-incident-id": p.incident_id,
        tabindex: 0,
        title: p.description || "",
      },
      el("span", { class: "prio", style: `--c:${priorityColour(prio)}`, text: `P${prio}` }),
      el(
        "div",
        { class: "item-main" },
        el("div", { class: "incident-type", text: words(p.call_type) }),
        el("div", { class: "incident-address", text: p.address || "no address" }),
        p.units && p.units.length
          ? el("div", { class: "incident-units", text: `Units: ${p.units.join(", ")}` })
          : null
      ),
      el(
        "div",
        { class: "item-meta" },
        el("span", { class: `status status-${p.status}`, text: words(p.status) }),
        el("span", {
          class: "age",
          "data-since": started,
          title: `open since at least ${fmtTime(started)}`,
          text: fmtAge(ageOf(started)),
        })
      )
    );
    const open = () => this.onIncident(p.incident_id);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (ev) => ev.key === "Enter" && open());
    return li;
  }

  // --- alerts ------------------------------------------------------------------------------

  setAlerts(alerts) {
    this.alerts = alerts.slice(0, MAX_ALERTS);
    this.alertFeed.replaceChildren(...this.alerts.map((a) => this._alertItem(a, false)));
    this.selectedAlertId = null;
    this._afterAlerts();
  }

  addAlert(alert) {
    if (this.alerts.some((a) => a.id === alert.id)) return;
    this.alerts.unshift(alert);
    this.alertFeed.prepend(this._alertItem(alert, true));
    while (this.alerts.length > MAX_ALERTS) {
      this.alerts.pop();
      this.alertFeed.lastElementChild.remove();
    }
    this._afterAlerts();
  }

  _afterAlerts() {
    this.alertCount.textContent = String(this.alerts.length);
    setEmpty(this.alertFeed);
  }

  select(alertId) {
    this.selectedAlertId = alertId;
    for (const li of this.alertFeed.children) {
      li.classList.toggle("selected", li.dataset.alertId === alertId);
    }
  }

  _alertItem(alert, fresh) {
    const severity = ["critical", "warning"].includes(alert.severity) ? alert.severity : "info";
    const li = el(
      "li",
      {
        class: `alert alert-${severity}${fresh ? " is-new" : ""}`,
        "data-testid": "alert-item",
        "data-alert-id": alert.id,
        "data-rule": alert.rule,
        tabindex: 0,
      },
      alertHead(alert),
      el("div", { class: "alert-title", text: alert.title }),
      alertSummary(alert)
    );
    if (fresh) window.setTimeout(() => li.classList.remove("is-new"), NEW_ALERT_MS);
    const open = () => this.onAlert(alert);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (ev) => ev.key === "Enter" && open());
    return li;
  }

  /** Refresh every "age" label in place (no redraw). */
  tick() {
    for (const span of document.querySelectorAll(".panel .age[data-since]")) {
      span.textContent = fmtAge(ageOf(span.dataset.since));
    }
  }
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function alertHead(alert) {
  const at = alert.created_at;
  return el(
    "div",
    { class: "alert-head" },
    el("span", { class: "alert-rule", text: RULE_LABELS[alert.rule] || words(alert.rule) }),
    el("time", { class: "alert-time", datetime: at, text: fmtTime(at) }),
    el("span", { class: "age", "data-since": at, text: fmtAge(ageOf(at)) })
  );
}

/** The one line an analyst reads first: how many cameras see it, how many units are near. */
function alertCounts(alert, cams, units) {
  const d = alert.detail || {};
  if (HIT_RULES.has(alert.rule)) {
    // Hotlist hits carry `hits` (pending, wall-hits.js) or `hit` (confirmed).
    const h = d.hit || (d.hits || [])[0] || {};
    const plate = `${h.plate_read || "?"}${h.state_read ? ` ${h.state_read}` : ""}`;
    const where = ` on ${h.list_name || "hotlist"} · reader ${h.reader_id || "?"}`;
    return el(
      "div",
      { class: "alert-counts", "data-testid": "alert-counts" },
      el("b", { class: "plate", text: plate }),
      `${where} · ${plural(units.length, "unit")} near`
    );
  }
  if (alert.rule === "caller_in_geofence") {
    const accuracy = d.accuracy_m != null ? ` · ±${fmtDistance(d.accuracy_m)}` : "";
    const text = `Call ${d.call_id}${accuracy} · ${words(d.method || "")}`;
    return el("div", { class: "alert-counts", "data-testid": "alert-counts", text });
  }
  if (!("cameras" in d || "units" in d)) return null;
  const inView = cams.filter((c) => c.in_view).length;
  const cameras = `${plural(cams.length, "camera")} (${inView} in view)`;
  const reads = d.plate_reads ? ` · ${plural(d.plate_reads.length, "plate read")}` : "";
  const text = `${cameras}${reads} · ${plural(units.length, "unit")}`;
  return el("div", { class: "alert-counts", "data-testid": "alert-counts", text });
}

/** How a gunshot was placed: by the vendor, or by us from the sensors' arrival times. */
function locatedLine(d) {
  if (!d.location_method) return null;
  const how =
    d.location_method === "vendor" ? "Located by the vendor" : "Located from sensor times";
  const radius = d.uncertainty_m != null ? ` ±${fmtDistance(d.uncertainty_m)}` : "";
  const incident = d.incident && d.incident.id ? ` · incident ${d.incident.id}` : "";
  return el("div", {
    class: "alert-located",
    "data-testid": "alert-located",
    "data-method": d.location_method,
    text: `${how}${radius}${incident}`,
  });
}

function readChip(r) {
  return el("span", {
    class: "chip chip-read",
    "data-testid": "read-chip",
    "data-event-id": r.event_id,
    title: `${r.reader_id || "reader"} · ${fmtTime(r.occurred_at)} · ${fmtDistance(r.distance_m)}`,
    text: `${r.plate}${r.plate_state ? ` ${r.plate_state}` : ""}`,
  });
}

function cameraChip(c) {
  const seen = c.in_view ? " · in view" : "";
  return el("span", {
    class: `chip chip-camera${c.in_view ? " in-view" : ""}`,
    "data-camera-id": c.camera_id,
    title: `${c.name || c.camera_id} · ${fmtDistance(c.distance_m)}${seen}`,
    text: c.camera_id,
  });
}

function unitChip(u) {
  return el("span", {
    class: "chip chip-unit",
    "data-unit-id": u.unit_id,
    title: `${words(u.status)} · ${fmtDistance(u.distance_m)}`,
    text: u.unit_id,
  });
}

/** Counts, how it was located, then chips: cameras that can see it (green) or not (grey),
 * plate reads around it in time and place, and units near. */
function alertSummary(alert) {
  const d = alert.detail || {};
  const cams = d.cameras || [];
  const units = d.units || [];
  const cameraAttrs = { class: "chips alert-cameras", "data-testid": "alert-cameras" };
  const reads = d.plate_reads || [];
  const readAttrs = { class: "chips alert-reads", "data-testid": "alert-reads" };
  return [
    alertCounts(alert, cams, units),
    locatedLine(d),
    cams.length ? el("div", cameraAttrs, cams.map(cameraChip)) : null,
    reads.length ? el("div", readAttrs, reads.map(readChip)) : null,
    units.length ? el("div", { class: "chips alert-units" }, units.map(unitChip)) : null,
  ];
}
