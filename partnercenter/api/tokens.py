"""Making, using, listing and revoking API tokens (docs/api.md, rules T1–T4).

A token is ``pc_`` and 43 URL-safe characters (256 random bits). It is shown once,
by ``token_create``; the database keeps its SHA-256 (``token_digest``) and its first
characters, so a copy of the database can't call the API.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter.audit.context import request_context_api_token
from partnercenter.audit.events import ActorKind, EventType
from partnercenter.audit.record import audit_record
from partnercenter.models import ApiToken, User, token_digest
from partnercenter.tenant.access import partner_for_user, pk_or_404
from partnercenter.tenant.roles import Role

TOKEN_PREFIX = "pc_"  # noqa: S105 - the visible start of every token, not a secret

#: How often ``last_used_at`` is written for a token in steady use (seconds): a token
#: making 50 calls a second writes its row once a minute, not 50 times a second.
LAST_USED_EVERY = 60


def _audit(event_type: str, token: ApiToken, *, actor: User | None, **fields) -> None:
    audit_record(
        event_type,
        actor=actor,
        partner=token.partner,
        obj=token,
        object_type="api_token",
        object_repr=token.name,
        **fields,
    )


@transaction.atomic
def token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token acting as ``user``; returns ``(token, secret)``. The secret exists only
    in this return value: show it once.

    ``name`` (1–100 characters, trimmed) says what the token is for; ``days`` is its
    lifetime, ``API_TOKEN_DEFAULT_DAYS`` (90) when None, 1 to ``API_TOKEN_MAX_DAYS``
    (365) (rule T2). Every partner user may make tokens for themselves (rule T1).
    Raises ValidationError keyed by ``name``/``days``, Http404 for accounts without a
    partner. The caller checks the session's second factor (the page, rule T4).
    """
    partner = partner_for_user(user)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter a name that says what the token is for.")
    elif len(name) > 100:
        errors["name"] = _("Use at most 100 characters.")
    if days is None:
        days = settings.API_TOKEN_DEFAULT_DAYS
    if not isinstance(days, int) or not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("Choose between 1 and %(max)s days.") % {
            "max": settings.API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        partner=partner,
        user=user,
        name=name,
        prefix=secret[:10],
        digest=token_digest(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    _audit(
        EventType.API_TOKEN_CREATED,
        token,
        actor=user,
        after={"name": name, "expires": token.expires_at.date().isoformat()},
    )
    return token, secret


def token_authenticate(secret: str, *, ip_address: str | None = None) -> ApiToken | None:
    """The usable token whose secret is ``secret``, with its user and partner; None when
    unknown, revoked, expired or its user removed (rule T3 — the caller answers 401).

    Records the first use (an audit event) and when and from where it was last used
    (written at most once a ``LAST_USED_EVERY`` seconds). Marks the rest of the request
    as made through this token, so its audit events name it.
    """
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user__partner", "partner")
        .filter(digest=token_digest(secret))
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now) or token.user.partner_id != token.partner_id:
        return None
    stale = token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        LAST_USED_EVERY
    )
    if stale or token.last_used_from != ip_address:
        first = token.last_used_at is None
        with transaction.atomic():
            updated = ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
                last_used_at=now, last_used_from=ip_address
            )
            if first and updated:
                _audit(EventType.API_TOKEN_FIRST_USED, token, actor=token.user)
        token.last_used_at, token.last_used_from = now, ip_address
    request_context_api_token(token.name)
    return token


def tokens_for_user(user) -> QuerySet[ApiToken]:
    """The tokens ``user`` sees under **App management**: their own; a Global admin every
    token of the partner (rule T1). Newest first, with their users."""
    partner = partner_for_user(user)
    tokens = ApiToken.objects.filter(partner=partner).select_related("user", "revoked_by")
    if Role.GLOBAL_ADMIN.value not in user.role_names:
        tokens = tokens.filter(user=user)
    return tokens


def token_get_for_user(user, pk) -> ApiToken:
    """One token ``user`` may see and revoke; Http404 for a malformed, unknown, another
    user's (unless Global admin) or another partner's token."""
    return get_object_or_404(tokens_for_user(user), pk=pk_or_404(pk))


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """**Revoke**: the token stops working at once (its next call is a 401, rule T3).
    Revoking a revoked token changes nothing. Raises PermissionDenied when ``user`` may
    not see the token (``token_get_for_user`` is the usual way in)."""
    if token.pk not in set(tokens_for_user(user).filter(pk=token.pk).values_list("pk", flat=True)):
        raise PermissionDenied
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    token.refresh_from_db()
    if updated:
        _audit(EventType.API_TOKEN_REVOKED, token, actor=user)
    return token


@transaction.atomic
def tokens_expired_record(*, now=None) -> int:
    """Put each token that expired since the last run on the activity log, once (the
    daily job). Set-based: one SELECT, one INSERT per token, one UPDATE. Returns how
    many."""
    now = now or timezone.now()
    due = list(
        ApiToken.objects.select_for_update()
        .filter(expiry_recorded=False, expires_at__lte=now, revoked_at__isnull=True)
        .select_related("partner")
    )
    for token in due:
        _audit(
            EventType.API_TOKEN_EXPIRED,
            token,
            actor=None,
            actor_kind=ActorKind.SYSTEM,
        )
    ApiToken.objects.filter(pk__in=[t.pk for t in due]).update(expiry_recorded=True)
    return len(due)
