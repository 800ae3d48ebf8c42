// Draws the timeline's figure (JSON built by readers/figures/chart.py, in a <script type="application/json">)
// with plotly.js, over the still picture that answered until now (chart-poster.js, whose helpers give
// the same labels' targets, panels and links), and wires the clicks. No inline script anywhere, so a
// strict Content-Security-Policy can be set.
(function () {
  "use strict";

  var chart = document.getElementById("timeline-chart");
  var shared = window.TensionChart;
  if (!chart || typeof window.Plotly === "undefined" || !shared) return;
  var figure = shared.figure();
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
  // Legend entries are toggles: at 17 px Plotly makes each 25 px tall, a target of ≥ 24 px (WCAG 2.5.8);
  // their long names are wrapped (fitToChart). The y axes' titles and ticks shrink so that "tension index"
  // stays beside its own short panel, clear of the ticks.
  var narrow = window.matchMedia("(max-width: 640px)").matches;
  var LEGEND_FONT_PX = 17;
  if (narrow) {
    figure.layout.height = 720;
    if (figure.layout.legend) figure.layout.legend.font = { size: LEGEND_FONT_PX };
    figure.layout.margin = { l: 44, r: 8, t: 72, b: 40 };
    var selector = figure.layout.xaxis && figure.layout.xaxis.rangeselector;
    if (selector) selector.font = { size: 16 };
    [figure.layout.yaxis, figure.layout.yaxis2].forEach(function (axis) {
      if (!axis) return;
      axis.title.font = { size: 12 };
      axis.tickfont = { size: 12 };
    });
  }

  // Plotly writes each field of a hover label on one line, however long: on a phone the label of a
  // long title is wider than the chart and cut at both ends. Lines are wrapped at spaces to a width that
  // fits beside any point (half the chart); the texts are the figure's own (escaped HTML). So are the
  // legend's names on a narrow screen, to the chart's width less the symbol.
  var CHARACTER_PX = 8; // a generous average for Plotly's 13 px label font, bold included
  var LEGEND_SYMBOL_PX = 56;
  function wrap(text, columns) {
    var lines = [];
    String(text).split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= columns) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines;
  }

  function fitToChart(traces) {
    var columns = Math.max(16, Math.floor((chart.clientWidth / 2 - 24) / CHARACTER_PX));
    var legendColumns = Math.floor((chart.clientWidth - LEGEND_SYMBOL_PX) / (LEGEND_FONT_PX * 0.55));
    traces.forEach(function (trace) {
      if (narrow && trace.name) trace.name = wrap(trace.name, legendColumns).join("<br>");
      var rows = trace.customdata;
      // Event markers only ([url, date, title, actors, type]); an aggregated marker's label is short.
      if (!rows || !rows.length || String(rows[0][0]).charAt(0) === "?") return;
      trace.text = rows.map(function (row, i) {
        var title = wrap(row[2], columns).map(function (line) { return "<b>" + line + "</b>"; });
        return [row[1]].concat(title, wrap(row[3], columns), wrap(row[4] + " · escalation " + trace.y[i], columns)).join("<br>");
      });
      trace.hovertemplate = "%{text}<extra></extra>";
    });
    return traces;
  }

  var picked = null;

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
      oneTabStop(modebar, ".modebar-btn");
    }
    if (!layer) return;
    layer.setAttribute("role", "toolbar");
    layer.setAttribute("aria-label", "Show a period");
    Array.prototype.forEach.call(layer.querySelectorAll("g.button"), function (button) {
      if (button.hasAttribute("role")) return;
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", "Show " + button.textContent.trim());
      button.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
        }
      });
    });
    oneTabStop(layer, "g.button");
  }

  // Each of the chart's two rows of buttons is one Tab stop, as the ARIA toolbar pattern has it: Tab
  // enters at its current button and leaves the row; the arrow keys, Home and End move along it. Two
  // stops instead of eleven between the top of the page and the events.
  function oneTabStop(row, selector) {
    var buttons = Array.prototype.slice.call(row.querySelectorAll(selector));
    var current = buttons.filter(function (button) { return button.getAttribute("tabindex") === "0"; })[0];
    makeCurrent(buttons, current || buttons[0]);
    if (row.hasAttribute("data-one-tab-stop")) return;
    row.setAttribute("data-one-tab-stop", "");
    row.addEventListener("keydown", function (event) {
      var all = Array.prototype.slice.call(row.querySelectorAll(selector));
      var at = all.indexOf(document.activeElement);
      var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
      if (at === -1 || to === undefined) return;
      event.preventDefault();
      var next = all[(to + all.length) % all.length];
      makeCurrent(all, next);
      next.focus();
    });
  }

  function makeCurrent(buttons, current) {
    buttons.forEach(function (button) {
      button.setAttribute("tabindex", button === current ? "0" : "-1");
    });
  }

  function draw() {
    return window.Plotly.newPlot(chart, fitToChart(figure.data), figure.layout, config);
  }

  // chart-loader.js runs this at idle, or when the reader starts a zoom on the picture (whose range is
  // then in the address): the picture answers until then.
  draw().then(function () {
    wire();
    var range = shared.rangeFromUrl();
    if (range) zoomTo(range);
  });

  // Zoom (events/zoom.py): above the aggregation threshold the chart shows one marker per period and
  // category; a zoomed range is fetched from chart.json with the same filter and drawn again, one marker
  // per event once the range holds few enough. The range goes into the address (range=from~to).
  var aggregated = chart.dataset.aggregated === "true";
  var zoomStatus = document.getElementById("zoom-status");
  var eventTraces = figure.data.filter(function (trace) { return trace.yaxis !== "y2"; });
  var indexTraces = figure.data.filter(function (trace) { return trace.yaxis === "y2"; });
  var eventsAxisTitle = figure.layout.yaxis.title.text;
  var pending = null;
  var timer = null;
  var reacting = false;

  var setUrlRange = shared.setUrlRange;

  function say(text) {
    if (zoomStatus) zoomStatus.textContent = text;
  }

  function redraw(traces, range, axisTitle) {
    var layout = chart.layout;
    layout.xaxis.autorange = !range;
    if (range) layout.xaxis.range = [range[0], range[1] + " 23:59:59"];
    layout.yaxis.title = { text: axisTitle };
    reacting = true;
    return window.Plotly.react(chart, traces.concat(indexTraces), layout).then(function () {
      reacting = false;
    });
  }

  function zoomTo(range) {
    setUrlRange(range);
    if (!aggregated) return redraw(eventTraces, range, eventsAxisTitle); // every event is drawn already
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    if (pending) pending.abort();
    pending = typeof window.AbortController === "function" ? new window.AbortController() : null;
    say("Loading the events of this range…");
    chart.setAttribute("aria-busy", "true");
    return fetch(chart.dataset.zoomUrl + "?" + params.toString(), {
      headers: { Accept: "application/json" },
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (answer) {
        var title = answer.aggregated ? "mean escalation per " + answer.period : "escalation";
        return redraw(fitToChart(answer.traces), range, title).then(function () {
          chart.removeAttribute("aria-busy");
          chart.classList.toggle("chart-single-events", !answer.aggregated);
          say(
            answer.event_count + " event" + (answer.event_count === 1 ? "" : "s") + " from " + range[0] + " to " + range[1] +
              (answer.aggregated ? ", grouped by " + answer.period + ": zoom further to see them one by one." : ", one by one.")
          );
        });
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        chart.removeAttribute("aria-busy");
        say("The events of this range could not be loaded; narrow the filter instead.");
      });
  }

  function resetZoom() {
    setUrlRange(null);
    if (!aggregated) return;
    if (pending) pending.abort();
    chart.classList.remove("chart-single-events");
    say("");
    redraw(eventTraces, null, eventsAxisTitle);
  }

  function day(value) {
    return String(value).slice(0, 10);
  }

  function onRelayout(change) {
    if (reacting) return;
    var range = change["xaxis.range"] || [change["xaxis.range[0]"], change["xaxis.range[1]"]];
    if (range[0] !== undefined && range[1] !== undefined && !aggregated) {
      setUrlRange([day(range[0]), day(range[1])]); // every event is drawn already: Plotly zoomed alone
    } else if (range[0] !== undefined && range[1] !== undefined) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        zoomTo([day(range[0]), day(range[1])]);
      }, 250);
    } else if (change["xaxis.autorange"]) {
      resetZoom();
    }
  }

  function wire() {
    makeControlsAccessible();
    chart.on("plotly_afterplot", makeControlsAccessible);
    chart.classList.add("chart-ready");
    // Navigation start → the frame after plotly.js has drawn: "chart-plotly"; and "chart-drawn" and
    // "chart-interactive" too unless the still picture was on screen and answering first (chart-loader.js,
    // chart-poster.js). For bench/render.py (and any real-user measurement).
    if (window.performance && performance.mark && window.requestAnimationFrame) {
      window.requestAnimationFrame(function () {
        performance.mark("chart-plotly");
        ["chart-drawn", "chart-interactive"].forEach(function (name) {
          if (!performance.getEntriesByName(name).length) performance.mark(name);
        });
      });
    }
    chart.on("plotly_relayout", onRelayout);
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point) return;
      if (point.data.yaxis === "y2") {
        shared.showWindow(shared.windowUrl(point.data, point.x));
        return;
      }
      if (!point.customdata) return;
      // An event's page, or for an aggregated marker the timeline narrowed to its period and category;
      // on a touch screen the first tap says what it is (shared.showPick), the second opens it.
      var target = shared.markerTarget(point.customdata[0]);
      if (touch && picked !== target) {
        shared.showPick(target, point.customdata);
        picked = target;
        return;
      }
      shared.open(target);
    });
  }
})();
