// Adaptive lesson video: once a video's renditions are ready (data-hls on its <figure>), plays HLS
// through hls.js (vendor/hls, v1.7.4, loaded only when needed), else the browser's own HLS
// (Safari), else the MP4 <source>s. With data saver on, hls.js keeps the lowest rendition and
// browsers without it get the small MP4. Captions are the <video>'s own <track>s, so every
// rendition shows them. Nothing loads until the learner presses play (preload="none").
(function () {
  "use strict";
  const MP4 = 'video/mp4; codecs="avc1.4d401e,mp4a.40.2"';
  let library = null;

  function mediaSourceWorks() {
    const MS = window.ManagedMediaSource || window.MediaSource;
    return Boolean(MS && MS.isTypeSupported && MS.isTypeSupported(MP4));
  }

  function loadLibrary(src) {
    if (!library) {
      library = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = () => (window.Hls ? resolve(window.Hls) : reject(new Error("no Hls")));
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return library;
  }

  function playMp4(video, src) {
    // The <source>s stay as they are when there is nothing better than them.
    if (!src) return;
    const wasPlaying = !video.paused;
    video.removeAttribute("src");
    video.querySelectorAll("source").forEach((source) => source.remove());
    video.src = src;
    video.load();
    if (wasPlaying) video.play().catch(() => {});
  }

  function showLevel(figure, hls) {
    const level = hls.levels[hls.currentLevel];
    figure.dataset.hlsLevel = String(hls.currentLevel);
    if (level) figure.dataset.hlsHeight = String(level.height);
  }

  function attachHls(Hls, figure, video) {
    const dataSaver = figure.hasAttribute("data-data-saver");
    const hls = new Hls({
      autoStartLoad: false,     // nothing but the playlist until the learner presses play
      startLevel: 0,            // start on the lowest rendition: first frame soonest on a poor network
      capLevelToPlayerSize: true,
      maxBufferLength: 12,      // a learner who stops early has not paid for the whole lesson
      enableWorker: false,      // fMP4 needs no transmuxing; a blob: worker would need CSP worker-src
      enableWebVTT: false,
      enableCEA708Captions: false,
    });
    let parsed = false;
    let wanted = false;
    let started = false;
    let recovered = false;
    function start() {
      if (started || !parsed || !wanted) return;
      started = true;
      const resume = parseFloat(figure.dataset.resume || "0");
      hls.startLoad(resume > 1 ? resume : -1);
    }
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      if (dataSaver) hls.autoLevelCapping = 0;
      figure.dataset.hlsLevels = hls.levels.map((level) => level.height).join(",");
      parsed = true;
      start();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, () => showLevel(figure, hls));
    hls.on(Hls.Events.ERROR, (event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        hls.recoverMediaError();
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && !navigator.onLine) return;
      hls.destroy();
      figure.dataset.hlsFailed = "";
      playMp4(video, figure.dataset.smallMp4);
    });
    video.addEventListener("play", () => { wanted = true; start(); });
    if (!video.paused) { wanted = true; }
    figure.hlsPlayer = hls;  // for the browser tests and the bench (tests/e2e/test_video_adaptive.py)
    hls.loadSource(figure.dataset.hls);
    hls.attachMedia(video);
    figure.dataset.player = "hls.js";
  }

  document.querySelectorAll("[data-video-block][data-hls]").forEach((figure) => {
    const video = figure.querySelector("video");
    // data-player set already: video-progress.js is playing the file stored for offline.
    if (!video || figure.dataset.player) return;
    const dataSaver = figure.hasAttribute("data-data-saver");
    if (mediaSourceWorks()) {
      loadLibrary(figure.dataset.hlsLibrary)
        .then((Hls) => {
          if (Hls.isSupported()) attachHls(Hls, figure, video);
        })
        .catch(() => {});  // the MP4 <source>s still play
    } else if (!dataSaver && video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = figure.dataset.hls;
      figure.dataset.player = "native";
    } else {
      playMp4(video, dataSaver ? figure.dataset.smallMp4 : "");
      figure.dataset.player = "mp4";
    }
  });
})();
