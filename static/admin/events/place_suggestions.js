// A place's coordinates from the gazetteer: as the editor types the place's name, the places it may be
// (name, country, coordinates) are listed under the field (editorial/admin/places.py, whose address the
// field carries in data-places-url); the one picked fills the latitude and longitude, and the country
// when the form has none yet. Nothing is filled until the editor picks one: a name is never guessed.
"use strict";
window.addEventListener("load", function () {
  const name = document.querySelector("input[data-places-url]");
  const latitude = document.getElementById("id_latitude");
  const longitude = document.getElementById("id_longitude");
  if (!name || !latitude || !longitude) return;
  const country = document.getElementById("id_location_country");
  const $ = window.django && window.django.jQuery;
  const WAIT_MS = 250; // after the last key, before asking
  const list = document.createElement("ul");
  list.className = "place-suggestions";
  list.setAttribute("aria-label", "Places in the gazetteer");
  const status = document.createElement("div");
  status.className = "help place-suggestions-status";
  status.setAttribute("role", "status");
  name.after(list, status);
  let timer = null;
  let asked = 0;

  function pick(place) {
    name.value = place.name;
    latitude.value = place.latitude;
    longitude.value = place.longitude;
    if (country && !country.value && place.country_id && $) {
      // The country autocomplete (Select2) shows the option chosen in its <select>.
      const option = new Option(place.country, place.country_id, true, true);
      $(country).append(option).trigger("change");
    }
    list.replaceChildren();
    status.textContent = "Coordinates of " + place.name + ", " + place.country + " filled from the gazetteer.";
  }

  function show(places) {
    list.replaceChildren();
    for (const place of places) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = place.name + ", " + place.country + " (" + place.latitude + ", " + place.longitude + ")";
      button.addEventListener("click", function () {
        pick(place);
      });
      item.append(button);
      list.append(item);
    }
    status.textContent = places.length
      ? "Pick the place to fill its coordinates."
      : "No match in the gazetteer: nothing filled. Type the coordinates if you know them.";
  }

  async function ask() {
    const typed = name.value.trim();
    const mine = ++asked;
    if (typed.length < 2) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Looking in the gazetteer…";
    try {
      const response = await fetch(name.dataset.placesUrl + "?" + new URLSearchParams({ name: typed }), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (mine !== asked) return; // the editor typed on meanwhile: a later answer is coming
      if (!response.ok) {
        list.replaceChildren();
        status.textContent = answer.error || "The gazetteer could not be asked.";
        return;
      }
      show(answer.places);
    } catch (error) {
      status.textContent = "The gazetteer could not be asked (" + error.message + ").";
    }
  }

  name.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  });
});
