"""TimelineJS JSON of a filtered view: point TimelineJS at the URL and get a story of the same events.

Each event becomes a TimelineJS slide: `start_date`/`end_date` with only the parts its date precision
knows (a month-precise event has no day), `text.headline`/`text.text` (HTML, escaped), `group` = the
category, `unique_id` = the slug, and its sources as the slide's media: TimelineJS shows a slide's
credit only under a media item (`media.credit`, also kept as `credit`), so the media is a quote listing
the sources, linked where they are online. A view without events is one slide that says so: TimelineJS
refuses a story with no slide. A view of more than MAX_SLIDES events is told by its first MAX_SLIDES, in
the view's order, and the title slide says so and how to see the rest: TimelineJS draws every slide up
front (about 1.2 s for 1,000 in docs/benchmarks.md's render benchmark, 9 s for 10,000), so a larger story
would hang the reader's browser for a view TimelineJS cannot show usefully anyway. Streamed a chunk at a
time, the title last (it says whether the view is empty or cut; JSON's members have no order).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape, linebreaks

from events.batching import batched
from events.models import Event, EventType, Source

CHUNK_SIZE = 1000
MAX_SLIDES = 300
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
EMPTY_VIEW_ID = "no-events"
EMPTY_VIEW = "No events in this view"
EMPTY_VIEW_TEXT = "No events in this view: nothing in the record matches these filters. Widen or clear them."
CUT_VIEW_TEXT = (
    "This view holds more than {max_slides} events, more than TimelineJS can draw: the story tells the first "
    "{max_slides} in the view’s order (the newest, unless sorted otherwise). Narrow the view (a period, a "
    "country, a type) to see the others; the CSV export and the API hold every event."
)


def date_parts(value: datetime.date, precision: str) -> dict[str, int]:
    """TimelineJS's date object with only what is known: {"year"}, {"year", "month"} or all three."""
    parts = {"year": value.year}
    if precision in (Event.Precision.MONTH, Event.Precision.DAY):
        parts["month"] = value.month
    if precision == Event.Precision.DAY:
        parts["day"] = value.day
    return parts


def named(publisher: str, title: str) -> str:
    return escape(f"{publisher}, {title}" if title else publisher)


def sources_media(sources: list[tuple[str, str, str]]) -> dict[str, str]:
    """The sources as a TimelineJS media item: a quote (its `blockquote` type, drawn as text) and the credit."""
    lines = [
        f'<a href="{escape(url)}">{named(publisher, title)}</a>' if url else named(publisher, title)
        for publisher, title, url in sources
    ]
    credit = "Sources: " + "; ".join(named(publisher, title) for publisher, title, _ in sources)
    return {"url": f"<blockquote>{'<br>'.join(lines)}</blockquote>", "credit": credit}


def slide(row: dict, sources: list[tuple[str, str, str]], url: str) -> dict:
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
        result["media"] = sources_media(sources)
        result["credit"] = result["media"]["credit"]
    return result


def empty_view_slide(day: datetime.date) -> dict:
    return {
        "unique_id": EMPTY_VIEW_ID,
        "start_date": date_parts(day, Event.Precision.DAY),
        "text": {"headline": EMPTY_VIEW, "text": f"<p>{escape(EMPTY_VIEW_TEXT)}</p>"},
    }


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def timeline_json(
    events: QuerySet, *, url_parts: tuple[str, str], title: str, description: str, max_slides: int
) -> Iterator[bytes]:
    """The view as TimelineJS JSON, its first `max_slides` events only (the title says when it is cut)."""
    prefix, suffix = url_parts
    yield b'{"events":['
    first = True
    ids = list(events.values_list("id", flat=True)[: max_slides + 1])
    cut = len(ids) > max_slides
    for chunk in batched(ids[:max_slides], CHUNK_SIZE):
        rows = {row["id"]: row for row in Event.objects.filter(id__any_of=chunk).order_by().values(*FIELDS)}
        sources: dict[int, list[tuple[str, str, str]]] = {}
        for event_id, publisher, source_title, source_url in (
            Source.objects.filter(event_id__any_of=chunk)
            .order_by("published_on", "id")
            .values_list("event_id", "publisher", "title", "url")
        ):
            sources.setdefault(event_id, []).append((publisher, source_title, source_url))
        pieces = []
        for event_id in chunk:
            row = rows.get(event_id)
            if row is None:
                continue
            url = f"{prefix}{row['slug']}{suffix}"
            pieces.append(("" if first else ",") + _json(slide(row, sources.get(event_id, []), url)))
            first = False
        if pieces:
            yield "".join(pieces).encode()
    if first:
        yield _json(empty_view_slide(timezone.now().date())).encode()
    text = f"<p>{escape(EMPTY_VIEW_TEXT if first else description)}</p>"
    if cut:
        text += f"<p>{escape(CUT_VIEW_TEXT.format(max_slides=max_slides))}</p>"
    cover = {"text": {"headline": escape(title), "text": text}}
    yield f'],"title":{_json(cover)}}}'.encode()
