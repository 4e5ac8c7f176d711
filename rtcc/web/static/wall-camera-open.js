// Opening a camera: the map knows where cameras look, not how to open them. The stream
// address comes from GET /api/v1/cameras/{id}/stream, decided (role and camera group)
// and audited on the server; a refusal is shown with its reason.
import { el } from "./wall-format.js";

export function openStreamButton(cameraId) {
  const result = el("div", { class: "stream-result", "data-testid": "stream-result" });
  const button = el("button", {
    type: "button",
    class: "btn",
    "data-testid": "open-stream",
    text: "Open stream",
  });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const response = await fetch(`/api/v1/cameras/${encodeURIComponent(cameraId)}/stream`);
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      result.replaceChildren(
        el("a", { href: answer.stream_url, target: "_blank", rel: "noopener", text: answer.stream_url })
      );
    } else {
      result.textContent = answer.error?.message || `refused (${response.status})`;
    }
    button.disabled = false;
  });
  return el("div", { class: "popup-actions" }, button, result);
}
