// The filter panel is a <details>: folded on a phone and shown beside the results on a wide screen by
// markup and CSS alone (site.css), so nothing moves when this script, or plotly.js, arrives late.
// This script only turns the wide screen's panel into a real open disclosure (it folds and unfolds
// on demand from then on) and, after a filter was submitted, puts the reader on the results.
(function () {
  "use strict";
  var panel = document.getElementById("filters-panel");
  if (panel) {
    if (window.matchMedia("(min-width: 901px)").matches) panel.open = true;
    panel.setAttribute("data-enhanced", "");
  }
  // The form's action ends in #summary: the browser scrolls there; focus follows, so a screen reader
  // starts reading the new results rather than the top of the page.
  if (window.location.hash === "#summary") {
    var summary = document.getElementById("summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus({ preventScroll: true });
    }
  }
})();
