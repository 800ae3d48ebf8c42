// Draws an embedded view (figure built by readers/figures/chart.py, as on the timeline) inside another site's
// <iframe>, over the still picture that answered until now (chart-poster.js, whose helpers give the
// same targets). Every click opens a new tab on our site: the frame itself never navigates.
(function () {
  "use strict";

  var chart = document.getElementById("embed-chart");
  var shared = window.TensionChart;
  if (!chart || typeof window.Plotly === "undefined" || !shared) return;
  var figure = shared.figure();
  var narrow = window.matchMedia("(max-width: 520px)").matches;
  var SHORT_FRAME = 420; // px of chart box under which the legend leaves the space below the chart
  var LEGEND_BESIDE = 600; // px of width from which the legend fits beside the chart

  // The frame decides the size: the chart fills what the title and the credit leave.
  delete figure.layout.height;
  figure.layout.autosize = true;
  if (narrow) {
    figure.layout.margin = { l: 40, r: 6, t: 6, b: 30 };
    figure.layout.legend.font = { size: 11 };
    delete figure.layout.xaxis.rangeselector;
  }
  // A short frame (a host's maxheight, say): rows of legend under the chart would leave the plot a sliver.
  // Beside it in a wide frame, one small entry a line; left out in a small one (the caption and the
  // events as a list say what the colours are, and the full view is a click away).
  if (chart.clientHeight < SHORT_FRAME) {
    if (chart.clientWidth >= LEGEND_BESIDE) {
      figure.layout.legend = { orientation: "v", x: 1.02, y: 1, yanchor: "top", font: { size: 11 } };
    } else {
      figure.layout.showlegend = false;
    }
  }

  window.Plotly.newPlot(chart, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    displayModeBar: false,
    scrollZoom: false
  }).then(function () {
    chart.classList.add("chart-ready");
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point) return;
      if (point.data.yaxis === "y2") {
        // The events behind a point of the index: the tension window page of the same view.
        shared.open(new URL(shared.windowUrl(point.data, point.x), window.location.href).href);
      } else if (point.customdata) {
        // An aggregated marker carries a timeline query; an event, its page's path.
        shared.open(shared.markerTarget(point.customdata[0]));
      }
    });
  });
})();
