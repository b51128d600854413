"""Writing audit events, in the caller's transaction, with the request's part."""

import datetime
from collections.abc import Iterable, Mapping

from django.db import connections, router

from partnercenter.audit.context import _context
from partnercenter.audit.events import ActorKind
from partnercenter.models import AuditEvent, Partner


def actor_kind_of(user) -> str:
    """``ActorKind`` of a user (None or anonymous: the system)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ActorKind.SYSTEM
    if user.partner_id:
        return ActorKind.PARTNER_USER
    if user.customer_id:
        return ActorKind.CUSTOMER
    return ActorKind.BACK_OFFICE


def _name(user) -> str:
    return (user.get_full_name() or user.get_username())[:255]


def changes(old: Mapping, new: Mapping) -> tuple[dict, dict]:
    """``(before, after)`` holding only the keys whose values differ, as strings or JSON."""
    before, after = {}, {}
    for key, value in new.items():
        if old.get(key) != value:
            before[key], after[key] = _plain(old.get(key)), _plain(value)
    return before, after


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def audit_event(
    event_type: str,
    *,
    actor=None,
    actor_kind: str | None = None,
    actor_name: str | None = None,
    partner: Partner | None = None,
    related_partner: Partner | None = None,
    customer=None,
    obj=None,
    object_type: str = "",
    object_repr: str | None = None,
    before: Mapping | None = None,
    after: Mapping | None = None,
    created_at: datetime.datetime | None = None,
) -> AuditEvent:
    """An unsaved event, filled in from the request context (``audit_record`` saves one).

    ``actor`` is the user who acted (None for the system); ``partner`` defaults
    to the actor's partner. ``obj`` is the changed model instance (its pk and
    ``str()``), ``object_type`` a short noun such as ``"customer"``.
    A ``related_partner`` equal to ``partner`` is dropped. ``created_at`` is
    left to the database's clock at the INSERT unless given (a batch's
    ``partnercenter.models.database_now()``).
    """
    context = _context.get()
    kind = actor_kind or actor_kind_of(actor)
    if actor_name is None and actor is not None and context and context.api_token:
        # A write made through the API names the token beside its user.
        actor_name = f"{_name(actor)} (API: {context.api_token})"
    if partner is None and actor is not None and getattr(actor, "partner_id", None):
        partner = actor.partner
    if related_partner is not None and partner is not None and related_partner.pk == partner.pk:
        related_partner = None
    return AuditEvent(
        event_type=event_type,
        actor=actor if actor is not None and actor.pk else None,
        actor_kind=kind,
        actor_name=(actor_name if actor_name is not None else _name(actor) if actor else "")[:255],
        partner=partner,
        related_partner=related_partner,
        customer=customer,
        customer_name=str(customer)[:255] if customer is not None else "",
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:255],
        before=dict(before or {}),
        after=dict(after or {}),
        ip_address=context.ip_address if context else None,
        user_agent=context.user_agent if context else "",
        request_id=context.request_id if context else None,
        **({"created_at": created_at} if created_at is not None else {}),
    )


def audit_record(event_type: str, **fields) -> AuditEvent:
    """Write one event (one INSERT) in the caller's transaction; see ``audit_event``."""
    event = audit_event(event_type, **fields)
    event.save()
    return event


def audit_record_many(
    events: Iterable[AuditEvent], *, batch_size: int | None = None
) -> list[AuditEvent]:
    """Write several ``audit_event``s of one service call in one INSERT (or one per
    ``batch_size`` events, for bulk confirmation's thousands)."""
    events = list(events)
    return AuditEvent.objects.bulk_create(events, batch_size=batch_size) if events else []


def audit_record_batch(events: Iterable[AuditEvent]) -> int:
    """Write thousands of ``audit_event``s (bulk confirmation) as one prepared
    INSERT run once per event (the driver's ``executemany``); returns how many.

    Each value is converted by its field exactly as ``bulk_create`` converts it
    (``get_db_prep_save``), without ``bulk_create``'s per-statement SQL building:
    on SQLite, whose statements hold at most 999 values, that halves the time of
    20 000 events. The events get no pk. Every event needs its ``created_at``
    (``audit_event(created_at=partnercenter.models.database_now())``); raises
    ValueError otherwise, before writing any.
    """
    events = list(events)
    if any(not isinstance(e.created_at, datetime.datetime) for e in events):
        raise ValueError("Give each event its created_at (database_now()).")
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(AuditEvent)]
    quote = connection.ops.quote_name
    # Only the model's own table and column names, quoted; the values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(getattr(e, f.attname), connection) for f in fields] for e in events]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(rows)
