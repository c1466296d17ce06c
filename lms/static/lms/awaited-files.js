// Files a worker is still making (certificate and record-book PDFs): each element with
// data-awaits-file and data-status="pending" asks its data-status-url every few seconds and, once
// the file is there, hides its [data-pending] part and shows its [data-ready] part, without a
// manual reload. A failure reloads the page, whose server-side text says what to do.
(function () {
  "use strict";
  const POLL_MS = 3000;
  const MAX_POLLS = 200;
  document.querySelectorAll("[data-awaits-file][data-status=pending]").forEach((item) => {
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
          if (data.status === "failed") { window.location.reload(); return; }
          const pending = item.querySelector("[data-pending]");
          if (pending) pending.hidden = true;
          const ready = item.querySelector("[data-ready]");
          if (ready) ready.hidden = false;
        })
        .catch(() => {});
    }, POLL_MS);
  });
})();
