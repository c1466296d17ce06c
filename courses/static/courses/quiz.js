// Quiz attempt: a countdown that mirrors the server's deadline, autosave of answers (so a lost
// connection or a closed tab loses nothing), submission when time is up, and a question before
// submitting with blanks. The server enforces the deadline and asks about blanks itself too,
// whatever this script does. Offline (an untimed quiz downloaded with its course), the answers
// are queued (lms/offline-queue.js) and graded by the server when the connection returns.
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
    if (!dirty || submitting || navigator.onLine === false) return Promise.resolve();
    dirty = false;
    return fetch(form.dataset.saveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        if (status) status.textContent = ok ? strings.saved + " " + new Date().toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) : data.error;
      })
      .catch(() => { dirty = true; if (status) status.textContent = strings.saveFailed; });
  }

  form.addEventListener("change", () => { dirty = true; });
  form.addEventListener("input", () => { dirty = true; });
  // Asking in the page spares a round trip; the server would ask the same.
  const confirmPanel = form.querySelector("[data-confirm-submit]");
  const isAnswered = (question) =>
    [...question.querySelectorAll("input, select")].some((field) =>
      field.type === "radio" || field.type === "checkbox" ? field.checked : field.value.trim() !== ""
    );
  const unanswered = () => [...form.querySelectorAll(".question")].filter((q) => !isAnswered(q));

  form.addEventListener("submit", (event) => {
    const confirmed = event.submitter && event.submitter.name === "submit_anyway";
    const blank = confirmed || !confirmPanel ? [] : unanswered();
    if (blank.length) {
      event.preventDefault();
      confirmPanel.querySelector("[data-confirm-count]").textContent = strings.unanswered[blank.length];
      confirmPanel.hidden = false;
      confirmPanel.focus();
      confirmPanel.goBackTo = blank[0];
      return;
    }
    submitting = true;
    if (navigator.onLine === false && window.KomekQueue) {
      event.preventDefault();
      const fields = [...new FormData(form, event.submitter || undefined).entries()];
      window.KomekQueue.add({ url: form.action || window.location.href, kind: "quiz_submit", fields })
        .then(() => {
          if (status) status.textContent = strings.queued;
          form.querySelectorAll("input, select, button").forEach((field) => { field.disabled = true; });
        })
        .catch(() => { submitting = false; });
    }
  });
  if (confirmPanel) {
    confirmPanel.querySelector("[data-go-back]").addEventListener("click", () => {
      const question = confirmPanel.goBackTo;
      confirmPanel.hidden = true;
      question.scrollIntoView({ block: "start" });
      question.querySelector("input, select").focus({ preventScroll: true });
    });
    form.addEventListener("change", () => { confirmPanel.hidden = true; });
  }
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
        // Time is up: blanks stay blank, there is nothing to go back to.
        const anyway = document.createElement("input");
        anyway.type = "hidden";
        anyway.name = "submit_anyway";
        anyway.value = "1";
        form.append(anyway);
        form.submit();
      }
    };
    tick();
    setInterval(tick, 1000);
  }

  // Answers queued offline were graded on reconnect: say so here, where they were given.
  window.addEventListener("komek:sent", (event) => {
    event.detail.forEach((sent) => {
      if (sent.kind !== "quiz_submit" || sent.url.split("#")[0] !== window.location.href.split("#")[0]) return;
      if (status && sent.body) status.textContent = sent.body.message || sent.body.error || "";
      const submit = form.querySelector("[data-submit]");
      if (submit && sent.body && !sent.body.attempt_url) submit.hidden = true;
    });
  });

  const error = document.getElementById("attempt-error") || document.getElementById("unanswered-warning");
  if (error) error.focus();
})();
