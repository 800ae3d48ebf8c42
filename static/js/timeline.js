// Draws the timeline's figure (JSON built by events/chart.py, in a <script type="application/json">)
// and wires the clicks. No inline script anywhere, so a strict Content-Security-Policy can be set.
(function () {
  "use strict";

  var chart = document.getElementById("timeline-chart");
  if (!chart || typeof window.Plotly === "undefined") return;
  var source = document.getElementById(chart.dataset.figure);
  var windowPanel = document.getElementById(chart.dataset.windowTarget);
  var pickPanel = document.getElementById(chart.dataset.pickTarget);
  var figure = JSON.parse(source.textContent);
  // A touch screen has no hover: a first tap on a marker shows what it is, a second tap opens it.
  var touch = window.matchMedia("(hover: none)").matches;
  var config = {
    responsive: true,
    displaylogo: false,
    // Always shown: on a touch screen there is no hover to reveal it, and a keyboard needs to see it.
    displayModeBar: true,
    scrollZoom: false,
    // No "Share chart…": it would upload the view to Plotly Cloud, off this site.
    modeBarButtonsToRemove: ["lasso2d", "select2d", "sendChartToCloud"],
    toImageButtonOptions: { filename: "tension-timeline" }
  };

  // Toolbar icons dark enough to see (3:1 against white), active ones in the site's accent.
  figure.layout.modebar = { color: "#595959", activecolor: "#0b5394", bgcolor: "rgba(255,255,255,0.9)" };

  // A narrow screen gets a shorter chart, the legend under it, and the range buttons on a row of their
  // own under Plotly's toolbar (side by side they overlap), with a font that makes them ≥ 24 px tall.
  if (window.matchMedia("(max-width: 640px)").matches) {
    figure.layout.height = 600;
    if (figure.layout.legend) figure.layout.legend.font = { size: 12 };
    figure.layout.margin = { l: 44, r: 8, t: 72, b: 40 };
    var selector = figure.layout.xaxis && figure.layout.xaxis.rangeselector;
    if (selector) selector.font = { size: 16 };
  }

  // Where an event page should lead back to: this very view (see events.views.view_query).
  function withBack(url) {
    var query = window.location.search.slice(1);
    return query ? url + (url.indexOf("?") === -1 ? "?" : "&") + "back=" + encodeURIComponent(query) : url;
  }

  // Hover texts are escaped HTML (events/chart.py); the pick panel sets text, so decode them first.
  function plain(html) {
    var box = document.createElement("textarea");
    box.innerHTML = html;
    return box.value;
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

  var picked = null;
  function showPick(target, data) {
    // data: [url, date, title, actors, type] as built by events/chart.py
    var date = document.createElement("p");
    date.className = "chart-pick__date";
    date.textContent = plain(data[1]) + " · " + plain(data[4]);
    var link = document.createElement("a");
    link.href = target;
    link.textContent = plain(data[2]);
    var title = document.createElement("p");
    title.className = "chart-pick__title";
    title.appendChild(link);
    var hint = document.createElement("p");
    hint.className = "chart-pick__hint";
    hint.textContent = "Tap the marker again or the title to open the event.";
    pickPanel.replaceChildren(date, title, hint);
    pickPanel.hidden = false;
    picked = target;
  }

  function open(target) {
    window.location.href = target;
  }

  // Plotly's SVG says nothing useful to a screen reader (raw tick labels): the text summary beside the
  // chart (#chart-text) says what it shows. Its controls stay reachable: the toolbar's buttons are
  // buttons; the range buttons are SVG groups, made focusable and operable here.
  function makeControlsAccessible() {
    var layer = chart.querySelector(".rangeselector");
    Array.prototype.forEach.call(chart.querySelectorAll("svg.main-svg"), function (svg) {
      if (!layer || !svg.contains(layer)) {
        svg.setAttribute("aria-hidden", "true");
        return;
      }
      // In the SVG that holds the range buttons, hide everything else, level by level.
      for (var node = layer; node !== svg; node = node.parentNode) {
        Array.prototype.forEach.call(node.parentNode.children, function (sibling) {
          if (sibling !== node) sibling.setAttribute("aria-hidden", "true");
        });
      }
    });
    var modebar = chart.querySelector(".modebar");
    if (modebar) {
      modebar.setAttribute("role", "toolbar");
      modebar.setAttribute("aria-label", "Chart tools");
    }
    if (!layer) return;
    layer.setAttribute("role", "group");
    layer.setAttribute("aria-label", "Show a period");
    Array.prototype.forEach.call(layer.querySelectorAll("g.button"), function (button) {
      if (button.hasAttribute("tabindex")) return;
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", "Show " + button.textContent.trim());
      button.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
        }
      });
    });
  }

  window.Plotly.newPlot(chart, figure.data, figure.layout, config).then(function () {
    makeControlsAccessible();
    chart.on("plotly_afterplot", makeControlsAccessible);
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
        open(window.location.pathname + target);
        return;
      }
      target = withBack(target);
      if (touch && picked !== target) {
        showPick(target, point.customdata);
        return;
      }
      open(target);
    });
  });
})();
