// Each reaction row says how long after the event it responds to this one came ("5 days after"), as the
// editor picks the event or types the date. The date of the event responded to comes with each
// suggestion (RespondableEventsView) and on the chosen option (RespondsToSelect).
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  const date = document.getElementById("id_date");
  if (!$ || !date) return;
  const DAY = 24 * 60 * 60 * 1000;
  const ROWS = "select[id^=id_reaction_links-][id$=-responds_to]";

  function lagOf(select) {
    const option = select.selectedOptions[0];
    const then = option && option.dataset.date;
    if (!then || !/^\d{4}-\d{2}-\d{2}$/.test(date.value)) return "";
    const days = Math.round((Date.parse(date.value) - Date.parse(then)) / DAY);
    if (days < 0) return "Before the event it responds to: a reaction comes after it.";
    return days === 0 ? "The same day as the event it responds to." : days + (days === 1 ? " day" : " days") + " after the event it responds to.";
  }

  function show(select) {
    let lag = select.parentElement.querySelector(".reaction-lag");
    if (!lag) {
      lag = document.createElement("div");
      lag.className = "help reaction-lag";
      lag.setAttribute("aria-live", "polite");
      select.parentElement.appendChild(lag);
    }
    lag.textContent = lagOf(select);
  }

  $(document).on("select2:select", ROWS, function (event) {
    const option = this.selectedOptions[0];
    if (option && event.params.data.date) option.dataset.date = event.params.data.date;
    show(this);
  });
  // Not the hidden template of a new row (its id holds "__prefix__").
  function showAll() {
    document.querySelectorAll(ROWS).forEach(function (select) {
      if (!select.id.includes("__prefix__")) show(select);
    });
  }
  date.addEventListener("input", showAll);
  showAll();
});
