// Likely duplicates while a new event is typed: each change of its title, date, type or actors asks the
// server (editorial/admin/duplicate_check.py, whose address the fieldset carries in data-check-url)
// which events of the record it may duplicate, and shows them above the fields with the "Not a
// duplicate" tick and its reason, before the editor saves. The save checks again on the server.
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  const hint = document.querySelector("#likely-duplicates[data-check-url]");
  const form = hint && hint.closest("form");
  if (!$ || !form) return;
  const list = hint.querySelector(".likely-duplicate-list");
  const tick = hint.querySelector(".not-a-duplicate");
  const WAIT_MS = 300; // after the last change, before asking
  const ACTOR = /^event_actors-(\d+)-actor$/;
  let timer = null;
  let asked = 0;

  function field(name) {
    const element = form.elements.namedItem(name);
    return element ? element.value.trim() : "";
  }

  function question() {
    const params = new URLSearchParams({ title: field("title"), date: field("date") });
    if (field("event_type")) params.set("event_type", field("event_type"));
    for (const select of form.querySelectorAll("select[name^=event_actors-][name$=-actor]")) {
      const row = select.name.match(ACTOR);
      if (!row || !select.value) continue;
      const deleted = form.elements.namedItem("event_actors-" + row[1] + "-DELETE");
      if (deleted && deleted.checked) continue;
      params.append("actor", select.value + ":" + field("event_actors-" + row[1] + "-role"));
    }
    return params;
  }

  function show(found) {
    list.replaceChildren();
    for (const duplicate of found) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = duplicate.url;
      link.target = "_blank";
      link.textContent = duplicate.label;
      item.append(link, " (" + duplicate.status + "): " + duplicate.why + ".");
      list.append(item);
    }
    hint.hidden = found.length === 0;
    if (tick) tick.hidden = found.length === 0;
  }

  async function ask() {
    const mine = ++asked;
    if (!field("title") || !/^\d{4}-\d{2}-\d{2}$/.test(field("date"))) return;
    try {
      const response = await fetch(hint.dataset.checkUrl + "?" + question(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (mine === asked && response.ok) show(answer.duplicates);
    } catch (error) {
      // Not shown now, the save still checks: nothing is lost but the early warning.
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  }

  const WATCHED = /^(title|date|event_type|event_actors-\d+-(actor|role|DELETE))$/;
  form.addEventListener("input", function (event) {
    if (WATCHED.test(event.target.name)) later();
  });
  form.addEventListener("change", function (event) {
    if (WATCHED.test(event.target.name)) later();
  });
  // Select2 (the autocompletes) announces a choice with a jQuery "change" event only.
  $(form).on("change", "select", function () {
    if (WATCHED.test(this.name)) later();
  });
});
