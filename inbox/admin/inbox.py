"""The inbox page, for editors: new candidates in groups, with the events each may already be; accept a
group (a draft event, pre-filled), merge it into an event (its sources added), or dismiss groups with a
reason. Decisions go through inbox.services, which check the permission and that nothing was decided
meanwhile; nothing here publishes.
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from editorial.admin.sources import lookup_allowed
from events import text
from events.models import Event, EventType
from inbox import services
from inbox.grouping import with_likely_events
from inbox.selectors import InboxFilter, group_of, inbox_groups

GROUPS_PER_PAGE = 50


class CandidateAdmin(admin.ModelAdmin):
    """Candidates are written by `manage.py ingest` only: an editor reads them (each one's raw row on its
    page) and decides on them in the inbox, never edits them."""

    def has_module_permission(self, request):
        return request.user.has_perm(services.ADD_EVENT)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(services.ADD_EVENT)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if text.unreadable_query_names(request.GET):  # as every list of the admin (editorial.admin.base)
            return HttpResponseBadRequest("A value of the query holds a control character (such as NUL).")
        if request.method == "POST":
            return self.decide(request)
        filters = InboxFilter(request.GET)
        groups, more = inbox_groups(filters.candidates())
        page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
        with_likely_events(page.object_list)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Inbox: candidates from GDELT and ACLED",
            "filters": filters,
            "page": page,
            "more": more,
            "event_types": EventType.objects.all(),
            "query": request.GET.urlencode(),
            "most_pages_read": services.MOST_PAGES_READ,
        }
        return TemplateResponse(request, "admin/inbox/candidate/inbox.html", context)

    def decide(self, request: HttpRequest) -> HttpResponse:
        back = HttpResponseRedirect(request.get_full_path())
        post = request.POST
        try:
            if "accept" in post:
                ids = post["accept"]
                chosen = post.get(f"type-{ids}")
                event_type = EventType.objects.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
                event = services.accept_group(group=group_of(ids), user=request.user, event_type=event_type)
                self.message_user(
                    request, f"A draft was made: “{event.title}”. Review it, then send it for review.", messages.SUCCESS
                )
                if post.get("read_pages"):
                    may_fetch = partial(lookup_allowed, request.user.pk)
                    for problem in services.fill_from_pages(event=event, may_fetch=may_fetch):
                        self.message_user(request, f"Page not read: {problem}", messages.WARNING)
                return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
            if "merge" in post:
                ids, _, event_pk = post["merge"].partition("|")
                event = Event.objects.filter(pk=event_pk).first() if event_pk.isdigit() else None
                if event is None:
                    raise ValidationError("That event is not in the record any more.")
                added = services.merge_group(group=group_of(ids), event=event, user=request.user)
                self.message_user(request, f"{len(added)} source(s) added to “{event.title}”.", messages.SUCCESS)
            elif "dismiss" in post:
                groups = [group_of(ids) for ids in post.getlist("group")]
                if not groups:
                    raise ValidationError("Tick the groups to dismiss.")
                count = services.dismiss_groups(groups=groups, reason=post.get("reason", ""), user=request.user)
                self.message_user(request, f"{count} candidate(s) dismissed.", messages.SUCCESS)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except PermissionDenied as error:  # a public event, for an editor: said on the page, not a bare 403
            self.message_user(request, str(error), messages.ERROR)
        return back
