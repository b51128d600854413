"""Scoped access to partner-owned objects (docs/style.md, habit 1).

Every view fetches objects through these helpers: an object outside the
user's partner is a 404 (its existence is not revealed); one inside whose
action the user's roles don't allow is a 403.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnercenter.models import OutboundEmail, Partner, User, WebhookDelivery, WebhookEndpoint
from partnercenter.roles import Action, Role, may


def require(user, action: Action) -> None:
    """Raise PermissionDenied (403) unless ``user`` may take ``action`` (docs/roles.md)."""
    if not may(user, action):
        raise PermissionDenied


def partner_for_user(user, action: Action | None = None) -> Partner:
    """The signed-in user's partner, checking ``action`` if given.

    Raises Http404 for accounts without a partner (back-office staff), then
    PermissionDenied when the user's roles don't allow ``action``.
    """
    if not getattr(user, "partner_id", None):
        raise Http404("This account does not belong to a partner.")
    if action is not None:
        require(user, action)
    return user.partner


def partner_users_for_user(user) -> QuerySet[User]:
    """Active users of the same partner as ``user``, with their roles prefetched."""
    partner = partner_for_user(user)
    return (
        User.objects.filter(partner=partner, is_active=True)
        .prefetch_related("groups")
        .annotate(has_mfa=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    )


def partner_people(partner: Partner) -> QuerySet[User]:
    """Every user of ``partner``, removed ones too, by name (the activity log's user filter)."""
    return User.objects.filter(partner=partner).order_by("first_name", "last_name", "pk")


def partner_admins(partner: Partner) -> list[User]:
    """The active Admin agents and Global admins of ``partner`` (who hear of acceptances
    nobody in particular invited)."""
    wanted = {Role.ADMIN_AGENT.value, Role.GLOBAL_ADMIN.value}
    users = User.objects.filter(partner=partner, is_active=True).prefetch_related("groups")
    return [u for u in users if wanted & set(u.role_names)]


def mfa_registered(user) -> bool:
    """Whether ``user`` has a confirmed authenticator app (django-otp TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    """How many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pk_or_404(value) -> int:
    """``value`` as a primary key; Http404 when it isn't a whole number (a tampered id)."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def partner_user_get_for_user(user, pk, *, action: Action = Action.MANAGE_USERS) -> User:
    """One user of ``user``'s partner by primary key.

    Raises Http404 when ``pk`` is malformed, unknown or another partner's user,
    PermissionDenied when ``user`` may not take ``action``.
    """
    target = get_object_or_404(partner_users_for_user(user), pk=pk_or_404(pk))
    require(user, action)
    return target


#: Who may see and **Resend** an email of each kind: those who may send it.
EMAIL_KIND_ACTION = {
    OutboundEmail.Kind.CUSTOMER_INVITATION: Action.INVITE_CUSTOMERS,
    OutboundEmail.Kind.PARTNERSHIP_INVITATION: Action.MANAGE_PARTNERSHIPS,
    OutboundEmail.Kind.ACCEPTANCE_NOTICE: Action.VIEW_CUSTOMERS,
    # A user's own sign-in notices: those who manage the partner's users.
    OutboundEmail.Kind.SECURITY_NOTICE: Action.MANAGE_USERS,
}


def outbound_email_get_for_user(user, pk) -> OutboundEmail:
    """One outgoing email of ``user``'s partner.

    Raises Http404 when ``pk`` is malformed, unknown or another partner's,
    PermissionDenied when ``user`` may not send emails of its kind.
    """
    partner = partner_for_user(user)
    email = get_object_or_404(OutboundEmail, pk=pk_or_404(pk), partner=partner)
    require(user, EMAIL_KIND_ACTION[email.kind])
    return email


def emails_about(objects) -> dict:
    """The newest outgoing email about each of ``objects`` (one model), by primary key.

    One query however many objects; objects without an email are absent.
    """
    objects = list(objects)
    if not objects:
        return {}
    emails = OutboundEmail.objects.filter(
        about_type=ContentType.objects.get_for_model(objects[0]),
        about_id__in=[str(o.pk) for o in objects],
    ).order_by("created_at", "pk")
    return {int(e.about_id): e for e in emails}


def webhook_endpoints_for_user(user) -> QuerySet[WebhookEndpoint]:
    """The webhooks of ``user``'s partner. Raises PermissionDenied unless a Global admin."""
    partner = partner_for_user(user, Action.MANAGE_WEBHOOKS)
    return WebhookEndpoint.objects.filter(partner=partner)


def webhook_endpoint_get_for_user(user, pk) -> WebhookEndpoint:
    """One webhook of ``user``'s partner; Http404 outside it, PermissionDenied by role."""
    return get_object_or_404(webhook_endpoints_for_user(user), pk=pk_or_404(pk))


def webhook_delivery_get_for_user(user, pk) -> WebhookDelivery:
    """One delivery to a webhook of ``user``'s partner; Http404 outside it."""
    return get_object_or_404(
        WebhookDelivery.objects.filter(endpoint__in=webhook_endpoints_for_user(user)),
        pk=pk_or_404(pk),
    )
