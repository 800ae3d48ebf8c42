// Select2 (Django's autocomplete) draws a combobox named only by its current text: an empty one has
// no name at all. Name each after its field's label (or the aria-label editorial/admin gives inline
// cells), followed by the current text, for every autocomplete on the page and in rows added later,
// whenever Select2 draws it.
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  if (!$) return;
  function name(select) {
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return (label && label.textContent.replace(/:\s*$/, "").trim()) || select.getAttribute("aria-label") || "";
  }
  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const box = select.nextElementSibling;
      const combobox = box && box.querySelector(".select2-selection[role=combobox]");
      if (!combobox || !select.id || select.id.indexOf("__prefix__") !== -1) return;
      const nameId = select.id + "-a11y-name";
      let holder = document.getElementById(nameId);
      if (!holder) {
        holder = document.createElement("span");
        holder.id = nameId;
        holder.hidden = true;
        box.appendChild(holder);
      }
      const text = name(select);
      if (holder.textContent !== text) holder.textContent = text;
      const rendered = combobox.querySelector(".select2-selection__rendered");
      // The current text is part of the combobox's name, not a read-only textbox of its own.
      if (rendered) {
        rendered.removeAttribute("role");
        rendered.removeAttribute("aria-readonly");
      }
      combobox.setAttribute("aria-labelledby", nameId + (rendered && rendered.id ? " " + rendered.id : ""));
    });
  }
  nameAll();
  // Select2 may start after this (autocomplete.js starts it from jQuery's ready, which jQuery runs
  // asynchronously, and on the "formset:added" of a new inline row): name each box as it appears.
  new MutationObserver(function (changes) {
    const started = changes.some(function (change) {
      return Array.prototype.some.call(change.addedNodes, function (node) {
        return node.classList && node.classList.contains("select2-container");
      });
    });
    if (started) nameAll();
  }).observe(document.body, { childList: true, subtree: true });
});
