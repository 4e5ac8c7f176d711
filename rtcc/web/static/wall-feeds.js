// The feeds strip: each configured source with its health, updated live.
import { el } from "./wall-format.js";

const HEALTH_TITLES = {
  ok: "sending normally",
  recovered: "sending again after an outage",
  degraded: "quieter than its heartbeat",
  unavailable: "silent for two heartbeats",
};

export class FeedList {
  constructor() {
    this.section = document.getElementById("feeds-section");
    this.list = document.getElementById("feed-list");
    this.problems = document.getElementById("feed-problems");
    this.feeds = new Map(); // name → {name, adapter, health, reason}
  }

  /** Replace everything with the snapshot's `sources` list. */
  setAll(sources) {
    this.feeds = new Map((sources || []).map((s) => [s.name, { ...s, reason: "" }]));
    this.render();
  }

  /** A `source_health` message: one feed changed state. */
  change(msg) {
    const feed = this.feeds.get(msg.source) || { name: msg.source, adapter: "" };
    this.feeds.set(msg.source, { ...feed, health: msg.state, reason: msg.reason });
    this.render();
  }

  render() {
    const rows = [...this.feeds.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.section.hidden = rows.length === 0;
    this.list.replaceChildren(
      ...rows.map((f) =>
        el(
          "li",
          {
            class: `feed health-${f.health}`,
            "data-testid": "feed-item",
            "data-source": f.name,
            "data-health": f.health,
            title: `${f.adapter} · ${HEALTH_TITLES[f.health] || f.health}${f.reason ? ` (${f.reason})` : ""}`,
          },
          el("span", { class: "feed-dot", "aria-hidden": "true" }),
          el("span", { class: "feed-name", text: f.name }),
          el("span", { class: "feed-state", text: f.health })
        )
      )
    );
    const bad = rows.filter((f) => f.health === "degraded" || f.health === "unavailable");
    this.problems.textContent = String(bad.length);
    this.problems.classList.toggle("count-bad", bad.length > 0);
  }
}
