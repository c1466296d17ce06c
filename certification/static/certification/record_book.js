// A share link's address is selected whole on focus, ready to copy.
(function () {
  "use strict";
  document.querySelectorAll(".record-book__url").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
})();
