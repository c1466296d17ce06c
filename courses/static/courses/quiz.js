// Quiz attempt: a countdown that mirrors the server's deadline, autosave of answers (so a lost
// connection or a closed tab loses nothing), and submission when time is up. The server
// enforces the deadline whatever this script does.
(function () {
  "use strict";
  const form = document.querySelector("[data-quiz-form]");
  if (!form) return;
  const stringsElement = document.getElementById("quiz-strings");
  const strings = stringsElement ? JSON.parse(stringsElement.textContent) : {};
  const status = form.querySelector("[data-save-status]");
  const SAVE_EVERY_MS = 20000;
  let dirty = false;
  let submitting = false;

  function save() {
    if (!dirty || submitting) return Promise.resolve();
    dirty = false;
    return fetch(form.dataset.saveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        if (status) status.textContent = ok ? strings.saved + " " + new Date().toLocaleTimeString() : data.error;
      })
      .catch(() => { dirty = true; if (status) status.textContent = strings.saveFailed; });
  }

  form.addEventListener("change", () => { dirty = true; });
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { submitting = true; });
  setInterval(save, SAVE_EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (document.hidden) save(); });

  const timer = document.querySelector("[data-timer]");
  if (timer) {
    const value = timer.querySelector("[data-timer-value]");
    const deadline = Date.now() + parseInt(timer.dataset.secondsLeft, 10) * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      value.textContent = minutes + ":" + seconds;
      timer.classList.toggle("timer--low", left <= 60);
      if (left === 0 && !submitting) {
        submitting = true;
        if (status) status.textContent = strings.timeUp;
        form.submit();
      }
    };
    tick();
    setInterval(tick, 1000);
  }

  const error = document.getElementById("attempt-error");
  if (error) error.focus();
})();
