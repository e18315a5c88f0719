// Small enhancements on top of pages that work without JavaScript. htmx does the partial
// updates; this file only looks after focus, so keyboard and screen-reader users land on
// what changed. No inline handlers anywhere: the CSP forbids them.
(function () {
  "use strict";

  // A form answered with errors marks its invalid fields (Django renders aria-invalid on
  // them): the editor lands on the first to correct it. Otherwise, what the page names.
  function focusChanged(root) {
    var target =
      root.querySelector("[aria-invalid='true']") ||
      root.querySelector("[data-focus-after-swap]");
    if (target) {
      target.focus({ preventScroll: false });
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    // A source list narrowed while the editor types in its search box: focus stays there.
    if (event.detail.elt.hasAttribute("data-narrowed-by-search")) {
      return;
    }
    focusChanged(event.detail.elt.ownerDocument);
  });

  // A full page load (no htmx, or JavaScript came back) that shows a form's errors.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("main [aria-invalid='true']");
    if (invalid) {
      invalid.focus();
    }
  });
})();
