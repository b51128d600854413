"""The activity log: audit events written by the services, read scoped, said in plain words.

Issue #13 (docs/qualities.md, Evidence). A service that changes something calls
``audit_record`` (or ``audit_record_many``) inside its own transaction, so
the event and the change commit or roll back together — one INSERT per
service call, no signals, no middleware guessing. The request's IP address,
user agent and request id come from ``AuditContextMiddleware``, which puts
them in a context variable for the length of the request; the worker and
the shell have none.

Who sees an event (``events_for_partner``, ``events_for_customer``): the
partner it belongs to (``partner``: the acting partner, or the partner whose
record it is) and ``related_partner`` — the indirect provider of the acting
reseller's relationship with the customer, or the other side of a
partnership. So an indirect provider sees its resellers' events on shared
customers, and a reseller never sees another reseller's. Events with no
partner (back-office corrections, the customer acting on its own) show on
the History tab of the customer they are about.

This module knows no domain app: services pass the customer and object as
instances and say what changed.
"""

import contextvars
import csv
import datetime
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.models import AuditEvent, Partner, User
from partnercenter.paging import KeysetPage, keyset_page, keyset_page_merged
from partnercenter.roles import Role
from partnercenter.security import client_ip

ActorKind = AuditEvent.ActorKind


class EventType:
    """The stable event codes; ``LABELS`` names each for filters and exports."""

    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_CONTACT_CHANGED = "customer.contact_changed"
    CUSTOMER_DETAILS_CHANGED = "customer.details_changed"
    AGREEMENT_CONFIRMED = "agreement.confirmed"
    AGREEMENT_ACCEPTED_BY_CUSTOMER = "agreement.accepted_by_customer"
    RELATIONSHIP_ACTIVATED = "relationship.activated"
    RELATIONSHIP_REMOVED = "relationship.removed"
    PARTNERSHIP_INVITED = "partnership.invited"
    PARTNERSHIP_AUTHORIZED = "partnership.authorized"
    PARTNERSHIP_ENDED = "partnership.ended"
    USER_ADDED = "user.added"
    USER_ROLES_CHANGED = "user.roles_changed"
    USER_REMOVED = "user.removed"
    USER_MFA_RESET = "user.mfa_reset"
    USER_MFA_ENROLLED = "user.mfa_enrolled"
    USER_MFA_REPLACED = "user.mfa_replaced"
    USER_RECOVERY_CODES_RENEWED = "user.recovery_codes_renewed"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an event code
    SUBSCRIPTION_ORDERED = "subscription.ordered"
    SUBSCRIPTION_SEATS_CHANGED = "subscription.seats_changed"
    SUBSCRIPTION_CANCELLED = "subscription.cancelled"
    INVITATION_SENT = "invitation.sent"
    TEMPLATE_VERSION_ADDED = "template.version_added"
    TEMPLATE_CHANGED = "template.changed"
    WEBHOOK_ADDED = "webhook.added"
    WEBHOOK_REMOVED = "webhook.removed"
    SIGNIN_SUCCEEDED = "signin.succeeded"
    SIGNIN_FAILED = "signin.failed"

    LABELS = {
        CUSTOMER_CREATED: gettext_lazy("Customer added"),
        CUSTOMER_CONTACT_CHANGED: gettext_lazy("Primary contact changed"),
        CUSTOMER_DETAILS_CHANGED: gettext_lazy("Company details changed"),
        AGREEMENT_CONFIRMED: gettext_lazy("Customer acceptance confirmed"),
        AGREEMENT_ACCEPTED_BY_CUSTOMER: gettext_lazy("Agreement accepted by the customer"),
        RELATIONSHIP_ACTIVATED: gettext_lazy("Reseller relationship activated"),
        RELATIONSHIP_REMOVED: gettext_lazy("Reseller relationship removed"),
        PARTNERSHIP_INVITED: gettext_lazy("Indirect reseller invited"),
        PARTNERSHIP_AUTHORIZED: gettext_lazy("Indirect provider authorized"),
        PARTNERSHIP_ENDED: gettext_lazy("Indirect partnership ended"),
        USER_ADDED: gettext_lazy("User added"),
        USER_ROLES_CHANGED: gettext_lazy("User's roles changed"),
        USER_REMOVED: gettext_lazy("User removed"),
        USER_MFA_RESET: gettext_lazy("User's MFA reset"),
        USER_MFA_ENROLLED: gettext_lazy("Authenticator app set up"),
        USER_MFA_REPLACED: gettext_lazy("Authenticator app replaced"),
        USER_RECOVERY_CODES_RENEWED: gettext_lazy("New recovery codes created"),
        USER_PASSWORD_CHANGED: gettext_lazy("Password changed"),
        SUBSCRIPTION_ORDERED: gettext_lazy("Subscription ordered"),
        SUBSCRIPTION_SEATS_CHANGED: gettext_lazy("Seat count changed"),
        SUBSCRIPTION_CANCELLED: gettext_lazy("Subscription cancelled"),
        INVITATION_SENT: gettext_lazy("Reseller relationship invitation sent"),
        TEMPLATE_VERSION_ADDED: gettext_lazy("Agreement template version added"),
        TEMPLATE_CHANGED: gettext_lazy("Agreement template changed"),
        WEBHOOK_ADDED: gettext_lazy("Webhook added"),
        WEBHOOK_REMOVED: gettext_lazy("Webhook removed"),
        SIGNIN_SUCCEEDED: gettext_lazy("Signed in"),
        SIGNIN_FAILED: gettext_lazy("Sign-in failed"),
    }

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return list(cls.LABELS.items())


# --- The request's part of an event ----------------------------------------------------


@dataclass(frozen=True)
class RequestContext:
    """What an event records of the request that caused it."""

    request_id: uuid.UUID
    ip_address: str | None
    user_agent: str


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "partnercenter_audit_request", default=None
)


def request_context_enter(request) -> contextvars.Token:
    """Start recording ``request``'s id, address and user agent on events; returns the token
    ``request_context_exit`` takes. Sets ``request.request_id`` (a UUID)."""
    request.request_id = uuid.uuid4()
    return _context.set(
        RequestContext(
            request_id=request.request_id,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        )
    )


def request_context_exit(token: contextvars.Token) -> None:
    _context.reset(token)


def request_context() -> RequestContext | None:
    """The current request's id, address and user agent; None outside a request."""
    return _context.get()


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


# --- In plain words ----------------------------------------------------------------------

FIELD_LABELS = {
    "contact_first_name": gettext_lazy("first name"),
    "contact_last_name": gettext_lazy("last name"),
    "contact_email": gettext_lazy("email"),
    "contact_phone": gettext_lazy("phone number"),
    "company_name": gettext_lazy("company name"),
    "domain_prefix": gettext_lazy("domain"),
    "address_line1": gettext_lazy("address line 1"),
    "address_line2": gettext_lazy("address line 2"),
    "city": gettext_lazy("city"),
    "state": gettext_lazy("state/province/region"),
    "postal_code": gettext_lazy("postal code"),
    "country": gettext_lazy("country/region"),
    "language": gettext_lazy("language"),
    "culture": gettext_lazy("culture"),
    "cloud_instance": gettext_lazy("cloud instance"),
    "seats": gettext_lazy("seats"),
    "roles": gettext_lazy("roles"),
}


def _value(value) -> str:
    if value in (None, "", []):
        return _("(empty)")
    if isinstance(value, list):
        return ", ".join(_role(v) for v in value)
    return f"“{value}”"


def _role(name: str) -> str:
    try:
        return str(Role(name).label)
    except ValueError:
        return str(name)


def _change_list(event: AuditEvent) -> str:
    parts = [
        _("%(field)s from %(old)s to %(new)s")
        % {
            "field": FIELD_LABELS.get(key, key),
            "old": _value(event.before.get(key)),
            "new": _value(value),
        }
        for key, value in event.after.items()
    ]
    return "; ".join(parts)


def actor_display(event: AuditEvent) -> str:
    """Who acted, as a reader should see it ("Adam Park", "The system", ...)."""
    if event.actor_kind == ActorKind.SYSTEM:
        return _("The system")
    name = event.actor_name or _("Someone")
    if event.actor_kind == ActorKind.CUSTOMER:
        return _("%(name)s (the customer)") % {"name": name}
    if event.actor_kind == ActorKind.BACK_OFFICE:
        return _("%(name)s (back office)") % {"name": name}
    return name


def describe(event: AuditEvent) -> str:
    """The event as one sentence in the active language.

    E.g. "Adam Park changed the primary contact's email from “a@x” to “b@x”."
    """
    a = event.after
    params = {
        "actor": actor_display(event),
        "object": event.object_repr,
        "changes": _change_list(event),
        "partner": a.get("partner") or (event.partner.name if event.partner_id else ""),
        "provider": a.get("provider", ""),
        "reseller": a.get("reseller", ""),
        "email": a.get("email", ""),
        "date": a.get("date_agreed", ""),
        "acceptor": a.get("acceptor", ""),
        "agreement": a.get("agreement", event.object_repr),
        "seats": a.get("seats", ""),
        "url": a.get("url", event.object_repr),
        "reason": _REASONS.get(a.get("reason", ""), a.get("reason", "")),
    }
    t = EventType
    kind = event.event_type
    if kind == t.CUSTOMER_CONTACT_CHANGED:
        if len(a) == 1:
            ((key, value),) = a.items()
            return _(
                "%(actor)s changed the primary contact's %(field)s from %(old)s to %(new)s."
            ) % {
                **params,
                "field": FIELD_LABELS.get(key, key),
                "old": _value(event.before.get(key)),
                "new": _value(value),
            }
        return _("%(actor)s changed the primary contact: %(changes)s.") % params
    if kind == t.USER_ROLES_CHANGED:
        return _("%(actor)s changed %(object)s's roles from %(old)s to %(new)s.") % {
            **params,
            "old": _value(event.before.get("roles")),
            "new": _value(a.get("roles")),
        }
    if kind == t.SUBSCRIPTION_SEATS_CHANGED:
        return _("%(actor)s changed the seat count of %(object)s from %(old)s to %(new)s.") % {
            **params,
            "old": event.before.get("seats"),
            "new": a.get("seats"),
        }
    if kind == t.RELATIONSHIP_ACTIVATED and a.get("source") == "invitation":
        return _("%(actor)s accepted a reseller relationship with %(partner)s.") % params
    if kind == t.USER_ADDED:
        return _("%(actor)s added the user %(object)s with the roles %(roles)s.") % {
            **params,
            "roles": _value(a.get("roles")),
        }
    sentence = _SENTENCES.get(kind)
    if sentence is None:
        return _("%(actor)s: %(event)s") % {**params, "event": kind}
    return str(sentence) % params


_REASONS = {
    "password": gettext_lazy("wrong user name or password"),
    "second_factor": gettext_lazy("wrong second-factor code"),
}

_SENTENCES = {
    EventType.CUSTOMER_CREATED: gettext_lazy("%(actor)s added the customer %(object)s."),
    EventType.CUSTOMER_DETAILS_CHANGED: gettext_lazy(
        "%(actor)s changed the company details: %(changes)s."
    ),
    EventType.AGREEMENT_CONFIRMED: gettext_lazy(
        "%(actor)s confirmed that %(acceptor)s accepted the %(agreement)s on %(date)s."
    ),
    EventType.AGREEMENT_ACCEPTED_BY_CUSTOMER: gettext_lazy(
        "%(actor)s accepted the %(agreement)s on %(date)s."
    ),
    EventType.RELATIONSHIP_ACTIVATED: gettext_lazy(
        "%(actor)s created a reseller relationship with %(partner)s."
    ),
    EventType.RELATIONSHIP_REMOVED: gettext_lazy(
        "%(actor)s removed the reseller relationship with %(partner)s."
    ),
    EventType.PARTNERSHIP_INVITED: gettext_lazy(
        "%(actor)s invited %(reseller)s to authorize %(provider)s as its indirect provider."
    ),
    EventType.PARTNERSHIP_AUTHORIZED: gettext_lazy(
        "%(actor)s authorized %(provider)s as the indirect provider of %(reseller)s."
    ),
    EventType.PARTNERSHIP_ENDED: gettext_lazy(
        "%(actor)s ended the indirect partnership of %(provider)s and %(reseller)s."
    ),
    EventType.USER_REMOVED: gettext_lazy("%(actor)s removed the user %(object)s."),
    EventType.USER_MFA_RESET: gettext_lazy(
        "%(actor)s reset multifactor authentication for %(object)s."
    ),
    EventType.USER_MFA_ENROLLED: gettext_lazy("%(actor)s set up an authenticator app."),
    EventType.USER_MFA_REPLACED: gettext_lazy(
        "%(actor)s replaced their authenticator app; their other sessions were signed out."
    ),
    EventType.USER_RECOVERY_CODES_RENEWED: gettext_lazy("%(actor)s created new recovery codes."),
    EventType.USER_PASSWORD_CHANGED: gettext_lazy("%(actor)s changed their password."),
    EventType.SUBSCRIPTION_ORDERED: gettext_lazy(
        "%(actor)s ordered %(object)s with %(seats)s seats."
    ),
    EventType.SUBSCRIPTION_CANCELLED: gettext_lazy(
        "%(actor)s cancelled the subscription %(object)s."
    ),
    EventType.INVITATION_SENT: gettext_lazy(
        "%(actor)s sent a reseller relationship invitation to %(email)s."
    ),
    EventType.TEMPLATE_VERSION_ADDED: gettext_lazy(
        "%(actor)s added the agreement template %(object)s."
    ),
    EventType.TEMPLATE_CHANGED: gettext_lazy(
        "%(actor)s changed the agreement template %(object)s: %(changes)s."
    ),
    EventType.WEBHOOK_ADDED: gettext_lazy("%(actor)s added the webhook %(url)s."),
    EventType.WEBHOOK_REMOVED: gettext_lazy("%(actor)s removed the webhook %(url)s."),
    EventType.SIGNIN_SUCCEEDED: gettext_lazy("%(actor)s signed in."),
    EventType.SIGNIN_FAILED: gettext_lazy("A sign-in as %(actor)s failed: %(reason)s."),
}


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


#: A spreadsheet runs a cell starting with these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """``value`` as CSV cell text that no spreadsheet runs as a formula: a leading
    ``=``, ``+``, ``-``, ``@``, tab or carriage return gets an apostrophe before it."""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object whose ``write`` returns what was written (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_rows(header: Iterable, records: Iterable[Iterable]) -> Iterable[str]:
    """CSV text for streaming: a BOM (so Excel reads UTF-8) and ``header``, then one line
    per record, every cell ``csv_safe``. The activity log's and the agreements' exports
    use it."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([str(h) for h in header])
    for record in records:
        yield writer.writerow([csv_safe(value) for value in record])


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
