// Sign-in form: POST JSON credentials; the server answers with an HttpOnly session cookie.
"use strict";

(() => {
  const form = document.getElementById("login-form");
  const errorBox = document.getElementById("login-error");
  const button = document.getElementById("login-button");

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

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch {
      /* not JSON: fall through */
    }
    return `Sign-in failed (HTTP ${response.status}).`;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errorBox.hidden = true;
    const username = document.getElementById("username").value.trim();
    const password = document.getElementById("password").value;
    if (!username || !password) {
      showError("Enter your username and password.");
      return;
    }
    button.disabled = true;
    try {
      const response = await fetch("/api/v1/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (response.ok) {
        window.location.assign(nextPath());
        return;
      }
      showError(await errorMessage(response));
    } catch {
      showError("Cannot reach the server. Check the network and try again.");
    } finally {
      button.disabled = false;
    }
  });
})();
