"""Signing in: password, then the second factor; MFA set-up; Security info.

Both sign-in pages (Partner Center's and the admin center's) use
``SignInMixin``: after a right password a user who needs multi-factor
authentication is *not* signed in yet. The session only remembers who is half
way (``PENDING``, for ``MFA_PENDING_SECONDS``) and the browser goes on to
**Enter code** (``mfa_verify``) or, the first time when ``MFA_REQUIRED``, to
**Set up your authenticator app** (``mfa_enrol``). Only a right code calls
``auth.login``. Wrong codes count as failed sign-ins for django-axes, like
wrong passwords. Django admin has no sign-in page of its own: it sends
back-office staff here.

Who needs MFA: partner users and back-office staff when ``MFA_REQUIRED`` is
on, and anybody who has a second factor. A customer's admin account (which
stands for the customer's own Microsoft Entra account) never does.

The password alone never changes a second factor (docs/security.md): while a
sign-in waits for its code, a user who has an authenticator app or recovery
codes can only reach **Enter code**; the set-up page is for a user with none.
Signed in, a new authenticator or new recovery codes need the password typed
again within ``SECURITY_PROOF_MINUTES`` (**Confirm your password**,
``security_confirm``), so a stolen session can't plant its own authenticator.
"""

import time
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from partnercenter.models import User
from partnercenter.signin.forms import MfaCodeForm, PasswordProofForm
from partnercenter.signin.mixins import (
    ENROLLING,
    PENDING,
    PROOF_AT,
    SignInMixin,
    mfa_required,
    remember_language,
)
from partnercenter.signin.services import (
    MFA_CODE_WRONG,
    mfa_check,
    mfa_devices_exist,
    mfa_enrolment_confirm,
    mfa_enrolment_start,
    mfa_recovery_codes_renew,
    mfa_registered,
    recovery_codes_left,
    signin_record,
)
from partnercenter.tenant.services import sessions_end
from partnercenter.web.pages import next_or, safe_next


class SignInView(SignInMixin, auth_views.LoginView):
    """Partner Center's sign-in (partner users; back-office staff for Django admin)."""

    redirect_authenticated_user = True


def _pending(request) -> tuple[dict, User | None]:
    """The half-done sign-in of this session and its user, or ``({}, None)`` when too old."""
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > settings.MFA_PENDING_SECONDS:
        return {}, None
    return pending, User.objects.filter(pk=pending.get("user"), is_active=True).first()


def _start_again(request):
    request.session.pop(PENDING, None)
    messages.info(request, _("Your sign-in timed out. Sign in again."))
    return redirect("login")


def _signed_in(request, *, user, device, pending):
    """Finish the sign-in: Django's login, then django-otp's (the session is verified)."""
    request.session.pop(PENDING, None)
    request.session.pop(ENROLLING, None)
    auth.login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    signin_record(username=user.get_username(), user=user)
    return safe_next(request, pending.get("next"), reverse("home"))


def _locked_out(request, credentials):
    """Hand the response to django-axes' middleware, which shows the lockout page."""
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return HttpResponse(status=429)


@login_not_required
def mfa_verify(request):
    """**Enter code**: the authenticator app's code, or a recovery code."""
    pending, user = _pending(request)
    if user is None:
        return _start_again(request)
    credentials = {"username": user.get_username()}
    form = MfaCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked_out(request, credentials)
        try:
            device = mfa_check(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:  # django-otp's back-off: not a guess, not counted
            form.add_error("code", exc.message_dict["code"])
        else:
            if device is not None:
                return _verified(request, user=user, device=device, pending=pending)
            # Counted by django-axes like a wrong password (and throttled by django-otp).
            user_login_failed.send(__name__, credentials=credentials, request=request)
            signin_record(username=user.get_username(), user=user, reason="second_factor")
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, credentials)
            form.add_error("code", MFA_CODE_WRONG)
    return render(request, "registration/mfa_verify.html", {"form": form, "pending_user": user})


def _verified(request, *, user, device, pending):
    """Sign in after a right code; a used recovery code says how many are left."""
    target = _signed_in(request, user=user, device=device, pending=pending)
    if isinstance(device, StaticDevice):
        messages.warning(
            request,
            _(
                "You signed in with a recovery code; %(count)s are left. "
                "Create new ones in Security info."
            )
            % {"count": recovery_codes_left(user)},
        )
    return remember_language(redirect(target), user.language)


def _qr_svg(device) -> str:
    """The device's ``otpauth://`` address as an inline SVG QR code, drawn here (segno)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=_("QR code for your authenticator app")
    )


@login_not_required
def mfa_enrol(request):
    """**Set up your authenticator app**: scan, enter a code, keep the recovery codes.

    Reached half way through a sign-in by a user with no second factor at all
    (``MFA_REQUIRED``, first sign-in): a user who has one is sent to **Enter
    code** and a POST changes nothing. Or from Security info by a signed-in user
    with a fresh proof (else to **Confirm your password** first), replacing the
    old authenticator. On success the recovery codes are shown in this response
    only.
    """
    if request.user.is_authenticated:
        if request.user.customer_id:
            raise PermissionDenied
        if not proof_fresh(request):
            return proof_ask(request, reverse("mfa_enrol"))
        user, pending = request.user, None
    else:
        pending, user = _pending(request)
        if user is None:
            return _start_again(request)
        if mfa_devices_exist(user):
            # The password alone never replaces a second factor.
            return redirect("mfa_verify")
    device = mfa_enrolment_start(user=user, device_id=request.session.get(ENROLLING))
    request.session[ENROLLING] = device.pk
    form = MfaCodeForm(request.POST or None, label=_("Code from the app"))
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa_enrolment_confirm(
                device=device, code=form.cleaned_data["code"], signed_in=pending is None
            )
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            device.refresh_from_db()
            if pending is not None:
                target = _signed_in(request, user=user, device=device, pending=pending)
            else:
                request.session.pop(ENROLLING, None)
                # Other sessions were ended (a replaced authenticator); this one stays.
                user.refresh_from_db(fields=["session_epoch"])
                update_session_auth_hash(request, user)
                django_otp.login(request, device)
                target = reverse("security")
            response = render(
                request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": target}
            )
            return remember_language(response, user.language)
    context = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": _spaced(b32encode(device.bin_key).decode("ascii")),
        "signing_in": pending is not None,
    }
    return render(request, "registration/mfa_enrol.html", context)


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def security(request):
    """**Security info**: the user's MFA, recovery codes and **Sign out everywhere**."""
    if request.user.customer_id:
        raise PermissionDenied
    context = {
        "registered": mfa_registered(request.user),
        "codes_left": recovery_codes_left(request.user),
        "required": mfa_required(request.user),
    }
    return render(request, "registration/security.html", context)


@require_POST
def recovery_codes_renew(request):
    """New recovery codes for the signed-in user, shown in this response only; with no
    fresh proof, **Confirm your password** first (then back to Security info)."""
    if request.user.customer_id or not mfa_registered(request.user):
        raise PermissionDenied
    if not proof_fresh(request):
        messages.info(
            request,
            _("Confirm your password, then select Create new recovery codes again."),
        )
        return proof_ask(request, reverse("security"))
    codes = mfa_recovery_codes_renew(user=request.user)
    return render(
        request,
        "registration/mfa_recovery_codes.html",
        {"codes": codes, "next": reverse("security")},
    )


def proof_fresh(request) -> bool:
    """Whether the signed-in user typed their password on **Confirm your password**
    within the last ``SECURITY_PROOF_MINUTES`` in this session."""
    proved_at = request.session.get(PROOF_AT)
    if not isinstance(proved_at, int | float):
        return False
    return 0 <= time.time() - proved_at <= settings.SECURITY_PROOF_MINUTES * 60


def proof_ask(request, next_url: str):
    """Redirect to **Confirm your password**, which returns to ``next_url`` (a path)."""
    return redirect(f"{reverse('security_confirm')}?{urlencode({'next': next_url})}")


def security_confirm(request):
    """**Confirm your password**: fresh proof before changing the second factor.

    A right password is remembered for ``SECURITY_PROOF_MINUTES`` (``PROOF_AT``)
    and the user goes on to ``next`` (this site's pages only). It goes through
    ``authenticate``, so wrong passwords count towards django-axes' lockout like
    wrong sign-ins, and a locked-out account gets the lockout page.
    """
    if request.user.customer_id:
        raise PermissionDenied
    target = next_or(request, reverse("security"))
    form = PasswordProofForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": request.user.get_username()}
        proved = auth.authenticate(request, password=form.cleaned_data["password"], **credentials)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, credentials)
        if proved is not None and proved.pk == request.user.pk:
            request.session[PROOF_AT] = time.time()
            return redirect(target)
        form.add_error("password", _("That password isn't right."))
    context = {
        "form": form,
        "next": target,
        "settings_proof_minutes": settings.SECURITY_PROOF_MINUTES,
    }
    return render(request, "registration/security_confirm.html", context)


@require_POST
def sign_out_everywhere(request):
    """End every session of the signed-in user, this one included."""
    sessions_end(user=request.user)
    auth.logout(request)
    messages.success(request, _("You were signed out everywhere. Sign in again."))
    return redirect("login")


@login_not_required
def admin_login(request):
    """Django admin's sign-in goes through Partner Center's, with its second factor."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Django admin is for back-office staff."))
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


def locked_out(request, response, credentials):
    """django-axes' lockout page (``AXES_LOCKOUT_CALLABLE``): 429, in the user's language.

    Says how many failures caused it and how long the cool-off lasts; the
    same for every sign-in page, and it never says whether the account exists.
    """
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
