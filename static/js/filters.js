// On a phone the filter panel would push the chart a screen down: fold it, unless it shows errors.
// Without JavaScript it simply stays open.
(function () {
  "use strict";
  var panel = document.getElementById("filters-panel");
  if (!panel || panel.hasAttribute("data-keep-open")) return;
  if (window.matchMedia("(max-width: 900px)").matches) panel.open = false;
})();
