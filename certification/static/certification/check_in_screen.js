// The coordinator's check-in screen: fetches the next QR code as each one's 15-second slot
// ends, so the code on the screen is always the current one. Without this script the page
// shows the code it was rendered with; reloading the page shows a fresh one.
(function () {
  "use strict";
  const screen = document.querySelector(".check-in-screen");
  if (!screen) return;
  const holder = screen.querySelector(".check-in-screen__code");
  const status = screen.querySelector(".check-in-screen__status");
  const RETRY_MS = 3000;
  // A moment past the slot's end, so the server's clock is surely in the next slot.
  const MARGIN_MS = 300;

  function show(code) {
    const svg = new DOMParser().parseFromString(code.svg, "image/svg+xml").documentElement;
    holder.replaceChildren(document.importNode(svg, true));
    screen.dataset.checkInUrl = code.url;
    status.textContent = "";
  }

  function next(delayMs) {
    window.setTimeout(refresh, Math.max(delayMs, 0) + MARGIN_MS);
  }

  function refresh() {
    fetch(screen.dataset.codeUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then((code) => {
        show(code);
        next(code.seconds_left * 1000);
      })
      .catch(() => {
        status.textContent = screen.dataset.offline || "";
        next(RETRY_MS);
      });
  }

  next(parseFloat(screen.dataset.secondsLeft || "15") * 1000);
})();
