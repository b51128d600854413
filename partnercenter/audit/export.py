"""The Activity log's exports: CSV and JSON lines."""

import datetime
import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder

from partnercenter.audit.words import describe
from partnercenter.models import AuditEvent
from partnercenter.web.csvfiles import csv_rows

# --- Exports ------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "time_utc",
    "event_type",
    "description",
    "actor",
    "actor_kind",
    "partner",
    "related_partner",
    "customer_id",
    "customer",
    "object_type",
    "object_id",
    "object",
    "before",
    "after",
    "ip_address",
    "user_agent",
    "request_id",
]


def export_record(event: AuditEvent) -> dict:
    """One event as the export's columns (``EXPORT_COLUMNS``); ``before``/``after`` are dicts,
    the time is UTC ISO 8601 and ``description`` the sentence in the active language."""
    return {
        "time_utc": event.created_at.astimezone(datetime.UTC).isoformat(),
        "event_type": event.event_type,
        "description": describe(event),
        "actor": event.actor_name,
        "actor_kind": event.actor_kind,
        "partner": event.partner.name if event.partner_id else "",
        "related_partner": event.related_partner.name if event.related_partner_id else "",
        "customer_id": event.customer_id or "",
        "customer": event.customer_name,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": event.object_repr,
        "before": event.before,
        "after": event.after,
        "ip_address": event.ip_address or "",
        "user_agent": event.user_agent,
        "request_id": str(event.request_id or ""),
    }


def csv_lines(events: Iterable[AuditEvent]) -> Iterable[str]:
    """The events as CSV text, a header line first, one line per event (for streaming)."""
    return csv_rows(
        EXPORT_COLUMNS,
        ([export_record(e)[column] for column in EXPORT_COLUMNS] for e in events),
    )


def jsonl_lines(events: Iterable[AuditEvent]) -> Iterable[str]:
    """The events as JSON lines: one object (``export_record``) per line."""
    for event in events:
        yield json.dumps(export_record(event), ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"
