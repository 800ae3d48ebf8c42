"""The record: events, the actors behind them, their sources, and the reactions that chain them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connection, models, router, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from .text import RefusesControlCharacters

ESCALATION_MIN = Decimal("-10")
ESCALATION_MAX = Decimal("10")
# A source link is only ever a web page: never javascript:, data: or file: (validator and constraint).
WEB_URL_SCHEMES = ("http", "https")


def accepted_dates() -> tuple[datetime.date, datetime.date]:
    """The first and last date an event may carry (settings EVENT_EARLIEST_DATE, EVENT_LATEST_DATE):
    a date outside them is a typo (0224 for 2024), and would stretch every timeline for nothing."""
    return (
        datetime.date.fromisoformat(settings.EVENT_EARLIEST_DATE),
        datetime.date.fromisoformat(settings.EVENT_LATEST_DATE),
    )


class EditConflict(Exception):
    """Someone else saved this event after it was loaded: refusing to overwrite their change.

    Raised before anything is written, from the save's own atomic block (a savepoint inside the
    caller's transaction), so a caller that catches it may go on.
    """

    def __init__(self, event: Event, expected_version: int) -> None:
        super().__init__(f"Event {event.pk} changed since version {expected_version} was loaded.")
        self.event = event
        self.expected_version = expected_version


class Stamped(RefusesControlCharacters, models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Country(Stamped):
    iso2 = models.CharField("ISO code", max_length=2, unique=True, help_text="ISO 3166-1 alpha-2, e.g. LT")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_two_capitals"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.iso2 = (self.iso2 or "").upper()
        if len(self.iso2) != 2 or not self.iso2.isalpha():
            raise ValidationError({"iso2": "Use the two-letter ISO 3166-1 code, e.g. LT."})
        if not self.slug:
            self.slug = slugify(self.name)


class Region(Stamped):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    countries = models.ManyToManyField(Country, related_name="regions")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Actor(Stamped):
    class Kind(models.TextChoices):
        STATE = "state", "State"
        ALLIANCE = "alliance", "Alliance"
        ARMED_FORCES = "armed_forces", "Armed forces"
        OFFICIAL = "official", "Government official or body"
        NON_STATE = "non_state", "Non-state group"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATE)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="actors")
    aliases = models.TextField(blank=True, help_text="Other names, one per line or comma-separated.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventType(Stamped):
    class Category(models.TextChoices):
        MILITARY_POSTURE = "military_posture", "Military posture"
        WARNING = "warning", "Warning"
        STATEMENT = "statement", "Statement"
        ECONOMIC = "economic", "Economic"
        DIPLOMATIC = "diplomatic", "Diplomatic"
        INCIDENT = "incident", "Incident"
        DE_ESCALATION = "de_escalation", "De-escalation"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    default_escalation = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(ESCALATION_MIN), MaxValueValidator(ESCALATION_MAX)],
    )
    cameo_code = models.CharField("CAMEO code", max_length=8, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_escalation__gte=ESCALATION_MIN, default_escalation__lte=ESCALATION_MAX),
                name="eventtype_default_escalation_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED)

    def public(self, *, include_retracted: bool = True) -> EventQuerySet:
        """What anonymous readers may see: published events and, unless asked not to, retractions."""
        statuses = [Event.Status.PUBLISHED]
        if include_retracted:
            statuses.append(Event.Status.RETRACTED)
        return self.filter(status__in=statuses)

    def between(self, start: datetime.date | None = None, end: datetime.date | None = None) -> EventQuerySet:
        """Events whose span [date, end_date] overlaps [start, end]; either bound may be open.

        An exercise from 1 to 20 September belongs to a view of 10–15 September: a reader who
        filters a window wants what was going on in it, not only what began in it.
        """
        qs = self
        if end is not None:
            qs = qs.filter(date__lte=end)
        if start is not None:
            qs = qs.filter(Q(date__gte=start) | Q(end_date__gte=start))
        return qs

    def in_country(self, country: Country | Iterable[Country]) -> EventQuerySet:
        if isinstance(country, Country):
            return self.filter(location_country=country)
        return self.filter(location_country__in=list(country))

    def in_region(self, region: Region) -> EventQuerySet:
        return self.filter(location_country__in=region.countries.all())

    def involving(self, actors: Iterable[Actor], role: str | None = None) -> EventQuerySet:
        """Events with any of these actors (in this role, if given); one row per event."""
        links = EventActor.objects.filter(event=OuterRef("pk"), actor__in=list(actors))
        if role:
            links = links.filter(role=role)
        return self.filter(Exists(links))

    def of_types(self, types: Iterable[EventType]) -> EventQuerySet:
        return self.filter(event_type__in=list(types))

    def in_category(self, category: str) -> EventQuerySet:
        return self.filter(event_type__category=category)

    def reactions(self, *, to_public_only: bool = False) -> EventQuerySet:
        """Events that respond to another; with to_public_only, to one a reader may see."""
        links = Reaction.objects.filter(event=OuterRef("pk"))
        if to_public_only:
            links = links.filter(responds_to__status__in=PUBLIC_STATUSES)
        return self.filter(Exists(links))

    def confirmed(self) -> EventQuerySet:
        return self.filter(verification=Event.Verification.CONFIRMED)

    def search(self, text: str) -> EventQuerySet:
        """Full-text search on PostgreSQL (GIN-indexed), a plain case-insensitive contains elsewhere."""
        text = text.strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            return self.filter(search_vector=SearchQuery(text, config="english", search_type="websearch"))
        return self.filter(Q(title__icontains=text) | Q(summary__icontains=text))

    def for_display(self) -> EventQuerySet:
        """With what every reader's view of an event shows: its type, country and actors (by role, name)."""
        return self.select_related("event_type", "location_country").prefetch_related(
            models.Prefetch("event_actors", queryset=EventActor.objects.select_related("actor"))
        )


class Event(Stamped):
    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    class Verification(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        CONFIRMED = "confirmed", "Confirmed"
        DISPUTED = "disputed", "Disputed"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        RETRACTED = "retracted", "Retracted"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    date = models.DateField(help_text="For a date known only to the month or year, its first day.")
    date_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    end_date = models.DateField(null=True, blank=True, help_text="For exercises and deployments that last.")
    summary = models.TextField()
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    escalation = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        blank=True,
        validators=[MinValueValidator(ESCALATION_MIN), MaxValueValidator(ESCALATION_MAX)],
        help_text="−10 (cooperation) … +10 (open fighting). Left empty, it takes the type's default.",
    )
    escalation_note = models.TextField(blank=True, help_text="Why the escalation differs from the type's default.")
    verification = models.CharField(max_length=10, choices=Verification.choices, default=Verification.CLAIMED)
    verification_note = models.TextField(
        blank=True,
        help_text="Public: why the event is claimed, confirmed or disputed — who confirms or disputes what.",
    )
    location_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="events", verbose_name="country"
    )
    location_name = models.CharField("place", max_length=200, blank=True)
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-90, "Latitude runs from −90 to 90."),
            MaxValueValidator(90, "Latitude runs from −90 to 90."),
        ],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-180, "Longitude runs from −180 to 180."),
            MaxValueValidator(180, "Longitude runs from −180 to 180."),
        ],
    )
    responds_to = models.ManyToManyField(
        "self", through="Reaction", symmetrical=False, related_name="reactions", blank=True
    )
    actors = models.ManyToManyField(Actor, through="EventActor", related_name="events", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    retraction_note = models.TextField(blank=True, help_text="Public: why the event was retracted.")
    published_at = models.DateTimeField(null=True, blank=True)
    # Title and summary as a tsvector, kept by a PostgreSQL trigger (migration 0006) on every write
    # path, bulk ones included; GIN-indexed. Unused (and empty) on SQLite, which searches with contains.
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic locking: every save of a loaded event is `UPDATE … WHERE id = … AND version = <loaded>`
    # and increments it, so a save from a stale copy (two editors on one event) is refused, not merged.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "search_vector"])

    class Meta:
        ordering = ["-date", "-id"]
        permissions = [("publish_event", "Can publish and retract events")]
        indexes = [
            models.Index(fields=["date", "id"], name="event_date_id_idx"),  # the default order, -date, -id
            models.Index(fields=["status", "date"], name="event_status_date_idx"),
            models.Index(fields=["event_type", "date"], name="event_type_date_idx"),
            models.Index(fields=["location_country", "date"], name="event_country_date_idx"),
            # A period's view keeps events that began before it and last into it (between()): few events
            # have an end date, so this index is small and finds them without reading every earlier event.
            models.Index(fields=["end_date"], condition=Q(end_date__isnull=False), name="event_end_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")), name="event_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(escalation__gte=ESCALATION_MIN, escalation__lte=ESCALATION_MAX),
                name="event_escalation_in_scale",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="event_coordinates_paired",
            ),
            models.CheckConstraint(
                condition=~Q(status="retracted") | ~Q(retraction_note=""), name="event_retraction_has_note"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review"]) | Q(published_at__isnull=False),
                name="event_public_has_published_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_display} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.fill_derived()
        if not self.slug:
            self.slug = unique_slug(self.title, self.date)
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        loaded = self.version
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        try:
            with transaction.atomic(using=using):
                # Compare and increment first: the row is ours (locked) until the transaction ends, and no
                # row claimed means someone saved (or deleted the event) after this copy was loaded.
                claimed = type(self)._base_manager.using(using).filter(pk=self.pk, version=loaded)
                if not claimed.update(version=loaded + 1):
                    raise EditConflict(self, loaded)
                self.version = loaded + 1
                super().save(*args, **kwargs)
        except BaseException:
            self.version = loaded
            raise

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def date_display(self) -> str:
        return format_date(self.date, self.date_precision)

    @property
    def end_date_display(self) -> str:
        return format_date(self.end_date, self.date_precision) if self.end_date else ""

    def normalise_date(self) -> None:
        """A date known to the month or year is stored on its first day."""
        if self.date and self.date_precision == self.Precision.MONTH:
            self.date = self.date.replace(day=1)
        elif self.date and self.date_precision == self.Precision.YEAR:
            self.date = self.date.replace(month=1, day=1)

    def apply_default_escalation(self) -> None:
        if self.escalation is None and self.event_type_id:
            self.escalation = self.event_type.default_escalation

    def fill_derived(self) -> None:
        """Values that follow from others: called by clean() and save(), so both see the same row."""
        self.normalise_date()
        self.apply_default_escalation()
        if self.is_public and self.published_at is None:
            self.published_at = timezone.now()

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.fill_derived()
        first, last = accepted_dates()
        for name in ("date", "end_date"):
            value = getattr(self, name)
            if value is not None and not first <= value <= last:
                errors.setdefault(name, []).append(
                    f"Use a date from {first.isoformat()} to {last.isoformat()}: {value.isoformat()} is outside "
                    "the record's accepted range (EVENT_EARLIEST_DATE, EVENT_LATEST_DATE)."
                )
        if self.date and self.end_date and self.end_date < self.date:
            errors.setdefault("end_date", []).append("The end date cannot be before the start date.")
        if (self.latitude is None) != (self.longitude is None):
            errors.setdefault("latitude", []).append("Give both latitude and longitude, or neither.")
        if (
            self.escalation is not None
            and self.event_type_id
            and self.escalation != self.event_type.default_escalation
            and not self.escalation_note.strip()
        ):
            errors.setdefault("escalation_note", []).append(
                f"The escalation differs from the type's default ({self.event_type.default_escalation}): say why."
            )
        if self.status == self.Status.RETRACTED and not self.retraction_note.strip():
            errors.setdefault("retraction_note", []).append("A retraction needs a public note saying why.")
        if self.status == self.Status.PUBLISHED and self.pk:
            problems = self.publish_problems()
            if problems:
                errors.setdefault("status", []).extend(problems)
        if errors:
            raise ValidationError(errors)

    def publish_problems(self) -> list[str]:
        """What stops this event from being published, in words an editor can act on."""
        problems = []
        if not self.pk or not self.event_actors.filter(role=EventActor.Role.INITIATOR).exists():
            problems.append("Publishing needs at least one initiator (an actor with the role 'initiator').")
        if not self.pk or not self.sources.exists():
            problems.append("Publishing needs at least one source.")
        elif self.verification == self.Verification.CONFIRMED and not self.has_independent_source():
            problems.append(
                "'Confirmed' needs a source that is not the actor's own statement (news media, research or NGO)."
            )
        if self.pk:
            for title in self.responds_to.exclude(status__in=PUBLIC_STATUSES).values_list("title", flat=True):
                problems.append(f"It responds to “{title}”, which is not published: publish that event first.")
        return problems

    def links_without_basis(self) -> ReactionQuerySet:
        """Its reaction links that give no basis: publishing is refused while there are any."""
        return Reaction.objects.filter(event=self).without_basis().select_related("responds_to")

    def has_independent_source(self) -> bool:
        return self.sources.exclude(kind__in=Source.SELF_REPORTED_KINDS).exists()

    @property
    def initiators(self) -> list[Actor]:
        return [link.actor for link in self.event_actors.all() if link.role == EventActor.Role.INITIATOR]

    @property
    def targets(self) -> list[Actor]:
        return [link.actor for link in self.event_actors.all() if link.role == EventActor.Role.TARGET]


# What readers may see: published events, and retracted ones, which stay on the record, marked.
PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.RETRACTED)


def format_date(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == Event.Precision.YEAR:
        return str(value.year)
    if precision == Event.Precision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def event_path_parts() -> tuple[str, str]:
    """The event page's path split around its slug, e.g. ("/events/", "/").

    For building thousands of event URLs (chart points, CSV rows, SQL concatenation in the COPY
    path) with one reverse() instead of one per event."""
    marker = "slug-placeholder"
    prefix, suffix = reverse("events:detail", kwargs={"slug": marker}).split(marker)
    return prefix, suffix


def base_slug(title: str, date: datetime.date | None) -> str:
    """The slug an event's title and date give, before any suffix that makes it unique."""
    base = slugify(title)[:180] or "event"
    return f"{base}-{date:%Y-%m-%d}" if date else base


def unique_slug(title: str, date: datetime.date | None) -> str:
    base = base_slug(title, date)
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


BASIS_SOURCE, BASIS_JUDGEMENT = "source", "judgement"


class ReactionQuerySet(models.QuerySet):
    def without_basis(self) -> ReactionQuerySet:
        """Links that give neither a source nor a judgement (a judgement of blanks is none)."""
        return self.annotate(judgement_text=Trim("basis_judgement")).filter(
            basis_source__isnull=True, judgement_text=""
        )


class Reaction(Stamped):
    class Kind(models.TextChoices):
        RESPONSE = "response", "Response"
        RETALIATION = "retaliation", "Retaliation"
        SUPPORT = "support", "Support"
        DENIAL = "denial", "Denial"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reaction_links")
    responds_to = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reacted_by_links")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RESPONSE)
    note = models.TextField(blank=True)
    # The link is a claim like any other, so it carries its evidence: a source that makes the
    # connection (one of the two events' sources, or one of its own, attached to neither event), or
    # the editor's judgement with a reason. Never both; neither only until the event is published.
    # RESTRICT: a source backing a link cannot be deleted from under it, unless the link goes too.
    basis_source = models.ForeignKey(
        "Source",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="backed_links",
        verbose_name="basis: source",
        help_text="A source that says this event answers the other: one of either event's sources, or its own.",
    )
    basis_judgement = models.TextField(
        "basis: editor's judgement",
        blank=True,
        help_text="When no source makes the connection: why the editors judge that this event answers the other.",
    )

    objects = ReactionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["responds_to__date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "responds_to"], name="reaction_unique_pair"),
            models.CheckConstraint(condition=~Q(event=F("responds_to")), name="reaction_not_to_itself"),
            models.CheckConstraint(
                condition=Q(basis_source__isnull=True) | Q(basis_judgement=""), name="reaction_one_basis"
            ),
        ]

    def __str__(self) -> str:
        # The admin labels each inline row with this: titles, not ids.
        return f"{self.get_kind_display()} to “{self.responds_to.title}”" if self.responds_to_id else "New reaction"

    def clean(self) -> None:
        self.basis_judgement = (self.basis_judgement or "").strip()
        if self.basis_source_id and self.basis_judgement:
            raise ValidationError(
                {"basis_judgement": "Give one basis: a source, or the editor's judgement if no source makes the link."}
            )
        if self.basis_source_id and self.basis_source.event_id not in (None, self.event_id, self.responds_to_id):
            raise ValidationError(
                {"basis_source": "The basis must be a source of one of the two events, or one of the link's own."}
            )
        # On an add form the event is not saved yet: it is checked as entered (date, status), not by id,
        # so a reaction to a later event is refused on the first save, not only on the next one.
        try:
            event = self.event
        except Event.DoesNotExist:
            event = None
        if event is None or not self.responds_to_id:
            return
        if event.pk and event.pk == self.responds_to_id:
            raise ValidationError({"responds_to": "An event cannot respond to itself."})
        earlier = self.responds_to
        if event.date and earlier.date > event.date:
            raise ValidationError(
                {
                    "responds_to": (
                        f"An event cannot respond to a later one: “{earlier.title}” is dated "
                        f"{earlier.date_display}, after this event ({event.date_display})."
                    )
                }
            )
        if event.is_public and not earlier.is_public:
            raise ValidationError(
                {
                    "responds_to": (
                        f"A published event cannot respond to “{earlier.title}”, which is "
                        f"{earlier.get_status_display().lower()}: publish that event first."
                    )
                }
            )

    @property
    def has_basis(self) -> bool:
        return bool(self.basis_kind)

    @property
    def basis_kind(self) -> str:
        """How the link is backed, "source" or "judgement" ("" for none yet): the page and chart show it."""
        if self.basis_source_id:
            return BASIS_SOURCE
        return BASIS_JUDGEMENT if self.basis_judgement.strip() else ""

    @property
    def lag_days(self) -> int:
        return (self.event.date - self.responds_to.date).days

    @property
    def lag_display(self) -> str:
        days = self.lag_days
        if days == 0:
            return "same day"
        return f"+{days} day" + ("" if days == 1 else "s")


class EventActor(models.Model):
    class Role(models.TextChoices):
        INITIATOR = "initiator", "Initiator"
        TARGET = "target", "Target"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_actors")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="event_links")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.INITIATOR)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "actor__name"]
        verbose_name = "actor of the event"
        verbose_name_plural = "actors of the event"
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="eventactor_unique_role"),
        ]
        indexes = [models.Index(fields=["actor", "role"], name="eventactor_actor_role_idx")]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display()})"


class Source(Stamped):
    class Kind(models.TextChoices):
        OFFICIAL = "official", "Official statement"
        NEWS = "news", "News media"
        RESEARCH = "research", "Research or NGO"
        SOCIAL = "social", "Social media"

    # An official statement or a post may be the actor speaking for itself: it does not confirm.
    SELF_REPORTED_KINDS = (Kind.OFFICIAL, Kind.SOCIAL)

    # Empty only for a source of a reaction link's own (Reaction.basis_source) that belongs to neither event.
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(
        "URL",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=list(WEB_URL_SCHEMES), message="Enter a web address (http:// or https://).")],
        help_text="Optional: printed or broadcast sources may have none.",
    )
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEWS)
    excerpt = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["published_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__istartswith="http://") | Q(url__istartswith="https://"),
                name="source_url_is_web",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title or self.url or 'untitled'}"

    @property
    def web_url(self) -> str:
        """The URL if it may be a link (http or https), else "": templates link only this."""
        scheme = self.url.split(":", 1)[0].lower() if ":" in self.url else ""
        return self.url if scheme in WEB_URL_SCHEMES else ""

    def clean(self) -> None:
        if not self.url and not self.title:
            raise ValidationError("A source without a URL needs a title, so a reader can find it.")


# Escalation is stored with one decimal; totals keep it in tenths as an integer, exact on every database.
ESCALATION_DECIMALS = 1
ESCALATION_TENTHS = 10**ESCALATION_DECIMALS
NO_COUNTRY = 0  # the country key of an event without a country (a key, not NULL, so it can be unique)


class DayTotals(models.Model):
    """How many public events and their escalation summed, per day, event type and status (and more keys
    in subclasses). Kept by database triggers (migration 0010) in the transaction of every write to
    events_event, whatever makes it: services, the admin, the CSV import's bulk writes, QuerySet.update(),
    raw SQL. `manage.py rebuild_daily_totals` recomputes them from the events. Read by events/summary.py
    when a filter allows; never written by Python code otherwise."""

    day = models.DateField()
    event_type = models.ForeignKey(EventType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    status = models.CharField(max_length=10, choices=Event.Status.choices)
    events = models.IntegerField()
    escalation_tenths = models.BigIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} · {self.events} events"


class DailyTotal(DayTotals):
    """Per day, type, country and status: for views filtered by country or region."""

    country_key = models.BigIntegerField(help_text="The event's country id, or 0 for none.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "event_type", "country_key", "status"], name="dailytotal_key"),
        ]


class DailyTypeTotal(DayTotals):
    """Per day, type and status, all places together: a few rows a day for views not filtered by place."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "event_type", "status"], name="dailytypetotal_key")]


class DataVersion(models.Model):
    """One row: a counter that every write to what readers see increments (database triggers, migration
    0010), and when. Cached pages, ETags and Last-Modified are keyed on it."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"data version {self.version}"
