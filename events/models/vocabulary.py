"""The record's vocabulary: countries, regions, actors and event types."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from events.db import data_version
from events.models.base import ESCALATION_MAX, ESCALATION_MIN, Stamped


class Country(Stamped):
    iso2 = models.CharField("ISO code", max_length=2, unique=True, help_text="ISO 3166-1 alpha-2, e.g. LT")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        triggers = [data_version.BUMP]
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
        triggers = [data_version.BUMP]

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
        triggers = [data_version.BUMP]

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
        triggers = [data_version.BUMP]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_escalation__gte=ESCALATION_MIN, default_escalation__lte=ESCALATION_MAX),
                name="eventtype_default_escalation_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name
