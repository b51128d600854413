"""Signing in's writes and reads: the second factor (set-up, check, reset, recovery codes),
sign-in records and security notices (docs/security.md)."""

import datetime
import math
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnercenter.audit.context import request_context
from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_record
from partnercenter.delivery.outbox import email_enqueue
from partnercenter.models import AuditEvent, OutboundEmail, User
from partnercenter.ops.metrics import SIGNIN_FAILURES
from partnercenter.tenant.services import partner_user_manage_check, sessions_end, user_event_record


def signin_record(*, username: str, user: User | None = None, reason: str = "") -> None:
    """Record a sign-in: ``signin.succeeded`` for ``user``, or with a ``reason``
    (``"password"``, ``"second_factor"``) ``signin.failed`` for ``username`` as typed.

    A failure names the partner of the account the name belongs to, if any, so
    its Global admins see attempts on their users; the actor is unknown
    (whoever typed it), recorded by the name typed (at most 150 characters).
    """
    if not reason:
        audit_record(
            EventType.SIGNIN_SUCCEEDED,
            actor=user,
            partner=user.partner,
            obj=user,
            object_type="user",
            object_repr=user.get_username(),
        )
        return
    SIGNIN_FAILURES.labels(reason).inc()
    # As typed, minus NUL (which PostgreSQL's text can't hold), at most 150 characters.
    username = (username or "").replace("\x00", "")[:150]
    owner = user or User.objects.filter(username__iexact=username).select_related("partner").first()
    audit_record(
        EventType.SIGNIN_FAILED,
        actor=None,
        actor_kind=AuditEvent.ActorKind.ANONYMOUS,
        actor_name=username,
        partner=owner.partner if owner else None,
        obj=owner,
        object_type="user" if owner else "",
        object_repr=username,
        after={"reason": reason},
    )


#: How many one-time recovery codes a user gets (each signs in once, without the app).
RECOVERY_CODE_COUNT = 10


def mfa_enrolment_start(*, user: User, device_id: int | None = None) -> TOTPDevice:
    """The unconfirmed authenticator-app device ``user`` is setting up.

    Reuses ``device_id`` when it is still this user's unconfirmed device, so a
    reload shows the same QR code; otherwise removes any abandoned unconfirmed
    device and makes a new one with a fresh random key. A confirmed device
    stays in use until ``mfa_enrolment_confirm`` replaces it.
    """
    if device_id is not None:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
        if device is not None:
            return device
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def mfa_devices_exist(user: User) -> bool:
    """Whether ``user`` has any confirmed second factor: an authenticator app or recovery
    codes. Such a user proves a second factor to sign in, and never sets one up again
    with the password alone."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True).exists()
    )


#: Set-up refused because a second factor exists (the first set-up happens once).
MFA_ALREADY_SET_UP = _lazy(
    "This account already has multi-factor authentication. Sign in with its code instead."
)


@transaction.atomic
def mfa_enrolment_confirm(*, device: TOTPDevice, code: str, signed_in: bool) -> list[str]:
    """Confirm ``device`` with a code the app shows; returns the new recovery codes.

    ``signed_in`` False is the first set-up, half way through a sign-in (the
    password alone was given): it is refused with ``MFA_ALREADY_SET_UP`` when the
    user has any second factor — checked under a lock on the user's row, so two
    set-ups racing can't both win — and records ``user.mfa_enrolled``.
    ``signed_in`` True is Security info's set-up (the caller checked a fresh
    proof): the user's earlier authenticator and recovery codes are replaced,
    ``user.mfa_replaced`` is recorded when there were any (else
    ``user.mfa_enrolled``), the user's other sessions are ended (the caller keeps
    its own: ``update_session_auth_hash``) and the user is emailed.
    The codes (``RECOVERY_CODE_COUNT`` of them) are returned once, to be shown
    once. Raises ValidationError keyed by ``code`` when the code is wrong.
    """
    user = User.objects.select_for_update().get(pk=device.user_id)
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user).first()
    had_devices = mfa_devices_exist(user)
    if not signed_in and had_devices:
        raise ValidationError({"code": MFA_ALREADY_SET_UP})
    if device is None or device.confirmed or not device.verify_token(_digits(code)):
        raise ValidationError({"code": MFA_CODE_WRONG})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_make(user)
    replaced = signed_in and had_devices
    user_event_record(
        EventType.USER_MFA_REPLACED if replaced else EventType.USER_MFA_ENROLLED,
        user=user,
        actor=user,
    )
    if replaced:
        sessions_end(user=user)
        security_notice_send(
            user=user,
            subject=_lazy("Your authenticator app was replaced"),
            template="registration/email/mfa_replaced.txt",
        )
    return codes


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def mfa_recovery_codes_renew(*, user: User) -> list[str]:
    """Replace ``user``'s recovery codes with ``RECOVERY_CODE_COUNT`` new ones; returns them.

    The caller checked a fresh proof (``partnercenter.signin.views.proof_fresh``). Records
    ``user.recovery_codes_renewed``.
    """
    codes = _recovery_codes_make(user)
    user_event_record(
        EventType.USER_RECOVERY_CODES_RENEWED,
        user=user,
        actor=user,
    )
    return codes


def security_notice_send(*, user: User, subject, template: str) -> None:
    """Email ``user`` that something changed on their account's sign-in, in their
    language, through the outbox (sent after the caller's transaction commits).

    ``subject`` is a lazy string; ``template`` a text template given ``recipient``,
    ``when`` (now, in the user's time zone) and the request's address, if any.
    Users without an email address get none.
    """
    if not user.email:
        return
    context = request_context()
    with translation.override(user.language), timezone.override(_zone(user.time_zone)):
        email_enqueue(
            kind=OutboundEmail.Kind.SECURITY_NOTICE,
            to_email=user.email,
            subject=str(subject),
            body=render_to_string(
                template,
                {
                    "recipient": user,
                    "when": timezone.localtime(),
                    "ip_address": context.ip_address if context else None,
                    "site_url": settings.SITE_URL,
                },
            ),
            about=user,
            caused_by=user,
            partner=user.partner,
        )


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name) if name else datetime.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


MFA_CODE_WRONG = _lazy(
    "That code didn't work. Enter the 6-digit code your authenticator app shows now, "
    "or one of your recovery codes."
)


def _digits(code: str) -> str:
    return "".join(str(code).split())


@transaction.atomic
def mfa_check(*, user: User, code: str):
    """The device of ``user`` that accepts ``code``, or None.

    Six digits are checked against the authenticator app (each code works once,
    within ±30 s); anything else against the recovery codes, which are used up
    by a match. Both kinds are throttled by django-otp (each failure doubles
    the wait before the next try). Returns a django-otp Device or None; raises
    ValidationError keyed by ``code`` while the devices are throttled.
    """
    code = _digits(code)
    if code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    else:
        code = code.lower()
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    waits = []
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            waits.append(details["locked_until"])
            continue
        if device.verify_token(code):
            return device
    if waits:
        seconds = max(1, math.ceil((min(waits) - timezone.now()).total_seconds()))
        raise ValidationError(
            {
                "code": ngettext(
                    "Too many wrong codes. Wait %(seconds)s second, then try again.",
                    "Too many wrong codes. Wait %(seconds)s seconds, then try again.",
                    seconds,
                )
                % {"seconds": seconds}
            }
        )
    return None


@transaction.atomic
def mfa_reset(*, user: User, acting_user: User) -> User:
    """A Global admin or User admin resets ``user``'s MFA (lost phone).

    Removes the user's authenticator and recovery codes, records who reset it
    and when (``mfa_reset_by``, ``mfa_reset_at``), and signs the user out
    everywhere; the next sign-in sets MFA up again. The caller checks the
    acting user's role and partner (``partnercenter.tenant.access``); this raises
    PermissionDenied when a User admin resets a Global admin (rule U2).
    """
    partner_user_manage_check(acting_user=acting_user, user=user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.mfa_reset_at = timezone.now()
    user.mfa_reset_by = acting_user
    user.save(update_fields=["mfa_reset_at", "mfa_reset_by"])
    sessions_end(user=user)
    user_event_record(
        EventType.USER_MFA_RESET,
        user=user,
        actor=acting_user,
    )
    return user


def mfa_registered(user) -> bool:
    """Whether ``user`` has a confirmed authenticator app (django-otp TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    """How many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
