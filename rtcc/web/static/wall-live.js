// The live websocket: connect, watch heartbeats, reconnect with backoff, hand messages on.

const MAX_BACKOFF_S = 15;

export class LiveConnection {
  /**
   * @param {object} opts
   * @param {(msg: object) => void} opts.onMessage  every parsed message, in order
   * @param {(status: string, detail: string) => void} opts.onStatus
   *   called with "connecting" | "live" | "reconnecting" and a human-readable detail
   * @param {number} [opts.heartbeatS]  the server's heartbeat interval; 3 missed = dead link
   */
  constructor({ onMessage, onStatus, heartbeatS = 5, path = "/api/v1/live" }) {
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.silenceLimitMs = 3 * heartbeatS * 1000;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    // batch=1: several messages waiting on the server come as one frame, a JSON array.
    this.url = `${scheme}//${window.location.host}${path}?batch=1`;
    this.ws = null;
    this.status = "connecting";
    this.backoffS = 1;
    this.retryTimer = null;
    this.hold = false;
    this.lastMessageAt = 0;
    this.connects = 0;
    this.messages = 0;
  }

  start() {
    this._open();
    window.setInterval(() => this._watchdog(), 1000);
  }

  /** Close the current socket as if the link died (test hook). `hold` stops reconnecting. */
  drop({ hold = false } = {}) {
    this.hold = hold;
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    ws.close(4000, "dropped by the client");
    this._lost(4000, true, "connection dropped");
  }

  /** Reconnect now, skipping any backoff still pending. */
  reconnectNow() {
    this.hold = false;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.ws) this._open();
  }

  _setStatus(status, detail = "") {
    this.status = status;
    this.onStatus(status, detail);
  }

  _open() {
    this.retryTimer = null;
    this.lastMessageAt = Date.now();
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      opened = true;
    });
    ws.addEventListener("message", (ev) => {
      if (ws !== this.ws) return; // a socket we already gave up on
      this.lastMessageAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        console.warn("rtcc: ignoring a malformed live message");
        return;
      }
      if (this.status !== "live") {
        this.connects += 1;
        this.backoffS = 1;
        this._setStatus("live", "connected");
      }
      for (const msg of Array.isArray(frame) ? frame : [frame]) {
        this.messages += 1;
        this.onMessage(msg);
        // Panels in their own modules (wall-hits.js) listen without wall.js knowing them.
        window.dispatchEvent(new CustomEvent("rtcc:live", { detail: msg }));
      }
    });
    ws.addEventListener("close", (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this._lost(ev.code, opened, ev.reason || `closed (${ev.code})`);
    });
  }

  _watchdog() {
    if (this.ws && Date.now() - this.lastMessageAt > this.silenceLimitMs) {
      const ws = this.ws;
      this.ws = null;
      ws.close(4001, "no heartbeat");
      this._lost(4001, true, "no heartbeat from the server");
    }
  }

  async _lost(code, opened, detail) {
    if (code === 1008 || (!opened && (await this._loggedOut()))) {
      window.location.assign("/login?next=/");
      return;
    }
    const delay = this.backoffS;
    this.backoffS = Math.min(this.backoffS * 2, MAX_BACKOFF_S);
    this._setStatus("reconnecting", `${detail}; retrying in ${delay} s`);
    if (!this.hold) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = window.setTimeout(() => this._open(), delay * 1000);
    }
  }

  /**
   * The server closes refused sockets with 1008, but a proxy or a server that is
   * restarting may only give 1006: then ask directly whether the session is still valid.
   */
  async _loggedOut() {
    try {
      const response = await fetch("/api/v1/auth/me", { credentials: "same-origin" });
      return response.status === 401;
    } catch {
      return false; // server unreachable: keep retrying
    }
  }
}
