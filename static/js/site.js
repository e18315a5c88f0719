// Small enhancements on top of pages that work without JavaScript. htmx does the partial
// updates; this file only looks after focus, so keyboard and screen-reader users land on
// what changed. No inline handlers anywhere: the CSP forbids them.
(function () {
  "use strict";

  function focusChanged(root) {
    var target = root.querySelector("[data-focus-after-swap]");
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
})();
