"""Read paths of the inbox: the new candidates an editor's filters ask for, grouped."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db.models import Q, QuerySet

from events.models import Actor, Event, EventType
from inbox.grouping import Group, grouped
from inbox.models import Candidate, Dataset

# The new candidates read for one page of the inbox, at most: grouping needs them together, and a
# narrower date range shows the rest.
MOST_READ = 5_000


class InboxFilter(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    dataset = forms.ChoiceField(required=False, choices=[("", "any"), *Dataset.choices])
    event_type = forms.ModelChoiceField(required=False, queryset=EventType.objects.all(), label="Type")
    actor = forms.ModelChoiceField(required=False, queryset=Actor.objects.all())

    def candidates(self) -> QuerySet[Candidate]:
        """The new candidates that match (none while the form is invalid)."""
        found = Candidate.objects.filter(status=Candidate.Status.NEW)
        if not self.is_valid():
            return found.none()
        data = self.cleaned_data
        if data["date_from"]:
            found = found.filter(date__gte=data["date_from"])
        if data["date_to"]:
            found = found.filter(date__lte=data["date_to"])
        if data["dataset"]:
            found = found.filter(dataset=data["dataset"])
        if data["event_type"]:
            found = found.filter(proposed_type=data["event_type"])
        if data["actor"]:
            found = found.filter(Q(initiator=data["actor"]) | Q(target=data["actor"]))
        return found


def inbox_groups(candidates: QuerySet[Candidate]) -> tuple[list[Group], bool]:
    """The groups of the newest MOST_READ of these candidates, and whether there were more."""
    read = list(
        candidates.select_related("proposed_type", "initiator", "target", "country").order_by("-date", "pk")[
            : MOST_READ + 1
        ]
    )
    return grouped(read[:MOST_READ]), len(read) > MOST_READ


def group_of(ids: str) -> Group:
    """The group of the candidates whose ids a form sent ("12,13,20")."""
    pks = [int(pk) for pk in ids.split(",") if pk.strip().isdigit()]
    return Group(list(Candidate.objects.filter(pk__in=pks).order_by("dataset", "dataset_id")))


def provenance(candidates: Sequence[Candidate]) -> str:
    """Which datasets and ids, in words: "ACLED TEST-LTU-0001; GDELT 2.0 9000000001, 9000000002"."""
    by_dataset: dict[str, list[str]] = {}
    for candidate in candidates:
        by_dataset.setdefault(candidate.get_dataset_display(), []).append(candidate.dataset_id)
    return "; ".join(f"{name} {', '.join(ids)}" for name, ids in sorted(by_dataset.items()))


def provenance_of(*, event: Event) -> str:
    """The dataset ids an event was made from or merged with in the inbox ("" if none)."""
    return provenance(Candidate.objects.filter(event=event).order_by("dataset", "dataset_id"))
