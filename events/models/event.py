"""Events: what happened, when, where, how escalating and how sure; their parts (actors, sources, reaction
links) are in events/models/parts.py."""

from __future__ import annotations

import datetime

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from events.db import data_version, search, totals
from events.db.trigram import OPCLASS as TRIGRAM_OPCLASS
from events.db.trigram import TrigramIndex
from events.models.base import ESCALATION_MAX, ESCALATION_MIN, EditConflict, Stamped, accepted_dates
from events.models.querysets import EventQuerySet, ReactionQuerySet
from events.models.vocabulary import Actor, Country, EventType
from events.models.workflow import PUBLIC_STATUSES, RETRACTION_NEEDS_NOTE, UNPUBLISHED_STATUSES, Status

LATITUDE_LIMIT, LONGITUDE_LIMIT = 90, 180


def coordinate_field(name: str, limit: int) -> models.DecimalField:
    """A latitude or longitude in degrees, five decimals (about a metre), within ±limit."""
    message = f"{name} runs from −{limit} to {limit}."
    return models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit, message), MaxValueValidator(limit, message)],
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

    Status = Status  # declared with the moves between them, in events.models.workflow

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
    latitude = coordinate_field("Latitude", LATITUDE_LIMIT)
    longitude = coordinate_field("Longitude", LONGITUDE_LIMIT)
    responds_to = models.ManyToManyField(
        "self", through="Reaction", symmetrical=False, related_name="reactions", blank=True
    )
    actors = models.ManyToManyField(Actor, through="EventActor", related_name="events", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    retraction_note = models.TextField(blank=True, help_text="Public: why the event was retracted.")
    published_at = models.DateTimeField(null=True, blank=True)
    # Written by the editors' inbox (inbox/services.py) from the candidates that went into the event; data
    # users read it in the CSV and the API. Empty for an event entered by hand.
    made_from = models.TextField(
        "made from (inbox)",
        blank=True,
        editable=False,
        help_text="Public: the machine-coded datasets and their ids this event was made from or merged with in "
        "the editors' inbox, e.g. “ACLED LTU1234; GDELT 2.0 1187654321”.",
    )
    # Title and summary as a tsvector, kept by a PostgreSQL trigger (events/db/search.py) on every write
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
        # What the database keeps from every write to events, whatever makes it (events/db/).
        triggers = [search.VECTOR, *totals.TRIGGERS, data_version.BUMP]
        indexes = [
            models.Index(fields=["date", "id"], name="event_date_id_idx"),  # the default order, -date, -id
            models.Index(fields=["status", "date"], name="event_status_date_idx"),
            models.Index(fields=["event_type", "date"], name="event_type_date_idx"),
            models.Index(fields=["location_country", "date"], name="event_country_date_idx"),
            # A period's view keeps events that began before it and last into it (between()): few events
            # have an end date, so this index is small and finds them without reading every earlier event.
            models.Index(fields=["end_date"], condition=Q(end_date__isnull=False), name="event_end_date_idx"),
            # Similar titles (pg_trgm's `%`), for the likely duplicates of an event (events.duplicates).
            TrigramIndex(fields=["title"], opclasses=[TRIGRAM_OPCLASS], name="event_title_trgm_idx"),
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
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-LATITUDE_LIMIT, latitude__lte=LATITUDE_LIMIT),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | Q(longitude__gte=-LONGITUDE_LIMIT, longitude__lte=LONGITUDE_LIMIT),
                name="event_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="event_coordinates_paired",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RETRACTED) | ~Q(retraction_note=""), name="event_retraction_has_note"
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(UNPUBLISHED_STATUSES)) | Q(published_at__isnull=False),
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
        # What a status keeps holding after the move into it (workflow.py): a retraction its note, a
        # published event its initiator and sources. Not the basis of each reaction link, which only
        # the move asks for: links of older events may lack one (check_record lists them).
        if self.status == self.Status.RETRACTED and not self.retraction_note.strip():
            errors.setdefault("retraction_note", []).append(RETRACTION_NEEDS_NOTE)
        if self.status == self.Status.PUBLISHED and self.pk:
            problems = self.publish_problems()
            if problems:
                errors.setdefault("status", []).extend(problems)
        if errors:
            raise ValidationError(errors)

    def publish_problems(self) -> list[str]:
        """What stops this event from being published, in words an editor can act on."""
        problems = []
        if not self.pk or not self.event_actors.filter(role=self.event_actors.model.Role.INITIATOR).exists():
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
        return self.reaction_links.without_basis().select_related("responds_to")

    def has_independent_source(self) -> bool:
        return self.sources.exclude(kind__in=self.sources.model.SELF_REPORTED_KINDS).exists()

    @property
    def initiators(self) -> list[Actor]:
        return [link.actor for link in self.event_actors.all() if link.role == link.Role.INITIATOR]

    @property
    def targets(self) -> list[Actor]:
        return [link.actor for link in self.event_actors.all() if link.role == link.Role.TARGET]


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
