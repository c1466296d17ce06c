// "Being prepared" certificates: ask the server every few seconds and show the download links
// as soon as the worker has rendered the PDF, without a manual reload.
(function () {
  "use strict";
  const POLL_MS = 3000;
  const MAX_POLLS = 200;
  document.querySelectorAll("[data-certificate][data-status=pending]").forEach((item) => {
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
          if (pending) pending.hidden = true;
          const ready = item.querySelector("[data-ready]");
          if (ready) ready.hidden = false;
        })
        .catch(() => {});
    }, POLL_MS);
  });
})();
