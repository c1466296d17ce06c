// Offline support in every page: registers the service worker (/sw.js), shows the "offline"
// banner, sends the queue of offline actions when the connection returns (and on every page
// load), and shows the results that came back (a graded quiz, with a link to its result).
// Forms marked data-queue-offline (e.g. "I have read this lesson") are queued when offline.
(function () {
  "use strict";
  const body = document.body;
  const banner = document.querySelector("[data-offline-banner]");
  const results = document.querySelector("[data-offline-results]");
  const queue = window.KomekQueue;
  const user = body.dataset.userKey || "";

  function isOffline() {
    return navigator.onLine === false || body.hasAttribute("data-offline-copy");
  }
  window.komekIsOffline = isOffline;

  function showState() {
    const offline = navigator.onLine === false || (body.hasAttribute("data-offline-copy") && !window.komekBackOnline);
    if (banner) banner.hidden = !offline;
    document.querySelectorAll("[data-needs-connection]").forEach((notice) => { notice.hidden = !offline; });
  }

  function showResults() {
    if (!queue || !results) return Promise.resolve();
    return queue.results().then((entries) => {
      entries.forEach((entry) => {
        if (results.querySelector('[data-result-id="' + entry.id + '"]')) return;
        const notice = document.createElement("p");
        notice.className = "notice";
        notice.dataset.resultId = entry.id;
        notice.textContent = (entry.body && (entry.body.message || entry.body.error)) || results.dataset.sent;
        if (entry.body && (entry.body.result_url || entry.body.attempt_url)) {
          const link = document.createElement("a");
          link.href = entry.body.result_url || entry.body.attempt_url;
          link.textContent = results.dataset.seeResult;
          notice.append(" ", link);
        }
        results.append(notice);
        queue.forgetResult(entry.id);
      });
    });
  }

  function flush() {
    if (!queue || navigator.onLine === false) return Promise.resolve([]);
    return queue.flush().then((sent) => { if (sent.length) showResults(); return sent; }).catch(() => []);
  }
  window.komekFlushQueue = flush;

  // Another learner on this device: what the previous one stored is not theirs to read.
  function forgetOtherLearner() {
    const previous = localStorage.getItem("komek-user");
    localStorage.setItem("komek-user", user);
    if (previous === null || previous === user || !window.caches) return Promise.resolve();
    return caches.keys().then((names) => Promise.all(
      names.filter((name) => name === "komek-pages" || name.startsWith("komek-course-"))
        .map((name) => caches.delete(name))
    ));
  }

  // A stored form answers offline: "I have read this lesson" is queued and marked done here.
  document.querySelectorAll("form[data-queue-offline]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!queue || navigator.onLine !== false) return;
      event.preventDefault();
      queue.add({ url: form.action, kind: form.dataset.queueOffline, fields: [...new FormData(form).entries()] })
        .then(() => {
          const done = document.querySelector(form.dataset.queuedShow);
          if (done) done.hidden = false;
          form.hidden = true;
        });
    });
  });

  window.addEventListener("online", () => { window.komekBackOnline = true; showState(); flush(); });
  window.addEventListener("offline", () => { window.komekBackOnline = false; showState(); });
  showState();

  // Who is signed in is known only from a page the server just sent: the offline page (stored
  // at install, for nobody) and stored copies (for whoever stored them) say nothing about it.
  const knowsUser = body.hasAttribute("data-user-key") && !body.hasAttribute("data-offline-copy");
  Promise.resolve(queue && knowsUser ? queue.setUser(user) : null)
    .then(() => (knowsUser ? forgetOtherLearner() : null))
    .then(showResults)
    .then(flush)
    .catch(() => {});

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
})();
