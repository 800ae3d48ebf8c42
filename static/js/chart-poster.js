// The chart's still picture (readers/figures/poster.py) answers the reader before plotly.js has run: hover
// labels, taps and clicks, read from the figure the page already carries (readers/figures/chart.py, in a
// <script type="application/json">) and placed by the axes each <svg> states (data-x, data-y, data-y2).
// The same labels and links as plotly.js gives (static/js/timeline.js, static/js/embed.js, which use the
// helpers below); plotly.js is loaded for what only it does (chart-loader.js): at idle, or at once when
// the reader drags to zoom (the range goes into the address, and timeline.js zooms there). No dependency,
// no inline script.
(function () {
  "use strict";

  var DAY_MS = 86400000;
  var UNIX_EPOCH_ORDINAL = 719163; // date(1970, 1, 1).toordinal(): poster.py's day numbers
  var HOVER_DISTANCE = 20; // px from a marker's edge, as plotly.js's default hoverdistance
  var DRAG_PX = 5; // a mouse press that moves farther is a zoom, not a click
  var RANGE = "range";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  var chart = document.querySelector("[data-figure]"); // the element plotly.js draws in
  var poster = document.getElementById("chart-poster");
  // A touch screen has no hover: a first tap on a marker says what it is, a second tap opens it.
  var touch = window.matchMedia("(hover: none)").matches;
  var figure = null;

  function theFigure() {
    if (!figure) figure = JSON.parse(document.getElementById(chart.dataset.figure).textContent);
    return figure;
  }

  // --- shared with timeline.js and embed.js: the chart's links and panels, once ------------------------

  // Hover texts are escaped HTML (readers/figures/chart.py); panels and labels set text, so decode first.
  function plain(html) {
    var box = document.createElement("textarea");
    box.innerHTML = html;
    return box.value;
  }

  // Where an event page should lead back to: this very view (see events.views.view_query).
  function withBack(url) {
    var query = window.location.search.slice(1);
    return query ? url + (url.indexOf("?") === -1 ? "?" : "&") + "back=" + encodeURIComponent(query) : url;
  }

  // Where a marker leads: an event's page (with the way back), or for an aggregated marker ("?…") this
  // view narrowed to its period and category; in the embed, the site's full view.
  function markerTarget(target) {
    if (chart.dataset.fullView) {
      var base = new URL(chart.dataset.fullView, window.location.href);
      return new URL(target.charAt(0) === "?" ? base.pathname + target : target, base).href;
    }
    return target.charAt(0) === "?" ? window.location.pathname + target : withBack(target);
  }

  function windowUrl(trace, x) {
    var base = trace.meta.window_url;
    return base + (base.slice(-1) === "?" ? "" : "&") + "end=" + encodeURIComponent(String(x).slice(0, 10));
  }

  function open(target) {
    // The embed is framed by other sites: its links open a new tab, the frame never navigates.
    if (chart.dataset.fullView) window.open(target, "_blank", "noopener");
    else window.location.href = target;
  }

  function showWindow(url) {
    var panel = chart.dataset.windowTarget && document.getElementById(chart.dataset.windowTarget);
    if (!panel) return open(url);
    // The window page works on its own (it is a link); here its section is fetched and shown in place.
    panel.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var section = new DOMParser().parseFromString(html, "text/html").getElementById("tension-window");
        panel.replaceChildren.apply(panel, Array.prototype.slice.call(section.childNodes));
        panel.removeAttribute("aria-busy");
        var heading = panel.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus({ preventScroll: false });
        }
      })
      .catch(function () {
        window.location.href = url;
      });
  }

  // A tapped marker, before it opens: what it is, and a link. data: a marker's customdata, an event's
  // [url, date, title, actors, type] or an aggregated marker's [query, period, category, count, sum].
  function showPick(target, data) {
    var panel = chart.dataset.pickTarget && document.getElementById(chart.dataset.pickTarget);
    if (!panel) return;
    var grouped = String(data[0]).charAt(0) === "?";
    var heading = document.createElement("p");
    heading.className = "chart-pick__date";
    heading.textContent = grouped
      ? plain(data[1]) + " · " + plain(data[2]) + " · " + data[3] + " event" + (data[3] === 1 ? "" : "s")
      : plain(data[1]) + " · " + plain(data[4]);
    var link = document.createElement("a");
    link.href = target;
    link.textContent = grouped ? "Show these " + data[3] + " events" : plain(data[2]);
    var title = document.createElement("p");
    title.className = "chart-pick__title";
    title.appendChild(link);
    var hint = document.createElement("p");
    hint.className = "chart-pick__hint";
    hint.textContent = grouped
      ? "Tap the marker again or the link to zoom to them."
      : "Tap the marker again or the title to open the event.";
    panel.replaceChildren(heading, title, hint);
    panel.hidden = false;
  }

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

  window.TensionChart = {
    figure: theFigure, plain: plain, withBack: withBack, markerTarget: markerTarget, windowUrl: windowUrl,
    open: open, showWindow: showWindow, showPick: showPick, rangeFromUrl: rangeFromUrl, setUrlRange: setUrlRange
  };
  // Without a picture (a view too large to draw one, readers/figures/poster.py) plotly.js does it all.
  if (!chart || !poster) return;

  // --- the picture's points -----------------------------------------------------------------------------

  function day(value) {
    var parts = String(value).slice(0, 10).split("-");
    return Date.UTC(+parts[0], parts[1] - 1, +parts[2]) / DAY_MS + UNIX_EPOCH_ORDINAL;
  }

  function isoDay(number) {
    return new Date((Math.round(number) - UNIX_EPOCH_ORDINAL) * DAY_MS).toISOString().slice(0, 10);
  }

  function axis(svg, name) {
    var value = svg.getAttribute("data-" + name);
    if (!value) return null;
    var a = value.split(" ").map(Number);
    var scale = (a[3] - a[2]) / (a[1] - a[0]);
    return {
      at: function (v) { return a[2] + (v - a[0]) * scale; },
      value: function (px) { return a[0] + (px - a[2]) / scale; }
    };
  }

  // Each answering point of the figure in the svg's units: [x, y, radius, trace, index], placed once for
  // each picture (the wide one and the phone's).
  var placed = new WeakMap();
  function points(svg) {
    if (placed.has(svg)) return placed.get(svg);
    var x = axis(svg, "x");
    var found = [];
    theFigure().data.forEach(function (trace) {
      var y = axis(svg, trace.yaxis || "y");
      if (!x || !y || !trace.hovertemplate || trace.hoverinfo === "skip" || String(trace.mode).indexOf("markers") === -1) return;
      var sizes = (trace.marker && trace.marker.size) || 6;
      trace.x.forEach(function (value, i) {
        if (value === null || trace.y[i] === null) return;
        var size = typeof sizes === "number" ? sizes : sizes[i];
        found.push([x.at(day(value)), y.at(trace.y[i]), size / 2, trace, i]);
      });
    });
    placed.set(svg, found);
    return found;
  }

  function shownPicture() {
    return Array.prototype.filter.call(poster.querySelectorAll("svg"), function (svg) {
      return svg.getBoundingClientRect().width > 0;
    })[0];
  }

  // The figure's point under the pointer, or null; plotly.js's "closest": the nearest within reach.
  function pointAt(event) {
    var svg = shownPicture();
    var matrix = svg && svg.getScreenCTM();
    if (!matrix) return null;
    var at = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    var reach = HOVER_DISTANCE / matrix.a;
    var best = null;
    var bestDistance = Infinity;
    points(svg).forEach(function (point) {
      var distance = Math.max(0, Math.hypot(point[0] - at.x, point[1] - at.y) - point[2]);
      if (distance <= reach && distance < bestDistance) {
        best = point;
        bestDistance = distance;
      }
    });
    if (!best) return null;
    var screen = new DOMPoint(best[0], best[1]).matrixTransform(matrix);
    return { trace: best[3], index: best[4], clientX: screen.x, clientY: screen.y, radius: best[2] * matrix.a };
  }

  // --- the hover label: the trace's hovertemplate filled as plotly.js fills it ---------------------------

  function formatDate(value, format) {
    var parts = String(value).slice(0, 10).split("-");
    return format
      .replace("%-d", String(+parts[2]))
      .replace("%d", parts[2])
      .replace("%b", MONTHS[parts[1] - 1])
      .replace("%Y", parts[0]);
  }

  function fill(trace, i) {
    return trace.hovertemplate.replace(/<extra>.*?<\/extra>/, "").replace(/%\{([^}|:]+)([|:][^}]*)?\}/g, function (_, name, format) {
      var item = /^customdata\[(\d+)\]$/.exec(name);
      var value = item ? trace.customdata[i][+item[1]] : trace[name][i];
      if (format && format.charAt(0) === "|") return formatDate(value, format.slice(1));
      var digits = format && /^:\.(\d+)f$/.exec(format);
      return digits ? Number(value).toFixed(+digits[1]) : String(value);
    });
  }

  var label = document.createElement("div");
  label.className = "chart-hover";
  label.hidden = true;
  label.setAttribute("aria-hidden", "true"); // the chart in words (#chart-text) says the same to every reader
  poster.appendChild(label);

  // Only <br> and <b>…</b> are markup in a label; every other piece is the figure's escaped text.
  function showLabel(point) {
    var trace = point.trace;
    var lines = fill(trace, point.index).split("<br>").map(function (line) {
      var row = document.createElement("div");
      var bold = false;
      line.split(/(<b>|<\/b>)/).forEach(function (piece) {
        if (piece === "<b>" || piece === "</b>") {
          bold = piece === "<b>";
        } else if (piece) {
          var text = document.createTextNode(plain(piece));
          if (bold) row.appendChild(document.createElement("b")).appendChild(text);
          else row.appendChild(text);
        }
      });
      return row;
    });
    label.replaceChildren.apply(label, lines);
    var colour = trace.marker && typeof trace.marker.color === "string" ? trace.marker.color : "#444";
    label.style.borderColor = colour;
    label.hidden = false;
    // Beside the marker, on the side with room, inside the picture (never cut at its edges).
    var box = poster.getBoundingClientRect();
    var x = point.clientX - box.left;
    var y = point.clientY - box.top;
    var width = label.offsetWidth;
    var height = label.offsetHeight;
    var gap = point.radius + 6;
    var left = x + gap;
    var top = y - height / 2;
    if (left + width > box.width) left = x - gap - width;
    if (left < 0) {
      // No room on either side (a phone): under the marker, or over it, so that it stays in sight.
      left = x - width / 2;
      top = y + gap + height <= box.height ? y + gap : y - gap - height;
    }
    // Moved by a transform, as plotly.js moves its SVG label: no layout shift (Core Web Vitals' CLS).
    left = Math.max(0, Math.min(left, box.width - width));
    top = Math.max(0, Math.min(top, box.height - height));
    label.style.transform = "translate(" + left + "px, " + top + "px)";
  }

  function hideLabel() {
    label.hidden = true;
  }

  // --- what the reader does on the picture -----------------------------------------------------------------

  var picked = null;
  var press = null;
  var dragged = false;
  var zoomBox = null;

  function act(point) {
    var trace = point.trace;
    if (trace.yaxis === "y2") return showWindow(windowUrl(trace, trace.x[point.index]));
    var data = trace.customdata && trace.customdata[point.index];
    if (!data) return;
    var target = markerTarget(data[0]);
    if (touch && picked !== target) {
      showPick(target, data);
      picked = target;
      return;
    }
    open(target);
  }

  poster.addEventListener("mousemove", function (event) {
    if (press) return dragTo(event);
    var point = pointAt(event);
    poster.classList.toggle("chart-poster--over", !!point);
    if (point) showLabel(point);
    else hideLabel();
  });
  poster.addEventListener("mouseleave", hideLabel);
  // A finger on a marker shows its label at once; the tap (the click after it) picks or opens it.
  poster.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "touch") return;
    var point = pointAt(event);
    if (point) showLabel(point);
  });
  poster.addEventListener("click", function (event) {
    if (event.defaultPrevented) return;
    var point = pointAt(event);
    if (!point) return hideLabel();
    showLabel(point);
    act(point);
  });

  // Drag to zoom, as on plotly.js's chart (mouse only: on a touch screen a drag scrolls the page). The
  // range goes into the address and plotly.js is loaded at once; timeline.js zooms to the address's range.
  poster.addEventListener("mousedown", function (event) {
    if (event.button !== 0 || !chart.dataset.zoomUrl) return;
    press = { x: event.clientX, moved: false };
    event.preventDefault(); // no text selection while dragging
  });
  function dragTo(event) {
    var box = poster.getBoundingClientRect();
    if (!press.moved && Math.abs(event.clientX - press.x) < DRAG_PX) return;
    press.moved = true;
    hideLabel();
    if (!zoomBox) {
      zoomBox = poster.appendChild(document.createElement("div"));
      zoomBox.className = "chart-zoombox";
    }
    zoomBox.style.left = Math.min(press.x, event.clientX) - box.left + "px";
    zoomBox.style.width = Math.abs(event.clientX - press.x) + "px";
  }
  window.addEventListener("mouseup", function (event) {
    if (!press) return;
    var moved = press.moved;
    var from = press.x;
    press = null;
    if (!moved) return;
    dragged = true;
    var svg = shownPicture();
    var matrix = svg.getScreenCTM().inverse();
    var x = axis(svg, "x");
    var ends = [from, event.clientX].map(function (clientX) {
      return x.value(new DOMPoint(clientX, 0).matrixTransform(matrix).x);
    }).sort(function (a, b) { return a - b; });
    setUrlRange([isoDay(ends[0]), isoDay(ends[1])]);
    var status = document.getElementById("zoom-status");
    if (status) status.textContent = "Zooming to " + isoDay(ends[0]) + " – " + isoDay(ends[1]) + "…";
    document.dispatchEvent(new Event("chart:plotly-wanted"));
  });
  // The click that ends a drag is no click on a marker.
  poster.addEventListener("click", function (event) {
    if (dragged) event.preventDefault();
    dragged = false;
  }, true);

  // chart-loader.js marks "chart-interactive" in the frame the picture is on screen, answering. Just after
  // that frame the figure is read and its points placed, so that the first hover or tap does not wait
  // for it (a figure of thousands of events takes tens of milliseconds on a phone).
  window.TensionChart.answering = true;
  window.requestAnimationFrame(function () {
    window.setTimeout(function () {
      var svg = shownPicture();
      if (svg) points(svg);
    }, 0);
  });
})();
