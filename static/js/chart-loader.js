// Loads a chart's scripts (plotly.js, then the page's own: timeline.js or embed.js, named by the chart's
// data-plotly and data-chart-script) only for what plotly.js alone does: zoom, drag, the range buttons
// and the toolbar. Until then the still picture (readers/figures/poster.py) answers hover, taps and
// clicks by itself (chart-poster.js). Loaded when the browser is first idle after the page has loaded
// and the pointer has rested on the picture for a moment (evaluating plotly.js holds the page for a few
// hundred milliseconds: not while the reader is reading labels), or at once when chart-poster.js asks
// ("chart:plotly-wanted": the reader started a zoom). On a touch screen, only when the reader asks (the picture's "Zoom and tools" button): evaluating plotly.js keeps
// a phone's processor busy for a second or more, during which a tap would wait for its label; and the
// phone is spared its download. Without a picture (a very large view) plotly.js is loaded after the
// first paint. No inline script, so the Content-Security-Policy stays strict.
(function () {
  "use strict";
  var chart = document.querySelector("[data-plotly]");
  if (!chart) return;
  var poster = document.getElementById("chart-poster");
  var IDLE_WAIT_MS = 2000; // at most, once the page has loaded, before plotly.js is loaded anyway
  var QUIET_MS = 600; // without a pointer move over the picture, before idle counts
  var loaded = false;
  var quiet = null;

  function load() {
    if (loaded) return;
    loaded = true;
    [chart.dataset.plotly, chart.dataset.chartScript].forEach(function (url) {
      var script = document.createElement("script");
      script.src = url;
      script.async = false; // run in this order: timeline.js needs plotly.js
      document.head.appendChild(script);
    });
  }

  function whenIdle() {
    if (typeof window.requestIdleCallback === "function") window.requestIdleCallback(load, { timeout: IDLE_WAIT_MS });
    else window.setTimeout(load, 0);
  }

  function whenQuiet() {
    window.clearTimeout(quiet);
    if (!loaded) quiet = window.setTimeout(whenIdle, QUIET_MS);
  }

  document.addEventListener("chart:plotly-wanted", load);
  if (document.hidden || typeof window.requestAnimationFrame !== "function") {
    load();
    return;
  }
  window.requestAnimationFrame(function () {
    // "chart-drawn" for bench/render.py (and any real-user measurement): the frame in which the still
    // picture is on screen, and "chart-interactive" once chart-poster.js answers on it. Without a picture
    // (a very large view), timeline.js marks both when plotly.js has drawn.
    if (poster && window.performance && performance.mark) {
      performance.mark("chart-drawn");
      if (window.TensionChart && window.TensionChart.answering) performance.mark("chart-interactive");
    }
    if (!poster) return window.setTimeout(load, 0);
    var tools = document.getElementById("chart-tools");
    if (tools && window.matchMedia("(hover: none)").matches) {
      tools.hidden = false;
      tools.addEventListener("click", function () {
        tools.disabled = true;
        tools.textContent = "Loading the tools…";
        load();
      });
      return;
    }
    poster.addEventListener("mousemove", function () {
      if (quiet !== null) whenQuiet(); // once the page has loaded: each move puts plotly.js off
    });
    if (document.readyState === "complete") whenQuiet();
    else window.addEventListener("load", whenQuiet);
  });
})();
