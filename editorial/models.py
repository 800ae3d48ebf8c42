"""The evidence kept: a copy of each source's page as fetched, and what each later check found."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone

from events.db import data_version
from events.models import Source

SHA256_HEX_LENGTH = 64
# What a page that is not there any more answers: Not Found, Gone.
GONE_STATUSES = frozenset({404, 410})


class Finding(models.TextChoices):
    """What a fetch found, against the snapshot before it."""

    OK = "ok", "as kept"
    MOVED = "moved", "moved"
    GONE = "gone", "gone"
    CHANGED = "changed", "changed"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SourceSnapshotQuerySet(models.QuerySet):
    def latest_first(self) -> SourceSnapshotQuerySet:
        return self.order_by("-fetched_at", "-id")

    def with_text(self) -> SourceSnapshotQuerySet:
        """Snapshots that keep a copy of the page's text (a page found gone keeps none; a page may have none)."""
        return self.exclude(finding=Finding.GONE).exclude(text="")


class SourceSnapshot(models.Model):
    """One state of a source's page as we saw it: a new row when a fetch finds it different from the
    latest row (moved, gone, changed, or back as kept), and the latest row's `checked_at` moved forward
    when a check finds it as it was. A page that answered keeps its main text and the text's SHA-256;
    a page found gone keeps nothing but what its server answered."""

    Finding = Finding
    # What an editor should look at: the page is elsewhere, not there, or says something else now.
    NEEDS_ATTENTION = (Finding.MOVED, Finding.GONE, Finding.CHANGED)

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    url = models.URLField("URL asked for", max_length=500, help_text="The source's URL when it was fetched.")
    final_url = models.URLField(
        "URL found", max_length=2000, blank=True, help_text="Where the page was, after redirects."
    )
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    finding = models.CharField(max_length=10, choices=Finding.choices)
    fetched_at = models.DateTimeField(default=timezone.now, help_text="When the page was first found so.")
    checked_at = models.DateTimeField(default=timezone.now, help_text="When a check last found it so.")
    text = models.TextField("main text", blank=True)
    text_sha256 = models.CharField("SHA-256 of the main text", max_length=SHA256_HEX_LENGTH, blank=True)
    language = models.CharField(max_length=3, blank=True, help_text="As the page declares it (ISO 639).")
    archive_url = models.URLField(
        "archived copy", max_length=2000, blank=True, help_text="Where a public web archive keeps this page."
    )

    objects = SourceSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-fetched_at", "-id"]
        indexes = [models.Index(fields=["source", "-fetched_at"], name="snapshot_source_latest")]
        # An event's page says when a source's page was found gone and links the copy kept: a check moves
        # the data version like any write readers see (readers/caching.py).
        triggers = [data_version.BUMP]
        constraints = [
            models.CheckConstraint(condition=Q(finding__in=Finding.values), name="snapshot_finding_is_known"),
            # A page that answered: where, with a success status and the hash of its text.
            models.CheckConstraint(
                condition=Q(finding=Finding.GONE)
                | Q(
                    Exact(Length("text_sha256"), SHA256_HEX_LENGTH),
                    http_status__gte=200,
                    http_status__lt=300,
                    final_url__gt="",
                ),
                name="snapshot_answered_page_has_text_hash",
                violation_error_message="A page found needs its final URL, a 2xx status and its text's hash.",
            ),
            # A page gone keeps no text; its server said 404 or 410, or its name no longer resolved.
            models.CheckConstraint(
                condition=~Q(finding=Finding.GONE)
                | Q(Q(http_status__isnull=True) | Q(http_status__in=sorted(GONE_STATUSES)), text="", text_sha256=""),
                name="snapshot_gone_keeps_no_text",
                violation_error_message="A page gone keeps no text; it was answered 404 or 410, or not at all.",
            ),
            # Moved means found at another address than the one asked for.
            models.CheckConstraint(
                condition=~Q(finding=Finding.MOVED) | ~Q(final_url=F("url")),
                name="snapshot_moved_is_elsewhere",
                violation_error_message="A page found where it was asked for has not moved.",
            ),
            models.CheckConstraint(
                condition=Q(checked_at__gte=F("fetched_at")),
                name="snapshot_checked_after_fetched",
                violation_error_message="A page is checked again only after it was fetched.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.get_finding_display()} on {self.fetched_at:%Y-%m-%d}"

    @property
    def keeps_text(self) -> bool:
        return self.finding != self.Finding.GONE

    @property
    def paragraphs(self) -> list[str]:
        """The kept text's paragraphs: the extraction ends each with a line break."""
        return [line for line in self.text.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.keeps_text and self.text_sha256 != sha256(self.text):
            raise ValidationError({"text_sha256": "This is not the SHA-256 of the text kept."})


def with_page_checks(sources: QuerySet[Source]) -> QuerySet[Source]:
    """Sources with what the latest fetch of their page found (`page_finding`, None if never fetched)
    and, for a page last found gone, when the copy of its text we keep was taken (`kept_copy_on`)."""
    latest = SourceSnapshot.objects.filter(source=OuterRef("pk")).latest_first()
    return sources.annotate(page_finding=Subquery(latest.values("finding")[:1])).annotate(
        kept_copy_on=Case(
            When(page_finding=Finding.GONE, then=Subquery(latest.with_text().values("fetched_at")[:1])),
            default=None,
        )
    )
