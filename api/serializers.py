"""How the API writes the record: one representation of an event for the list, the event by slug and
the change feed, so a client that walks the list holds exactly what the event endpoint says."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from events.models import PUBLIC_STATUSES, Actor, Country, Event, EventActor, EventType, Reaction, Region, Source
from events.trends import Scope, Trend
from exports import geojson

from . import changes


def with_record(events: QuerySet) -> QuerySet:
    """The queryset with everything the representation reads: seven queries per page, whatever its size.

    Reaction links are kept only where the far end is public: a reaction to a draft must not betray it."""
    return events.for_display().prefetch_related(
        Prefetch("sources", queryset=Source.objects.order_by("published_on", "id")),
        Prefetch(
            "reaction_links",
            queryset=Reaction.objects.filter(responds_to__status__in=PUBLIC_STATUSES)
            .select_related("responds_to", "basis_source")
            .order_by("responds_to__date", "id"),
        ),
        Prefetch(
            "reacted_by_links",
            queryset=Reaction.objects.filter(event__status__in=PUBLIC_STATUSES)
            .select_related("event", "basis_source")
            .order_by("event__date", "id"),
        ),
    )


class ActorRoleSerializer(serializers.Serializer):
    slug = serializers.CharField(source="actor.slug")
    name = serializers.CharField(source="actor.name")
    kind = serializers.CharField(source="actor.kind")
    role = serializers.ChoiceField(choices=EventActor.Role.choices)


class SourceSerializer(serializers.Serializer):
    publisher = serializers.CharField()
    title = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    url = serializers.CharField(help_text="Empty for a printed or broadcast source.")


class ReactionLinkSerializer(serializers.Serializer):
    """One reaction link seen from one of its ends: `event` is the other end."""

    event = serializers.SerializerMethodField(help_text="The slug of the event at the other end of the link.")
    title = serializers.SerializerMethodField()
    date = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=Reaction.Kind.choices)
    note = serializers.CharField()
    lag_days = serializers.IntegerField(help_text="Days from the event reacted to until the reaction.")
    basis = serializers.SerializerMethodField(
        help_text="What backs the link: kind (source, judgement, or empty), the source or the editors' judgement."
    )

    @extend_schema_field(
        inline_serializer(
            "ReactionBasis",
            {
                "kind": serializers.CharField(),
                "judgement": serializers.CharField(),
                "source": SourceSerializer(allow_null=True),
            },
        )
    )
    def get_basis(self, link: Reaction) -> dict:
        source = link.basis_source
        return {
            "kind": link.basis_kind,
            "judgement": link.basis_judgement,
            "source": SourceSerializer(source).data if source is not None else None,
        }

    def other(self, link: Reaction) -> Event:
        return link.responds_to if self.context.get("direction") == "responds_to" else link.event

    def get_event(self, link: Reaction) -> str:
        return self.other(link).slug

    def get_title(self, link: Reaction) -> str:
        return self.other(link).title

    def get_date(self, link: Reaction) -> str:
        return self.other(link).date.isoformat()


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Stable for the life of the event (the slug may be corrected).")
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField(help_text="The event's page for readers.")
    title = serializers.CharField()
    date = serializers.DateField(help_text="For a date known only to the month or year, its first day.")
    date_precision = serializers.ChoiceField(choices=Event.Precision.choices)
    end_date = serializers.DateField(allow_null=True)
    summary = serializers.CharField()
    event_type = serializers.SlugField(source="event_type.slug")
    category = serializers.ChoiceField(source="event_type.category", choices=EventType.Category.choices)
    escalation = serializers.DecimalField(max_digits=3, decimal_places=1, coerce_to_string=False)
    escalation_note = serializers.CharField()
    verification = serializers.ChoiceField(choices=Event.Verification.choices)
    country = serializers.CharField(source="location_country.iso2", allow_null=True, default=None)
    location = serializers.CharField(source="location_name")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, coerce_to_string=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, coerce_to_string=False, allow_null=True)
    status = serializers.ChoiceField(choices=[(s, Event.Status(s).label) for s in PUBLIC_STATUSES])
    retraction_note = serializers.CharField(help_text="Why the event was retracted; empty otherwise.")
    made_from = serializers.CharField(
        help_text="The machine-coded datasets and ids the event was made from or merged with in the editors' "
        "inbox, e.g. “ACLED LTU1234; GDELT 2.0 1187654321”; empty for an event entered by hand."
    )
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    actors = ActorRoleSerializer(source="event_actors.all", many=True)
    sources = SourceSerializer(source="sources.all", many=True)
    responds_to = serializers.SerializerMethodField(help_text="The public events this one reacts to.")
    reacted_by = serializers.SerializerMethodField(help_text="The public events that react to this one.")

    def get_url(self, event: Event) -> str:
        prefix, suffix = self.context["url_parts"]
        return f"{prefix}{event.slug}{suffix}"

    def _links(self, links, direction: str) -> list[dict]:
        return ReactionLinkSerializer(links, many=True, context={"direction": direction}).data

    @extend_schema_field(ReactionLinkSerializer(many=True))
    def get_responds_to(self, event: Event) -> list[dict]:
        return self._links(event.reaction_links.all(), "responds_to")

    @extend_schema_field(ReactionLinkSerializer(many=True))
    def get_reacted_by(self, event: Event) -> list[dict]:
        return self._links(event.reacted_by_links.all(), "reacted_by")


class ActorSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso2", allow_null=True, default=None)

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "country", "aliases"]


class EventTypeSerializer(serializers.ModelSerializer):
    default_escalation = serializers.DecimalField(max_digits=3, decimal_places=1, coerce_to_string=False)

    class Meta:
        model = EventType
        fields = ["slug", "name", "category", "default_escalation", "cameo_code", "description"]


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["slug", "iso2", "name"]


class RegionSerializer(serializers.ModelSerializer):
    countries = serializers.SlugRelatedField(slug_field="iso2", many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["slug", "name", "description", "countries"]


class IndexPointSerializer(serializers.Serializer):
    day = serializers.DateField()
    value = serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False)
    window_start = serializers.DateField()


class TensionIndexSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    rule = serializers.CharField(help_text="Which events the index counts (its weighting rule), in words.")
    points = IndexPointSerializer(many=True)


def escalation_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False, **kwargs)


class MonthTrendSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    tension = escalation_field(help_text="The weights of the month's events summed.")
    previous = escalation_field(help_text="The same for the month before.")
    threshold = escalation_field(help_text="How far the change must go to count (the series' own variability).")
    trend = serializers.ChoiceField(choices=Trend.choices)
    arrow = serializers.CharField()


class DyadEventSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    date = serializers.DateField()
    verification = serializers.ChoiceField(choices=Event.Verification.choices)
    escalation = escalation_field()
    weight = escalation_field(help_text="Its weight in the index: its escalation, or 0 when it does not count.")


class DyadSideSerializer(serializers.Serializer):
    actor = serializers.SlugField(source="actor.slug", help_text="The initiator of this side's events.")
    against = serializers.SlugField(source="other.slug", help_text="Their target.")
    count = serializers.IntegerField(help_text="How many events this side has.")
    events = DyadEventSerializer(many=True, help_text="Its latest events (at most 200), oldest first.")
    total = escalation_field(help_text="All its events' weights summed.")
    peak = IndexPointSerializer(allow_null=True, help_text="The side's highest 30-day index.")
    index = IndexPointSerializer(many=True, help_text="The side's tension index, one point where it changes.")


class ExchangeSerializer(serializers.Serializer):
    event = serializers.SlugField(source="link.event.slug", help_text="The answer.")
    responds_to = serializers.SlugField(source="link.responds_to.slug", help_text="What it answers.")
    by = serializers.SlugField(source="by.slug", help_text="The side whose event answers.")
    kind = serializers.ChoiceField(source="link.kind", choices=Reaction.Kind.choices)
    lag_days = serializers.IntegerField()


class DyadSerializer(serializers.Serializer):
    a = DyadSideSerializer(help_text="The first actor's events against the second.")
    b = DyadSideSerializer(help_text="The second actor's events against the first.")
    first_actor = serializers.SlugField(source="first_actor.slug", allow_null=True, help_text="Who acted first.")
    first_event = serializers.SlugField(source="first_event.slug", allow_null=True, help_text="With what.")
    reactions = ExchangeSerializer(many=True, source="exchanges", help_text="Every reaction between them.")
    lag_median = serializers.FloatField(allow_null=True, help_text="Days, over the reactions between them.")
    lag_min = serializers.IntegerField(allow_null=True)
    lag_max = serializers.IntegerField(allow_null=True)
    chain = serializers.ListField(
        child=serializers.SlugField(), source="chain_slugs", help_text="The longest action–reaction chain."
    )
    trend = MonthTrendSerializer(allow_null=True, help_text="The pair's trend in the record's latest month.")
    turns = MonthTrendSerializer(many=True, help_text="Every month since the pair's first that moved.")


class TrendRowSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Scope.choices)
    key = serializers.CharField(
        help_text="The region's or country's slug, the pair's two actor slugs joined by '/', empty for the record."
    )
    name = serializers.CharField()
    trend = MonthTrendSerializer()


class TrendListSerializer(serializers.Serializer):
    month = serializers.DateField(allow_null=True, help_text="The record's latest month (null for an empty record).")
    rows = TrendRowSerializer(many=True)


class ChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(
        choices=changes.KINDS,
        help_text="published: the event's first publication, and nothing in it has changed since; changed: "
        "it has (a correction, a source, a link, an actor renamed…), whatever the page or the `since` this "
        "answer started from; retracted: with its note; removed: the event left the public record "
        "(unpublished or deleted), drop it from a copy.",
    )
    slug = serializers.SlugField()
    changed_at = serializers.DateTimeField()
    event = EventSerializer(allow_null=True, help_text="The event as it is now; null when removed.")


class ChangeFeedSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    cursor = serializers.CharField(help_text="Where this answer ends: ask again with it.")
    next = serializers.URLField(help_text="This query (its `limit` too) from `cursor` on.")
    more = serializers.BooleanField(help_text="True when more changes may follow at once.")


# --- the exports' documents (streamed by exports/, described here for the schema) --------------------


class PointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[longitude, latitude]"
    )


class FeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.SlugField(help_text="The event's slug.")
    geometry = PointSerializer()
    properties = serializers.DictField(help_text=f"The event's {', '.join(geojson.PROPERTIES)} and url.")


class OmittedSerializer(serializers.Serializer):
    events = serializers.IntegerField(help_text="Events in the view.")
    features = serializers.IntegerField(help_text="Of them, placed on the map.")
    omitted_without_coordinates = serializers.IntegerField()


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = FeatureSerializer(many=True)
    metadata = OmittedSerializer()


class SlideDateSerializer(serializers.Serializer):
    """Only the parts the event's date precision knows."""

    year = serializers.IntegerField()
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    day = serializers.IntegerField(required=False, min_value=1, max_value=31)


class SlideTextSerializer(serializers.Serializer):
    headline = serializers.CharField(help_text="HTML (escaped).")
    text = serializers.CharField(help_text="HTML (escaped).")


class SlideMediaSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="A <blockquote> listing the sources, linked where they are online.")
    credit = serializers.CharField(help_text="Sources: publisher, title; … (what TimelineJS shows as the credit).")


class SlideSerializer(serializers.Serializer):
    unique_id = serializers.CharField(help_text="The event's slug (`no-events` on the one slide of an empty view).")
    start_date = SlideDateSerializer()
    end_date = SlideDateSerializer(required=False)
    text = SlideTextSerializer()
    group = serializers.CharField(required=False, help_text="The event type's category (none on an empty view).")
    media = SlideMediaSerializer(required=False, help_text="The sources, when the event has any.")
    credit = serializers.CharField(required=False, help_text="The same as media.credit.")


class TitleSlideSerializer(serializers.Serializer):
    text = SlideTextSerializer()


class TimelineJSSerializer(serializers.Serializer):
    title = TitleSlideSerializer()
    events = SlideSerializer(many=True, help_text="At least one slide: an empty view has one that says so.")
