"""Scoped access to partner-owned objects (docs/style.md, habit 1).

Every view fetches objects through these helpers: an object outside the
user's partner is a 404 (its existence is not revealed); one inside whose
action the user's roles don't allow is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnercenter.models import Partner, User
from partnercenter.tenant.roles import Action, Role, may


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
