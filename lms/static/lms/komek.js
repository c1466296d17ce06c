// Site-wide progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // Course outlines start folded on phones, so the lesson comes first; open on wide screens.
  if (window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((details) => { details.open = true; });
  }
})();
