"""Reading audit events, scoped to who may see them, keyset-paged."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from partnercenter.audit.words import describe
from partnercenter.models import AuditEvent, Partner, User
from partnercenter.web.paging import KeysetPage, keyset_page, keyset_page_merged

# --- Reading, scoped --------------------------------------------------------------------

KEYS = ("-created_at", "-id")


@dataclass
class Filters:
    """The Activity log's filters: dates are the user's local days, inclusive."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    event_type: str = ""
    actor: User | None = None
    customer_domain: str = ""


def _filtered(queryset, filters: Filters | None):
    if filters is None:
        return queryset
    zone = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=zone)
        queryset = queryset.filter(created_at__gte=start)
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        queryset = queryset.filter(created_at__lt=end)
    if filters.event_type:
        queryset = queryset.filter(event_type=filters.event_type)
    if filters.actor is not None:
        queryset = queryset.filter(actor=filters.actor)
    if filters.customer_domain:
        # Through the customers' unique index on lower(domain_prefix); the core names the
        # column as data, never importing the customers app.
        queryset = queryset.alias(_domain=Lower("customer__domain_prefix")).filter(
            _domain=filters.customer_domain
        )
    return queryset


def _listed(queryset):
    return queryset.select_related("partner", "related_partner")


def events_for_partner(partner: Partner, filters: Filters | None = None) -> list:
    """The partner's activity log as two querysets, one per index: its own events and the
    events it is the related partner of. Read them with ``events_page`` or ``events_all``."""
    return [
        _listed(_filtered(AuditEvent.objects.filter(partner=partner), filters)),
        _listed(_filtered(AuditEvent.objects.filter(related_partner=partner), filters)),
    ]


def events_for_customer(partner: Partner, customer, filters: Filters | None = None) -> list:
    """A customer's History for ``partner`` (the caller checked the partner may view it):
    the partner's and its resellers' events about it, and those no partner made."""
    visible = Q(partner=partner) | Q(related_partner=partner) | Q(partner__isnull=True)
    return [_listed(_filtered(AuditEvent.objects.filter(visible, customer=customer), filters))]


def events_page(querysets: list, *, cursor: str | None, per_page: int = 50) -> KeysetPage:
    """One page, newest first, of the events of ``querysets`` (keyset-paged)."""
    if len(querysets) == 1:
        return keyset_page(querysets[0], keys=KEYS, cursor=cursor, per_page=per_page)
    return keyset_page_merged(querysets, keys=KEYS, cursor=cursor, per_page=per_page)


def events_all(querysets: list, *, chunk_size: int = 2000) -> Iterable[AuditEvent]:
    """Every event of ``querysets``, newest first, read in chunks (for exports)."""
    if len(querysets) == 1:
        yield from querysets[0].order_by(*KEYS).iterator(chunk_size=chunk_size)
        return
    cursor = None
    while True:
        page = events_page(querysets, cursor=cursor, per_page=chunk_size)
        yield from page
        if not page.has_next:
            return
        cursor = page.next_cursor


def page_context(querysets: list, params, *, per_page: int = 50) -> dict:
    """Template context for one page of events: ``page_obj`` (the ``cursor`` in ``params``,
    a QueryDict), ``rows`` of ``(event, sentence)`` and ``keep`` (the filters, urlencoded,
    for the pager and export links)."""
    page = events_page(querysets, cursor=params.get("cursor"), per_page=per_page)
    keep = params.copy()
    keep.pop("cursor", None)
    return {
        "page_obj": page,
        "rows": [(event, describe(event)) for event in page],
        "keep": keep.urlencode(),
    }
