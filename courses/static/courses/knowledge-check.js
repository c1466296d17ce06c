// Knowledge checks: ask the server and show its feedback in place, without reloading the page.
// Without JavaScript the form posts normally and the page shows the same feedback.
// Offline the answer is queued (lms/offline-queue.js) and checked by the server on reconnect: the
// page holds no answer keys, so there is nothing to check it against here.
(function () {
  "use strict";
  function escapeText(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function showResult(form, data) {
    const strings = form.dataset;
    let html = "";
    if (data.error) html = '<p class="field__error">' + escapeText(data.error) + "</p>";
    else if (!data.answered) html = "<p>" + escapeText(strings.empty) + "</p>";
    else if (data.is_correct) html = '<p class="status status--ok">✓ ' + escapeText(strings.correct) + "</p>";
    else html = '<p class="status status--bad">✗ ' + escapeText(strings.wrong) + "</p>";
    (data.feedback || []).forEach((text) => { html += '<p class="feedback">' + escapeText(text) + "</p>"; });
    // General feedback is the instructor's rich text, already sanitised by Wagtail's editor.
    if (data.general_feedback_html) html += '<div class="feedback">' + data.general_feedback_html + "</div>";
    form.querySelector("[data-result]").innerHTML = html;
  }

  function queue(form) {
    if (!window.KomekQueue) return false;
    window.KomekQueue.add({
      url: form.action.split("#")[0],
      kind: "knowledge_check",
      fields: [...new FormData(form).entries()],
    }).then(() => {
      form.querySelector("[data-result]").innerHTML = "<p>" + escapeText(form.dataset.queued) + "</p>";
    });
    return true;
  }

  const forms = document.querySelectorAll("[data-knowledge-check]");
  forms.forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (navigator.onLine === false && queue(form)) return;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => response.json())
        .then((data) => showResult(form, data))
        .catch(() => queue(form) || form.submit());
    });
  });

  // Answers queued offline come back checked: show each where it was asked.
  window.addEventListener("komek:sent", (event) => {
    event.detail.forEach((sent) => {
      if (sent.kind !== "knowledge_check") return;
      forms.forEach((form) => { if (form.action.split("#")[0] === sent.url) showResult(form, sent.body); });
    });
  });
})();
