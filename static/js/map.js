// Draws the map of a filtered view (figure built by readers/figures/map.py, in a <script type="application/json">)
// with plotly.js's geo bundle, and wires the clicks and the month slider. No inline script (strict CSP).
//
// The geography is our own static topojson: fetched here from its exact (in production, hashed) URL and
// registered in window.PlotlyGeoAssets under the name plotly.js looks up ("<scope>_<resolution>m"),
// so plotly.js never builds a URL of its own, let alone one on its CDN.
(function () {
  "use strict";

  var map = document.getElementById("event-map");
  if (!map || typeof window.Plotly === "undefined") return;
  var figure = JSON.parse(document.getElementById(map.dataset.figure).textContent);
  var months = JSON.parse(document.getElementById(map.dataset.months).textContent);
  var topojsonName = map.dataset.topojsonName;
  var topojsonUrl = map.dataset.topojsonUrl;
  var config = {
    responsive: true,
    displaylogo: false,
    // Always shown, as on the timeline: a touch screen has no hover to reveal it.
    displayModeBar: true,
    scrollZoom: false,
    // Only used if the shapes were not registered below; still our own folder, never the CDN default.
    topojsonURL: topojsonUrl.slice(0, topojsonUrl.lastIndexOf("/") + 1),
    // No "Share chart…": it would upload the map to Plotly Cloud, off this site (and here did nothing).
    modeBarButtonsToRemove: ["lasso2d", "select2d", "sendChartToCloud"],
    toImageButtonOptions: { filename: "tension-timeline-map" }
  };
  // Toolbar icons dark enough to see (3:1 against white), as on the timeline.
  figure.layout.modebar = { color: "#595959", activecolor: "#0b5394", bgcolor: "rgba(255,255,255,0.9)" };
  // On a phone the legend's entries (toggles) at 17 px: Plotly makes each 25 px tall, ≥ 24 (WCAG 2.5.8).
  if (window.matchMedia("(max-width: 640px)").matches) {
    figure.layout.height = 460;
    if (figure.layout.legend) figure.layout.legend.font = { size: 17 };
  }

  // The figure frames the events tightly; widen that frame to the shape of the map on this screen
  // (wide on a desktop, tall on a phone), so the region fills the map instead of a band across it.
  // Mercator: compare the latitude span in projected units with the longitude span.
  function fitToScreen(geo, width, height) {
    if (!geo.lonaxis || !geo.lataxis || !width || !height) return;
    var radians = Math.PI / 180;
    var project = function (lat) { return Math.log(Math.tan(Math.PI / 4 + (lat * radians) / 2)) / radians; };
    var unproject = function (y) { return (2 * Math.atan(Math.exp(y * radians)) - Math.PI / 2) / radians; };
    var lon = geo.lonaxis.range;
    var low = project(geo.lataxis.range[0]);
    var high = project(geo.lataxis.range[1]);
    var wantedLon = ((high - low) * width) / height;
    if (wantedLon > lon[1] - lon[0]) {
      var middle = (lon[0] + lon[1]) / 2;
      geo.lonaxis.range = [middle - wantedLon / 2, middle + wantedLon / 2];
    } else {
      var centre = (low + high) / 2;
      var half = ((lon[1] - lon[0]) * height) / width / 2;
      geo.lataxis.range = [Math.max(unproject(centre - half), -85), Math.min(unproject(centre + half), 85)];
    }
  }
  // The legend takes about this much of the height, under the map.
  fitToScreen(figure.layout.geo, map.clientWidth, figure.layout.height - 40);

  function loadGeography() {
    var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || {});
    assets.topojson = assets.topojson || {};
    if (assets.topojson[topojsonName]) return Promise.resolve();
    return fetch(topojsonUrl)
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (topology) {
        assets.topojson[topojsonName] = topology;
      });
  }

  // Fades the points outside one month (index 1…n; 0 shows them all). An event that lasts belongs to
  // every month it spans, as in the filter's period.
  function stepTo(index, output) {
    var month = index > 0 ? months[index - 1] : null;
    var shown = 0;
    var selected = figure.data.map(function (trace) {
      if (!month) return null;
      var points = [];
      trace.customdata.forEach(function (row, i) {
        if (row[5] <= month[0] && month[0] <= row[6]) points.push(i);
      });
      shown += points.length;
      return points;
    });
    window.Plotly.restyle(map, { selectedpoints: selected });
    output.textContent = month ? month[1] + ": " + shown + " event" + (shown === 1 ? "" : "s") : "All months";
  }

  function wireMonths() {
    var step = document.getElementById("month-step");
    if (!step) return;
    var input = step.querySelector("input");
    var output = step.querySelector("output");
    input.addEventListener("input", function () {
      stepTo(Number(input.value), output);
      input.setAttribute("aria-valuetext", output.textContent);
    });
    step.hidden = false;
  }

  loadGeography()
    .then(function () {
      return window.Plotly.newPlot(map, figure.data, figure.layout, config);
    })
    .then(function () {
      map.classList.add("map-ready");
      map.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && point.customdata) window.location.href = point.customdata[0];
      });
      wireMonths();
    })
    .catch(function () {
      map.classList.add("map-failed");
      map.textContent = "The map could not be drawn here; the table below lists the same events.";
    });
})();
