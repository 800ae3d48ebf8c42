"""The parts of an event: the actors behind it, its sources, and the reaction links that chain events."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from events.db import data_version
from events.models.base import WEB_URL_SCHEMES, Stamped
from events.models.event import Event
from events.models.querysets import ReactionQuerySet
from events.models.vocabulary import Actor

BASIS_SOURCE, BASIS_JUDGEMENT = "source", "judgement"


class Reaction(Stamped):
    class Kind(models.TextChoices):
        RESPONSE = "response", "Response"
        RETALIATION = "retaliation", "Retaliation"
        SUPPORT = "support", "Support"
        DENIAL = "denial", "Denial"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reaction_links")
    responds_to = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reacted_by_links")
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        default=Kind.RESPONSE,
        help_text="Response: answers the other event in words or deeds. Retaliation: a measure taken in return, "
        "to cost the other side. Support: backs the other event or its initiator. Denial: denies or disputes "
        "what the other event says.",
    )
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
        triggers = [data_version.BUMP]
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
    role = models.CharField(
        max_length=10,
        choices=Role.choices,
        default=Role.INITIATOR,
        help_text="Initiator: who acts (announces, deploys, expels). Target: at whom it is aimed. "
        "An event may have several of each.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "actor__name"]
        verbose_name = "actor of the event"
        verbose_name_plural = "actors of the event"
        triggers = [data_version.BUMP]
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
    published_on = models.DateField(null=True, blank=True, help_text="YYYY-MM-DD, as the source dates itself.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEWS)
    excerpt = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["published_on", "id"]
        triggers = [data_version.BUMP]
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
