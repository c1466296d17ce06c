// Video progress: reports the ranges the browser really played (video.played), so seeking ahead
// earns nothing; resumes from the last position. The server merges and checks every report.
(function () {
  "use strict";
  const lesson = document.querySelector("[data-progress-url]");
  if (!lesson) return;
  const url = lesson.dataset.progressUrl;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] ||
    (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
  const REPORT_EVERY_MS = 10000;

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
    const body = JSON.stringify({
      block_id: figure.dataset.videoBlock,
      duration: video.duration,
      position: video.currentTime,
      intervals: playedRanges(video),
    });
    fetch(url, {
      method: "POST",
      keepalive: leaving,  // lets the last report finish when the page is closed
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body,
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((state) => { if (state) show(figure, state); })
      .catch(() => {});
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
