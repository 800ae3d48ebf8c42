// A form sent back with errors: bring the first error into view, with its field focused. Django says
// "Please correct the errors below" at the top, and the error itself may be a long way down (a source
// or a reaction row).
"use strict";
window.addEventListener("load", function () {
  const form = document.querySelector("#content-main form");
  const error = form && form.querySelector(".errorlist");
  if (!error) return;
  // The field's row, or the inline row whose own error it is (a non-field error of a source or link).
  const row = error.closest(".form-row, .inline-related, fieldset") || error;
  row.scrollIntoView({ block: "center" });
  // A Select2 combobox hides its <select>: focus what the editor sees instead.
  const field = row.querySelector(
    "input:not([type=hidden]):not(.select2-hidden-accessible), textarea, select:not(.select2-hidden-accessible), .select2-selection"
  );
  if (field) field.focus({ preventScroll: true });
});
