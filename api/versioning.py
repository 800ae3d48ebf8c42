"""When the public record last changed, for ETag/Last-Modified: a client that polls pays a 304.

Every write to the record (admin, services, the CSV import's bulk helpers) lands in the revision
history of events, sources, actor links and reactions (django-simple-history), whose history_date
is indexed: the newest of them, with the newest edit of the small reference tables (actors, types,
countries, regions), says when anything a reader can see may have changed.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Max
from django.http import HttpRequest
from django.views.decorators.http import condition

from events.models import Actor, Country, Event, EventActor, EventType, Reaction, Region, Source

HISTORIED = (Event, Source, EventActor, Reaction)
REFERENCE = (Actor, EventType, Country, Region)


def record_changed_at() -> datetime.datetime | None:
    """The time of the last write to anything public; None for an empty record."""
    stamps = [model.history.aggregate(at=Max("history_date"))["at"] for model in HISTORIED]
    stamps += [model.objects.aggregate(at=Max("updated_at"))["at"] for model in REFERENCE]
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def _changed(request: HttpRequest) -> datetime.datetime | None:
    # Django's condition() asks for the ETag and then for Last-Modified: one look-up serves both.
    if not hasattr(request, "record_changed_at"):
        request.record_changed_at = record_changed_at()
    return request.record_changed_at


def _last_modified(request: HttpRequest, *args, **kwargs) -> datetime.datetime | None:
    return _changed(request)


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    # The answer depends on the record's version and on the whole URL (filters, cursor, page size).
    changed = _changed(request)
    version = changed.isoformat() if changed else "empty"
    return hashlib.sha256(f"{version} {request.get_full_path()}".encode()).hexdigest()[:32]


# For a view's get(): 304 Not Modified when If-None-Match or If-Modified-Since still hold.
conditional = condition(etag_func=_etag, last_modified_func=_last_modified)
