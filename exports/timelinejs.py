"""TimelineJS JSON of a filtered view: point TimelineJS at the URL and get a story of the same events.

Each event becomes a TimelineJS slide: `start_date`/`end_date` with only the parts its date precision
knows (a month-precise event has no day), `text.headline`/`text.text` (HTML, escaped), `group` = the
category, `unique_id` = the slug, and `credit` naming its sources. Streamed a chunk at a time.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.html import escape, linebreaks

from events.batching import batched
from events.models import Event, EventType, Source

CHUNK_SIZE = 1000
FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "date",
    "date_precision",
    "end_date",
    "event_type__category",
    "status",
    "retraction_note",
)
CATEGORY_LABELS = dict(EventType.Category.choices)


def date_parts(value: datetime.date, precision: str) -> dict[str, int]:
    """TimelineJS's date object with only what is known: {"year"}, {"year", "month"} or all three."""
    parts = {"year": value.year}
    if precision in (Event.Precision.MONTH, Event.Precision.DAY):
        parts["month"] = value.month
    if precision == Event.Precision.DAY:
        parts["day"] = value.day
    return parts


def slide(row: dict, sources: list[tuple[str, str]], url: str) -> dict:
    text = linebreaks(row["summary"], autoescape=True)
    headline = escape(row["title"])
    if row["status"] == Event.Status.RETRACTED:
        headline = f"[Retracted] {headline}"
        text = f"<p><strong>Retracted:</strong> {escape(row['retraction_note'])}</p>{text}"
    text += f'<p><a href="{escape(url)}">The event, its sources and reactions</a></p>'
    result = {
        "unique_id": row["slug"],
        "start_date": date_parts(row["date"], row["date_precision"]),
        "text": {"headline": headline, "text": text},
        "group": CATEGORY_LABELS.get(row["event_type__category"], row["event_type__category"]),
    }
    if row["end_date"]:
        result["end_date"] = date_parts(row["end_date"], row["date_precision"])
    if sources:
        result["credit"] = "Sources: " + "; ".join(
            escape(f"{publisher}, {title}" if title else publisher) for publisher, title in sources
        )
    return result


def timeline_json(events: QuerySet, *, url_parts: tuple[str, str], title: str, description: str) -> Iterator[bytes]:
    prefix, suffix = url_parts
    cover = {"text": {"headline": escape(title), "text": f"<p>{escape(description)}</p>"}}
    yield ('{"title":' + json.dumps(cover, ensure_ascii=False, separators=(",", ":")) + ',"events":[').encode()
    first = True
    ids = events.values_list("id", flat=True).iterator(chunk_size=CHUNK_SIZE)
    for chunk in batched(ids, CHUNK_SIZE):
        rows = {row["id"]: row for row in Event.objects.filter(id__in=chunk).order_by().values(*FIELDS)}
        sources: dict[int, list[tuple[str, str]]] = {}
        for event_id, publisher, source_title in (
            Source.objects.filter(event_id__in=chunk)
            .order_by("published_on", "id")
            .values_list("event_id", "publisher", "title")
        ):
            sources.setdefault(event_id, []).append((publisher, source_title))
        pieces = []
        for event_id in chunk:
            row = rows.get(event_id)
            if row is None:
                continue
            url = f"{prefix}{row['slug']}{suffix}"
            pieces.append(
                ("" if first else ",")
                + json.dumps(slide(row, sources.get(event_id, []), url), ensure_ascii=False, separators=(",", ":"))
            )
            first = False
        if pieces:
            yield "".join(pieces).encode()
    yield b"]}"
