// "Download for offline" on a course page: asks the server what the copy holds (its lesson and
// quiz pages, images, captions and the small video files) and its size, shows the size first,
// then stores everything in Cache Storage with a progress bar; "Delete offline copy" frees it.
// The service worker (/sw.js) answers from this cache when there is no connection.
(function () {
  "use strict";
  const panel = document.querySelector("[data-offline-panel]");
  if (!panel || !window.caches || !("serviceWorker" in navigator)) return;
  const $ = (name) => panel.querySelector("[data-offline-" + name + "]");
  const status = $("status");
  const progress = $("progress");
  const buttons = { download: $("download"), confirm: $("confirm"), cancel: $("cancel"), remove: $("delete") };
  const cacheName = "komek-course-" + panel.dataset.course;
  // A note of what is stored, kept beside the copy (no page of the site has this address).
  const noteUrl = "/offline-copies/" + panel.dataset.course + ".json";
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1];
  let plan = null;

  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));

  // Dates and decimals as the server writes them (CLDR via Babel): see offline_copy_formats.
  const formats = JSON.parse(panel.dataset.formats);

  function size(bytes) {
    const megabytes = bytes / (1024 * 1024);
    if (megabytes >= 0.1) {
      const n = String(Math.round(megabytes * 10) / 10).replace(".", formats.decimal);
      return fill(panel.dataset.megabytes, { n });
    }
    return fill(panel.dataset.kilobytes, { n: String(Math.max(1, Math.round(bytes / 1024))) });
  }

  function when(timestamp) {
    const moment = new Date(timestamp);
    const day = formats.dates[moment.getMonth()].replace("2000", String(moment.getFullYear()))
      .replace("15", String(moment.getDate()));
    const time = String(moment.getHours()).padStart(2, "0") + ":" + String(moment.getMinutes()).padStart(2, "0");
    return day + ", " + time;
  }

  function show(state) {
    buttons.download.hidden = state !== "none";
    buttons.confirm.hidden = buttons.cancel.hidden = state !== "asking";
    buttons.remove.hidden = state !== "stored";
    progress.hidden = state !== "downloading";
  }

  function showStored(note) {
    status.textContent = fill(panel.dataset.stored, { date: when(note.stored_at), size: size(note.bytes) });
    show("stored");
  }

  function storedNote() {
    return caches.open(cacheName)
      .then((cache) => cache.match(noteUrl))
      .then((response) => (response ? response.json() : null));
  }

  // The first request only measures the copy; the second, once the learner confirms, starts the
  // untimed quizzes' attempts the copy holds (see courses.views.offline_package).
  function plan_request(confirm) {
    return fetch(panel.dataset.packageUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
      body: confirm ? new URLSearchParams({ confirm: "1" }) : undefined,
    }).then((response) => response.json().then((data) => ({ ok: response.ok, data })));
  }

  function ask() {
    buttons.download.disabled = true;
    plan_request(false)
      .then(({ ok, data }) => {
        buttons.download.disabled = false;
        if (!ok) { status.textContent = data.error; return; }
        plan = data;
        status.textContent = fill(panel.dataset.sizeQuestion, { size: size(plan.bytes) });
        const timed = $("timed");
        if (plan.timed_quizzes.length) {
          timed.textContent = fill(panel.dataset.timed, { titles: plan.timed_quizzes.join(", ") });
          timed.hidden = false;
        }
        show("asking");
        buttons.confirm.focus();
      })
      .catch(() => { buttons.download.disabled = false; status.textContent = panel.dataset.failed; });
  }

  async function download() {
    buttons.confirm.disabled = true;
    try {
      const { ok, data } = await plan_request(true);
      if (!ok) { status.textContent = data.error; show("none"); return; }
      plan = data;
    } catch (error) {
      status.textContent = panel.dataset.failed;
      return;
    } finally {
      buttons.confirm.disabled = false;
    }
    const entries = [...plan.pages, ...plan.files];
    const total = Math.max(1, entries.reduce((sum, entry) => sum + (entry.bytes || 0), 0));
    let done = 0;
    show("downloading");
    const report = () => {
      const percent = Math.min(100, Math.round((100 * done) / total));
      progress.value = percent;
      status.textContent = fill(panel.dataset.downloading, { percent: fill(formats.percent, { n: String(percent) }) });
    };
    report();
    const cache = await caches.open(cacheName);
    try {
      for (const entry of entries) {
        const url = new URL(entry.url, location.href);
        const own = url.origin === location.origin;
        // Uploads at the object storage are read with CORS (its rules allow this site) and kept
        // without their signature, as the service worker looks them up (see sw.js storageKey).
        const response = await fetch(url, own
          ? { credentials: "same-origin", cache: "no-store" }
          : { mode: "cors", credentials: "omit", cache: "no-store" });
        if (!response.ok || response.redirected) throw new Error(entry.url);
        await cache.put(own ? entry.url : url.origin + url.pathname, response);
        done += entry.bytes || 0;
        report();
      }
      const note = { stored_at: Date.now(), bytes: plan.bytes, urls: entries.map((entry) => entry.url) };
      await cache.put(noteUrl, new Response(JSON.stringify(note), { headers: { "Content-Type": "application/json" } }));
      showStored(note);
    } catch (error) {
      await caches.delete(cacheName);
      status.textContent = panel.dataset.failed;
      show("none");
    }
  }

  function remove() {
    caches.delete(cacheName).then(() => {
      status.textContent = panel.dataset.deleted;
      show("none");
      buttons.download.focus();
    });
  }

  buttons.download.addEventListener("click", ask);
  buttons.confirm.addEventListener("click", download);
  buttons.cancel.addEventListener("click", () => { plan = null; show("none"); status.textContent = ""; $("timed").hidden = true; });
  buttons.remove.addEventListener("click", remove);

  panel.hidden = false;
  storedNote().then((note) => (note ? showStored(note) : show("none"))).catch(() => show("none"));
})();
