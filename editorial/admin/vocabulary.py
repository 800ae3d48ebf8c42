"""The shared vocabulary (countries, regions, actors, event types): changed by publishers only
(events/roles.py), since published pages and the public filter lists show it."""

from __future__ import annotations

from django.contrib import admin

from editorial.admin.base import SELECT2_NAMES_JS, RefusesControlCharactersInQueries


class VocabularyAdmin(RefusesControlCharactersInQueries, admin.ModelAdmin):
    """Actors, event types, countries, regions: who may change them is in their permissions (roles.py)."""


class CountryAdmin(VocabularyAdmin):
    list_display = ["name", "iso2"]
    search_fields = ["name", "iso2"]
    prepopulated_fields = {"slug": ["name"]}


class RegionAdmin(VocabularyAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["countries"]
    prepopulated_fields = {"slug": ["name"]}


class ActorAdmin(VocabularyAdmin):
    list_display = ["name", "slug", "kind", "country"]
    list_filter = ["kind", "country"]
    list_select_related = ["country"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]

    class Media:
        js = [SELECT2_NAMES_JS]


class EventTypeAdmin(VocabularyAdmin):
    list_display = ["name", "slug", "category", "cameo_code", "default_escalation"]
    list_filter = ["category"]
    search_fields = ["name", "slug", "cameo_code"]
    prepopulated_fields = {"slug": ["name"]}
