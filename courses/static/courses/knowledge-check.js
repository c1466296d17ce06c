// Knowledge checks: ask the server and show its feedback in place, without reloading the page.
// Without JavaScript the form posts normally and the page shows the same feedback.
(function () {
  "use strict";
  function escapeText(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }
  document.querySelectorAll("[data-knowledge-check]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const result = form.querySelector("[data-result]");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => response.json())
        .then((data) => {
          const strings = form.dataset;
          let html = "";
          if (data.error) html = '<p class="field__error">' + escapeText(data.error) + "</p>";
          else if (!data.answered) html = "<p>" + escapeText(strings.empty) + "</p>";
          else if (data.is_correct) html = '<p class="status status--ok">✓ ' + escapeText(strings.correct) + "</p>";
          else html = '<p class="status status--bad">✗ ' + escapeText(strings.wrong) + "</p>";
          (data.feedback || []).forEach((text) => { html += '<p class="feedback">' + escapeText(text) + "</p>"; });
          // General feedback is the instructor's rich text, already sanitised by Wagtail's editor.
          if (data.general_feedback_html) html += '<div class="feedback">' + data.general_feedback_html + "</div>";
          result.innerHTML = html;
        })
        .catch(() => form.submit());
    });
  });
})();
