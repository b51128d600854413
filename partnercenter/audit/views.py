"""Settings → **Activity log** and its exports."""

from django.http import (
    Http404,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone, translation

from partnercenter.audit.export import csv_lines, jsonl_lines
from partnercenter.audit.forms import ActivityFilterForm
from partnercenter.audit.read import events_all, events_for_partner, page_context
from partnercenter.tenant.access import partner_for_user, partner_people
from partnercenter.tenant.roles import Action


def activity_log(request):
    """Settings → **Activity log** (Global admin): who changed what, newest first.

    The partner's own events and its resellers' on shared customers
    (``events_for_partner``), filtered by date range, event type, user
    and customer, keyset-paged, with CSV and JSON lines exports.
    """
    partner = partner_for_user(request.user, Action.VIEW_ACTIVITY_LOG)
    form = ActivityFilterForm(request.GET or None, users=partner_people(partner))
    querysets = events_for_partner(partner, form.filters())
    context = {"form": form, **page_context(querysets, request.GET)}
    return render(request, "partnercenter/activity_log.html", context)


EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", csv_lines),
    "jsonl": ("application/jsonl; charset=utf-8", jsonl_lines),
}


def activity_export(request, fmt: str):
    """The filtered Activity log as a streamed download: ``csv`` (formula-safe cells) or
    ``jsonl``. All matching events, newest first, read in chunks."""
    partner = partner_for_user(request.user, Action.VIEW_ACTIVITY_LOG)
    if fmt not in EXPORT_TYPES:
        raise Http404("No such export format.")
    form = ActivityFilterForm(request.GET or None, users=partner_people(partner))
    content_type, lines = EXPORT_TYPES[fmt]
    events = events_all(events_for_partner(partner, form.filters()))
    language = translation.get_language()

    def stream():
        # Runs after the view has returned: speak the request's language throughout.
        with translation.override(language):
            yield from lines(events)

    response = StreamingHttpResponse(stream(), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="activity-log-{stamp}.{fmt}"'
    return response
