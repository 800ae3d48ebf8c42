// Draws the timeline's figure (JSON built by events/chart.py, in a <script type="application/json">)
// and wires the clicks. No inline script anywhere, so a strict Content-Security-Policy can be set.
(function () {
  "use strict";

  var chart = document.getElementById("timeline-chart");
  if (!chart || typeof window.Plotly === "undefined") return;
  var source = document.getElementById(chart.dataset.figure);
  var windowPanel = document.getElementById(chart.dataset.windowTarget);
  var figure = JSON.parse(source.textContent);
  var config = {
    responsive: true,
    displaylogo: false,
    scrollZoom: false,
    modeBarButtonsToRemove: ["lasso2d", "select2d"],
    toImageButtonOptions: { filename: "tension-timeline" }
  };

  // A narrow screen gets a shorter chart and the legend under it.
  if (window.matchMedia("(max-width: 640px)").matches) {
    figure.layout.height = 520;
    figure.layout.margin = { l: 44, r: 8, t: 8, b: 40 };
  }

  function showWindow(url) {
    // The window page works on its own (it is a link); here its section is fetched and shown in place.
    windowPanel.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var section = doc.getElementById("tension-window");
        windowPanel.replaceChildren.apply(windowPanel, Array.prototype.slice.call(section.childNodes));
        windowPanel.removeAttribute("aria-busy");
        var heading = windowPanel.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus({ preventScroll: false });
        }
      })
      .catch(function () {
        window.location.href = url;
      });
  }

  function draw() {
    return window.Plotly.newPlot(chart, figure.data, figure.layout, config);
  }

  // Drawn after the first paint: the table and the filters show (and answer) first, the chart follows.
  afterPaint(function () {
    draw().then(wire);
  });

  function afterPaint(callback) {
    if (document.hidden || typeof window.requestAnimationFrame !== "function") return window.setTimeout(callback, 0);
    window.requestAnimationFrame(function () {
      window.setTimeout(callback, 0);
    });
  }

  function wire() {
    chart.classList.add("chart-ready");
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point) return;
      if (point.data.yaxis === "y2") {
        var base = point.data.meta.window_url;
        var day = String(point.x).slice(0, 10);
        showWindow(base + (base.slice(-1) === "?" ? "" : "&") + "end=" + encodeURIComponent(day));
        return;
      }
      if (!point.customdata) return;
      var target = point.customdata[0];
      if (target.charAt(0) === "?") {
        // An aggregated marker: the timeline narrowed to its period and category.
        window.location.href = window.location.pathname + target;
      } else {
        window.location.href = target;
      }
    });
  }
})();
