// The `responds_to` autocomplete offers only events this one may respond to: on or before the date
// the form holds now (even before it is saved). Select2 asks through jQuery, so the date is added to
// each of its requests to events.admin.RespondableEventsView; the server checks everything again.
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  const date = document.getElementById("id_date");
  if (!$ || !date) return;
  $.ajaxPrefilter(function (options) {
    if (options.url && options.url.indexOf("/respondable/") !== -1 && /^\d{4}-\d{2}-\d{2}$/.test(date.value)) {
      options.url += (options.url.indexOf("?") === -1 ? "?" : "&") + "before=" + encodeURIComponent(date.value);
    }
  });
});
