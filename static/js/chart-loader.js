// Loads a chart's scripts (plotly.js, then the page's own: timeline.js or embed.js, named by the chart's
// data-plotly and data-chart-script) once the page has been painted, so that the filters, the table and
// the chart's still picture (readers/figures/poster.py) are on screen and usable before plotly.js spends its few
// hundred milliseconds of evaluation. The <link rel="preload"> in the head has
// already fetched both files; no inline script, so the Content-Security-Policy stays strict.
(function () {
  "use strict";
  var chart = document.querySelector("[data-plotly]");
  if (!chart) return;

  function load() {
    [chart.dataset.plotly, chart.dataset.chartScript].forEach(function (url) {
      var script = document.createElement("script");
      script.src = url;
      script.async = false; // run in this order: timeline.js needs plotly.js
      document.head.appendChild(script);
    });
  }

  if (document.hidden || typeof window.requestAnimationFrame !== "function") {
    load();
    return;
  }
  window.requestAnimationFrame(function () {
    // "chart-drawn" for bench/render.py (and any real-user measurement): the frame in which the still
    // picture is on screen. Without a picture (a very large view), timeline.js marks the drawn chart.
    if (document.getElementById("chart-poster") && window.performance && performance.mark) {
      performance.mark("chart-drawn");
    }
    window.setTimeout(load, 0);
  });
})();
