from django.contrib import admin

from .models import Actor, Country, Event, EventActor, EventType, Reaction, Region, Source


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "iso2"]
    search_fields = ["name", "iso2"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["countries"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "cameo_code", "default_escalation"]
    list_filter = ["category"]
    search_fields = ["name", "cameo_code"]


class EventActorInline(admin.TabularInline):
    model = EventActor
    extra = 1
    autocomplete_fields = ["actor"]


class SourceInline(admin.StackedInline):
    model = Source
    extra = 0


class ReactionInline(admin.TabularInline):
    model = Reaction
    fk_name = "event"
    extra = 0
    autocomplete_fields = ["responds_to"]
    verbose_name = "responds to"
    verbose_name_plural = "responds to"


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "event_type", "escalation", "status"]
    list_filter = ["status", "event_type__category", "event_type", "location_country"]
    list_select_related = ["event_type"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["event_type", "location_country"]
    inlines = [EventActorInline, SourceInline, ReactionInline]
