// Record book PDFs "being prepared": ask the server every few seconds and show the download as
// soon as the worker has made the PDF, without a manual reload (the page says to refresh without
// JavaScript).
(function () {
  "use strict";
  const POLL_MS = 3000;
  const MAX_POLLS = 200;
  document.querySelectorAll("[data-record-book-pdf][data-status=pending]").forEach((item) => {
    let polls = 0;
    const timer = setInterval(() => {
      polls += 1;
      if (polls > MAX_POLLS) { clearInterval(timer); return; }
      fetch(item.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          if (!data || data.status === "pending") return;
          clearInterval(timer);
          item.dataset.status = data.status;
          const pending = item.querySelector("[data-pending]");
          if (data.status === "ready") {
            if (pending) pending.hidden = true;
            const ready = item.querySelector("[data-ready]");
            if (ready) ready.hidden = false;
          } else if (pending) {
            window.location.reload();  // failed: the server's page says what to do
          }
        })
        .catch(() => {});
    }, POLL_MS);
  });
  // A share link's address is selected whole on focus, ready to copy.
  document.querySelectorAll(".record-book__url").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
})();
