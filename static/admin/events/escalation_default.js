// Pre-fill the escalation from the event type's default when the type is chosen, unless the editor
// has already typed a different value (which then needs a note saying why).
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  const escalation = document.getElementById("id_escalation");
  const type = document.getElementById("id_event_type");
  if (!$ || !escalation || !type) return;
  const defaults = JSON.parse(escalation.dataset.typeDefaults || "{}");
  let previousDefault = defaults[type.value];
  // Select2 (the autocomplete) announces the choice with a jQuery "change" event.
  $(type).on("change", function () {
    const next = defaults[type.value];
    if (next === undefined) return;
    if (escalation.value === "" || escalation.value === previousDefault) escalation.value = next;
    escalation.placeholder = next;
    previousDefault = next;
  });
  if (defaults[type.value] !== undefined) escalation.placeholder = defaults[type.value];
});
