"""A pair of adversaries' page (/dyads/<a>/<b>/). Thin: the figures are events/dyads.py's, the drawing
readers/figures/dyad.py's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from events.dyads import SHOWN_PER_SIDE, dyad
from readers.caching import cached_for_readers
from readers.figures.dyad import dyad_figure


@cached_for_readers
def dyad_page(request: HttpRequest, a: str, b: str) -> HttpResponse:
    pair = dyad(a=a, b=b)
    context = {"pair": pair, "figure": dyad_figure(pair), "shown_per_side": SHOWN_PER_SIDE}
    return render(request, "events/dyad.html", context)
