// Sign-in form: POST JSON credentials; the server answers with an HttpOnly session cookie.
"use strict";

(() => {
  const form = document.getElementById("login-form");
  const errorBox = document.getElementById("login-error");
  const button = document.getElementById("login-button");
  const otpRow = document.getElementById("otp-row");
  const otpInput = document.getElementById("otp");

  /** The `next` query parameter if it is a path on this site, else "/". */
  function nextPath() {
    const next = new URLSearchParams(window.location.search).get("next");
    if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
      return "/";
    }
    try {
      const url = new URL(next, window.location.origin);
      return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
    } catch {
      return "/";
    }
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  /** The server's {field, reason, message} refusal, or a generic one. */
  async function refusal(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return body.error;
    } catch {
      /* not JSON: fall through */
    }
    return { reason: "", message: `Sign-in failed (HTTP ${response.status}).` };
  }

  /** The server wants a one-time code: show its input (only then) and put the cursor in it. */
  function askForCode() {
    otpRow.hidden = false;
    otpInput.required = true;
    otpInput.focus();
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errorBox.hidden = true;
    const username = document.getElementById("username").value.trim();
    const password = document.getElementById("password").value;
    const otp = otpRow.hidden ? "" : otpInput.value.trim();
    if (!username || !password) {
      showError("Enter your username and password.");
      return;
    }
    if (!otpRow.hidden && !/^[0-9]{6}$/.test(otp)) {
      showError("Enter the 6-digit code from your authenticator app.");
      return;
    }
    button.disabled = true;
    try {
      const response = await fetch("/api/v1/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(otp ? { username, password, otp } : { username, password }),
      });
      if (response.ok) {
        window.location.assign(nextPath());
        return;
      }
      const error = await refusal(response);
      if (error.reason === "otp_required" || error.reason === "otp_invalid") askForCode();
      if (error.reason === "otp_invalid") otpInput.value = "";
      showError(error.message);
    } catch {
      showError("Cannot reach the server. Check the network and try again.");
    } finally {
      button.disabled = false;
    }
  });
})();
