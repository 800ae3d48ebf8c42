from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def timeline(request: HttpRequest) -> HttpResponse:
    events = selectors.public_events().with_display_related()[:500]
    return render(request, "events/timeline.html", {"events": events})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for_reader(slug=slug, user=request.user)
    return render(request, "events/event_detail.html", {"event": event})
