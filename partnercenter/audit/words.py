"""An audit event as a sentence in the reader's language."""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.audit.events import ActorKind, EventType
from partnercenter.models import AuditEvent
from partnercenter.tenant.roles import Role

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


def _day(value: str) -> str:
    """An event's ISO date ("2026-12-07") in the active language's date format; a value
    that isn't one is shown as it is. A date agreed is a calendar day: no time zone moves it."""
    try:
        return formats.date_format(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


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
        "date": _day(a.get("date_agreed", "")),
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
    EventType.WEBHOOK_CHANGED: gettext_lazy("%(actor)s changed the webhook %(url)s."),
    EventType.SIGNIN_SUCCEEDED: gettext_lazy("%(actor)s signed in."),
    EventType.SIGNIN_FAILED: gettext_lazy("A sign-in as %(actor)s failed: %(reason)s."),
    EventType.API_TOKEN_CREATED: gettext_lazy("%(actor)s created the API token %(object)s."),
    EventType.API_TOKEN_FIRST_USED: gettext_lazy(
        "The API token %(object)s was used for the first time."
    ),
    EventType.API_TOKEN_REVOKED: gettext_lazy("%(actor)s revoked the API token %(object)s."),
    EventType.API_TOKEN_EXPIRED: gettext_lazy("The API token %(object)s expired."),
    EventType.ADMIN_RELATIONSHIP_CREATED: gettext_lazy(
        "%(actor)s requested the admin relationship %(object)s."
    ),
    EventType.ADMIN_RELATIONSHIP_DELETED: gettext_lazy(
        "%(actor)s deleted the admin relationship request %(object)s."
    ),
    EventType.ADMIN_RELATIONSHIP_FINALIZED: gettext_lazy(
        "%(actor)s finalized the admin relationship request %(object)s."
    ),
    EventType.ADMIN_RELATIONSHIP_APPROVED: gettext_lazy(
        "%(actor)s approved the admin relationship %(object)s."
    ),
    EventType.ADMIN_RELATIONSHIP_TERMINATED: gettext_lazy(
        "%(actor)s terminated the admin relationship %(object)s."
    ),
    EventType.ADMIN_RELATIONSHIP_EXTENDED: gettext_lazy(
        "The admin relationship %(object)s was extended by 180 days."
    ),
    EventType.ADMIN_RELATIONSHIP_EXPIRED: gettext_lazy(
        "The admin relationship %(object)s expired."
    ),
    EventType.ADMIN_RELATIONSHIP_AUTO_EXTEND_CHANGED: gettext_lazy(
        "%(actor)s changed auto-extend of the admin relationship %(object)s."
    ),
    EventType.ACCESS_ASSIGNMENT_CREATED: gettext_lazy(
        "%(actor)s added the access assignment %(object)s."
    ),
    EventType.ACCESS_ASSIGNMENT_UPDATED: gettext_lazy(
        "%(actor)s changed the access assignment %(object)s."
    ),
    EventType.ACCESS_ASSIGNMENT_DELETED: gettext_lazy(
        "%(actor)s removed the access assignment %(object)s."
    ),
}
