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
    draw().then(function () {
      wire();
      var shared = rangeFromUrl();
      if (shared) zoomTo(shared);
    });
  });

  // Zoom (events/zoom.py): above the aggregation threshold the chart shows one marker per period and
  // category; a zoomed range is fetched from chart.json with the same filter and drawn again, one marker
  // per event once the range holds few enough. The range goes into the address (range=from~to).
  var RANGE = "range";
  var aggregated = chart.dataset.aggregated === "true";
  var zoomStatus = document.getElementById("zoom-status");
  var eventTraces = figure.data.filter(function (trace) { return trace.yaxis !== "y2"; });
  var indexTraces = figure.data.filter(function (trace) { return trace.yaxis === "y2"; });
  var eventsAxisTitle = figure.layout.yaxis.title.text;
  var pending = null;
  var timer = null;
  var reacting = false;

  function rangeFromUrl() {
    var value = new URLSearchParams(window.location.search).get(RANGE);
    var parts = value ? value.split("~") : [];
    return parts.length === 2 && /^\d{4}-\d{2}-\d{2}$/.test(parts[0]) && /^\d{4}-\d{2}-\d{2}$/.test(parts[1]) ? parts : null;
  }

  function setUrlRange(range) {
    var params = new URLSearchParams(window.location.search);
    if (range) params.set(RANGE, range[0] + "~" + range[1]);
    else params.delete(RANGE);
    var query = params.toString().replace(/%7E/gi, "~"); // "~" needs no escaping: keep the link readable
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

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
        return redraw(answer.traces, range, title).then(function () {
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

  function afterPaint(callback) {
    if (document.hidden || typeof window.requestAnimationFrame !== "function") return window.setTimeout(callback, 0);
    window.requestAnimationFrame(function () {
      window.setTimeout(callback, 0);
    });
  }

  function wire() {
    chart.classList.add("chart-ready");
    // "chart-drawn": navigation start → the frame after the chart is drawn, for bench/render.py (and any
    // real-user measurement); the peers drawn by the benchmark mark the same moment the same way.
    if (window.performance && performance.mark && window.requestAnimationFrame) {
      window.requestAnimationFrame(function () {
        performance.mark("chart-drawn");
      });
    }
    chart.on("plotly_relayout", onRelayout);
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
