// The video's edit page in the admin: while its renditions are waiting or being prepared, the
// status (and its progress bar) is fetched again every few seconds, until ready or failed.
(function () {
  "use strict";
  const INTERVAL = 3000;
  const busy = (element) => ["pending", "running"].includes(element.dataset.videoTranscode);

  function poll(element) {
    if (!busy(element)) return;
    window.setTimeout(() => {
      fetch(element.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
        .then((html) => {
          const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-video-transcode]");
          if (!fresh) return;
          element.replaceWith(fresh);
          poll(fresh);
        })
        .catch(() => poll(element));
    }, INTERVAL);
  }

  document.querySelectorAll("[data-video-transcode]").forEach(poll);
})();
