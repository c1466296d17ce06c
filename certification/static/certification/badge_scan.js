// Scanning a volunteer's badge QR with the coordinator's camera, on the event's roster. The
// browser's BarcodeDetector where it has one (Chrome on Android), else jsQR (vendored, loaded
// only then). The address read goes into the badge form, which is sent as if typed: the server
// checks it as it checks a typed code. Without a camera the form stays as it is.
(function () {
  "use strict";
  const form = document.querySelector("[data-badge-scan]");
  if (!form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  const start = form.querySelector("[data-scan-start]");
  const stop = form.querySelector("[data-scan-stop]");
  const panel = form.querySelector("[data-scan-panel]");
  const video = panel.querySelector("video");
  const status = panel.querySelector("[data-scan-status]");
  const input = form.querySelector("input[name=code]");
  const EVERY_MS = 200;
  let stream = null;
  let timer = null;
  let detect = null;

  function say(text) {
    status.textContent = text;
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = form.dataset.jsqrSrc;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function detector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const native = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async function () {
            const found = await native.detect(video);
            return found.length ? found[0].rawValue : null;
          };
        }
      } catch (error) { /* fall through to jsQR */ }
    }
    const jsQR = await loadJsQR();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async function () {
      if (!video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : null;
    };
  }

  function close() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    panel.hidden = true;
    start.hidden = false;
    start.focus();
  }

  async function look() {
    if (!stream) return;
    let text = null;
    try {
      text = await detect();
    } catch (error) { /* a frame not ready yet */ }
    if (text) {
      close();
      input.value = text;
      say(form.dataset.foundText);
      form.requestSubmit();
      return;
    }
    timer = setTimeout(look, EVERY_MS);
  }

  start.hidden = false;
  start.addEventListener("click", async function () {
    panel.hidden = false;
    start.hidden = true;
    say(form.dataset.startingText);
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false,
      });
      video.srcObject = stream;
      await video.play();
      detect = detect || await detector();
    } catch (error) {
      close();
      say(error && error.name === "NotAllowedError" ? form.dataset.deniedText : form.dataset.failedText);
      panel.hidden = false;
      video.hidden = true;
      return;
    }
    video.hidden = false;
    say(form.dataset.aimText);
    look();
  });
  stop.addEventListener("click", close);
})();
