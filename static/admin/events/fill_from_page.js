// "Fill from the page": beside each source's URL, a button that asks our server to fetch the page
// (editorial/admin/sources.py, whose address the URL field carries in data-lookup-url) and fills the
// source's publisher, title and published date from what the page says, for the editor to confirm.
"use strict";
(function () {
  const FILLED = [
    ["publisher", "publisher"],
    ["title", "title"],
    ["published_on", "date"],
  ];

  function sibling(input, name) {
    // "sources-0-url" → "sources-0-publisher" on the event form; "url" → "publisher" on the Source form.
    const prefix = input.name.slice(0, input.name.length - "url".length);
    return input.form.querySelector('[name="' + prefix + name + '"]');
  }

  // A new event entered from its story's URL: its own title and date, while empty, start as the page's
  // (a source row of the event form only; the Source form's title is the source's own).
  const EVENT_FIELDS = [
    ["title", "title", "title"],
    ["date", "published_on", "date"],
  ];

  function fillEmptyEvent(input, found) {
    const started = [];
    if (input.name === "url") return started;
    for (const [name, key, label] of EVENT_FIELDS) {
      const field = input.form.querySelector('[name="' + name + '"]');
      if (field && !field.value.trim() && found[key]) {
        field.value = found[key];
        field.dispatchEvent(new Event("change", { bubbles: true }));
        started.push(label);
      }
    }
    return started;
  }

  function attach(input) {
    if (input.dataset.fillFromPage || input.name.indexOf("__prefix__") !== -1) return;
    input.dataset.fillFromPage = "on";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button fill-from-page";
    button.textContent = "Fill from the page";
    const status = document.createElement("span");
    status.className = "fill-from-page-status help";
    status.setAttribute("role", "status");
    input.after(button, status);
    button.addEventListener("click", function () {
      lookUp(input, button, status);
    });
  }

  async function lookUp(input, button, status) {
    const url = input.value.trim();
    if (!url) {
      status.textContent = "Paste the page's address first.";
      return;
    }
    const params = new URLSearchParams({ url: url });
    const row = sibling(input, "id");
    const sourceId = input.dataset.sourceId || (row && row.value);
    if (sourceId) params.set("source", sourceId);
    button.disabled = true;
    status.textContent = "Reading the page…";
    try {
      const response = await fetch(input.dataset.lookupUrl + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const found = await response.json();
      if (!response.ok) {
        status.textContent = found.error || "The page could not be read.";
        return;
      }
      const filled = [];
      for (const [name, label] of FILLED) {
        const field = sibling(input, name);
        if (field && found[name]) {
          field.value = found[name];
          field.dispatchEvent(new Event("change", { bubbles: true }));
          filled.push(label);
        }
      }
      const started = fillEmptyEvent(input, found);
      status.textContent =
        (filled.length ? "Filled " + filled.join(", ") + " from the page: check them before saving." : "The page says nothing about itself: fill the fields by hand.") +
        (started.length ? " The event's empty " + started.join(" and ") + " were taken from it too: check that the date is the event's, not only the report's." : "") +
        (found.final_url !== url ? " The page is now at " + found.final_url + "." : "") +
        (found.copy_kept ? " A copy of its text is kept." : "");
    } catch (error) {
      status.textContent = "The page could not be read (" + error.message + ").";
    } finally {
      button.disabled = false;
    }
  }

  window.addEventListener("load", function () {
    document.querySelectorAll("input[data-lookup-url]").forEach(attach);
    // A row added with "Add another Source" is a copy of the empty form: it gets its own button.
    document.addEventListener("formset:added", function (event) {
      event.target.querySelectorAll("input[data-lookup-url]").forEach(attach);
    });
  });
})();
