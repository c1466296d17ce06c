// Video progress: reports the ranges the browser really played (video.played), so seeking ahead
// earns nothing; resumes from the last position. The server merges and checks every report.
// Offline, the video plays the file stored by "Download for offline" (data-offline-src), and
// reports are queued (lms/offline-queue.js) with the moment they were made and the page's signed
// clock; the server caps what a burst of them earns by the real time that passed.
(function () {
  "use strict";
  const lesson = document.querySelector("[data-progress-url]");
  if (!lesson) return;
  const url = lesson.dataset.progressUrl;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] ||
    (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
  const REPORT_EVERY_MS = 10000;
  const offline = window.komekIsOffline ? window.komekIsOffline() : navigator.onLine === false;

  if (offline) {
    // Before the adaptive player (video-player.js) looks: no playlist can load without a network.
    document.querySelectorAll("[data-video-block][data-offline-src]").forEach((figure) => {
      const video = figure.querySelector("video");
      if (!video || !figure.dataset.offlineSrc) return;
      figure.removeAttribute("data-hls");
      video.querySelectorAll("source").forEach((source) => source.remove());
      video.preload = "metadata";
      video.src = figure.dataset.offlineSrc;
      figure.dataset.player = "offline";
    });
  }

  function queue(report) {
    if (!window.KomekQueue) return;
    window.KomekQueue.add({
      url,
      kind: "video_progress",
      json: Object.assign(report, { recorded_at: Date.now(), page_clock: lesson.dataset.pageClock }),
    }).catch(() => {});
  }

  function playedRanges(video) {
    const ranges = [];
    for (let i = 0; i < video.played.length; i += 1) {
      ranges.push([video.played.start(i), video.played.end(i)]);
    }
    return ranges;
  }

  function show(figure, state) {
    const bar = figure.querySelector("[data-watched-bar]");
    const label = figure.querySelector("[data-watched-label]");
    const share = Math.round(state.watched * 100);
    if (bar) bar.style.width = share + "%";
    if (label) label.textContent = label.textContent.replace(/\d+%/, share + "%");
    if (state.lesson_completed) {
      const done = document.querySelector("[data-lesson-done]");
      const hint = document.querySelector("[data-video-hint]");
      if (done) done.hidden = false;
      if (hint) hint.hidden = true;
      document.querySelectorAll(".outline__item--current").forEach((item) => {
        item.classList.add("outline__item--done");
      });
    }
  }

  function report(figure, video, leaving) {
    if (!video.duration || !isFinite(video.duration)) return;
    const state = {
      block_id: figure.dataset.videoBlock,
      duration: video.duration,
      position: video.currentTime,
      intervals: playedRanges(video),
    };
    if (navigator.onLine === false) {
      queue(state);
      return;
    }
    const body = JSON.stringify(state);
    fetch(url, {
      method: "POST",
      keepalive: leaving,  // lets the last report finish when the page is closed
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body,
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => { if (answer) show(figure, answer); })
      .catch(() => queue(state));  // no network after all: sent later
  }

  document.querySelectorAll("[data-video-block]").forEach((figure) => {
    const video = figure.querySelector("video");
    if (!video) return;
    let timer = null;
    const resume = parseFloat(figure.dataset.resume || "0");
    video.addEventListener("loadedmetadata", () => {
      if (resume > 1 && resume < video.duration - 2) video.currentTime = resume;
    });
    video.addEventListener("play", () => {
      report(figure, video, false);
      if (!timer) timer = setInterval(() => report(figure, video, false), REPORT_EVERY_MS);
    });
    const stop = () => { clearInterval(timer); timer = null; report(figure, video, false); };
    video.addEventListener("pause", stop);
    video.addEventListener("ended", stop);
    window.addEventListener("pagehide", () => report(figure, video, true));
  });
})();
