"""When a chart first answers a reader (bench/render.py): navigation start → the first hover label (desktop: a
real mouse move over a marker) or tap label (a phone, 390 × 844, its CPU slowed 4×: a real tap), the label
in the DOM; and, the page settled (a second after that), how long another marker's label takes after the
move or tap that asks for it.

From navigation on, the page is asked again and again (every POLL_MS): where is a marker now? Once one is
found, the mouse moves there (a pixel back and forth: a move to where the pointer already is is no move)
or a finger taps there, until a label is in the DOM. An observer installed before the page's own scripts
(an init script: the pages' Content-Security-Policy does not apply to it) notes when a label appears (or,
the second time, changes) and when each input was given, in the page's own clock.

What counts as a label: ours, the still picture's (static/js/chart-poster.js) or plotly.js's; plotly.js's
own, for the plotly peers; vis-timeline's tooltip (its item's title, its delay set to 0, the library's best)
or, on a phone, the item it selects; TimelineJS has no hover labels (its text is its slide, drawn at once):
its first answer is its drawn chart.
"""

from __future__ import annotations

import time

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
PHONE_CPU_SLOWDOWN = 4
POLL_MS = 20
RELOCATE_S = 1.0
SETTLE_MS = 1000
AGAIN_TIMEOUT_S = 5.0

# Noted by the page: window.__answer = {labelAt, inputs: [times of mouse moves and taps], again}; "again":
# a label that changes counts (another marker's), not only one that appears.
OBSERVER = """
window.__answer = { labelAt: null, inputs: [], again: false };
(function () {
  var LABELS = ".chart-hover, .hoverlayer, .vis-item, .vis-tooltip";
  function inLabel(record) {
    var node = record.target.nodeType === 1 ? record.target : record.target.parentNode;
    return !!(node && node.closest && node.closest(LABELS));
  }
  function shown() {
    var labels = ".chart-hover:not([hidden]), .hoverlayer .hovertext, .vis-item.vis-selected";
    if (document.querySelector(labels)) return true;
    var tip = document.querySelector(".vis-tooltip");
    return !!(tip && tip.style.visibility === "visible" && tip.textContent);
  }
  function note(event) { window.__answer.inputs.push(event.timeStamp); }
  window.addEventListener("mousemove", note, true);
  window.addEventListener("touchstart", note, true);
  new MutationObserver(function (records) {
    var answer = window.__answer;
    if (answer.labelAt !== null || !shown()) return;
    if (!answer.again || records.some(inLabel)) answer.labelAt = performance.now();
  }).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["hidden", "style", "class"]
  });
})();
"""

# Where a marker is (the first of its kind, or with last=true the last), in the window's coordinates, or
# null while there is none yet.
LOCATE = """(last) => {
  function centre(element) {
    var r = element.getBoundingClientRect();
    return r.width ? [r.x + r.width / 2, r.y + r.height / 2] : null;
  }
  var svg = Array.prototype.find.call(document.querySelectorAll("#chart-poster svg"), function (s) {
    return s.getBoundingClientRect().width > 0;
  });
  var source = document.getElementById("timeline-figure");
  if (svg && source && svg.getAttribute("data-x")) {  // ours, the still picture: by the axes it states
    var trace = JSON.parse(source.textContent).data.filter(function (t) { return t.customdata; })[0];
    var axis = function (name) { return svg.getAttribute("data-" + name).split(" ").map(Number); };
    var i = last ? trace.x.length - 1 : 0;
    var x = axis("x"), y = axis("y"), d = String(trace.x[i]).slice(0, 10).split("-");
    var day = Date.UTC(+d[0], d[1] - 1, +d[2]) / 864e5 + 719163;
    var p = new DOMPoint(x[2] + (day - x[0]) * (x[3] - x[2]) / (x[1] - x[0]),
                         y[2] + (trace.y[i] - y[0]) * (y[3] - y[2]) / (y[1] - y[0]));
    p = p.matrixTransform(svg.getScreenCTM());
    return [p.x, p.y];
  }
  var plot = document.querySelector(".js-plotly-plot");
  if (plot && plot._fullLayout && plot._fullLayout.xaxis && plot.data && plot.data.length) {  // plotly.js, SVG or WebGL
    var traces = plot.data.filter(function (t) {
      return String(t.mode).indexOf("markers") !== -1 && t.x.length && t.x[0] !== null;
    });
    if (!traces.length) return null;
    var t = traces[0], xa = plot._fullLayout.xaxis, ya = plot._fullLayout[(t.yaxis || "y").replace("y", "yaxis")];
    var box = plot.getBoundingClientRect(), j = last ? t.x.length - 1 : 0;
    return [box.x + xa._offset + xa.d2p(t.x[j]), box.y + ya._offset + ya.d2p(t.y[j])];
  }
  var items = document.querySelectorAll(".vis-item.vis-box, .vis-item.vis-point, .vis-item.vis-range");
  var onScreen = Array.prototype.map.call(items, centre).filter(function (at) {  // on screen, unstacked
    return at && at[0] > 0 && at[0] < innerWidth && at[1] > 0 && at[1] < innerHeight;
  });
  return onScreen[last ? onScreen.length - 1 : 0] || null;
}"""


def first_answer(page, *, phone: bool, timeout: float) -> dict:
    """{"label_ms": navigation → the first label, "answer_ms": the settled page's move or tap → its label}
    (None past the timeout)."""
    label = wait_for_label(page, phone=phone, last=False, deadline=time.monotonic() + timeout)
    if label is None:
        return {"label_ms": None, "answer_ms": None}
    page.wait_for_timeout(SETTLE_MS)
    page.evaluate("Object.assign(window.__answer, {labelAt: null, inputs: [], again: true})")
    again = wait_for_label(page, phone=phone, last=True, deadline=time.monotonic() + AGAIN_TIMEOUT_S)
    return {"label_ms": label["labelAt"], "answer_ms": None if again is None else again["labelAt"] - again["asked"]}


def wait_for_label(page, *, phone: bool, last: bool, deadline: float) -> dict | None:
    """Move to (or tap) a marker until a label answers: the page's __answer and when it was asked."""
    height = page.viewport_size["height"]
    at, located, moves = None, 0.0, 0
    while time.monotonic() < deadline:
        try:
            answer = page.evaluate("window.__answer")
            if answer and answer["labelAt"] is not None:
                asked = max((t for t in answer["inputs"] if t <= answer["labelAt"]), default=answer["labelAt"])
                return answer | {"asked": asked}
            # Located once, and again only after a while without an answer: asking costs the page time.
            if at is None or time.monotonic() - located > RELOCATE_S:
                at, located = page.evaluate(LOCATE, last), time.monotonic()
            if at and phone and not 0 < at[1] < height:  # below the first screen: scroll to it, as a reader does
                page.evaluate(f"window.scrollBy(0, {at[1] - height / 2})")
                at = None
            elif at and phone:
                page.touchscreen.tap(*at)
            elif at:
                moves += 1
                page.mouse.move(at[0] + moves % 2, at[1])
        except Exception:  # noqa: BLE001 — the document is being replaced or the page is busy: ask again
            pass
        page.wait_for_timeout(POLL_MS)
    return None


def as_a_phone(page) -> None:
    """A phone's CPU, 4× slower than this machine's; and the page stays: a tap that would open an event
    (a second tap on a marker already picked) does not leave it, so taps can be repeated until one answers."""
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})
    opened = []

    def stay(route, request) -> None:
        if request.is_navigation_request() and request.frame == page.main_frame:
            opened.append(request.url)
            if len(opened) > 1:
                return route.abort()
        route.continue_()

    page.route("**/*", stay)
