"""What both sign-in pages share (Partner Center's and the admin center's).

After the password, the second factor when the user needs one (``SignInMixin``),
and the session keys of a sign-in half way (docs/security.md, S1).
"""

import time

from django.conf import settings
from django.shortcuts import redirect

from partnercenter.signin.forms import SignInForm
from partnercenter.signin.services import (
    mfa_devices_exist,
    signin_record,
)

#: Session key of a sign-in waiting for its second factor.
PENDING = "mfa_pending"
#: Session key of the authenticator device being set up.
ENROLLING = "mfa_enrolling_device"
#: Session key: when (Unix s) the signed-in user last typed their password (fresh proof).
PROOF_AT = "security_proof_at"


def remember_language(response, language: str):
    """Set Django's language cookie on ``response`` (as ``set_language`` does); returns it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def mfa_needed(user) -> bool:
    """Whether ``user`` must give a second factor to sign in (see the module docstring)."""
    if user.customer_id:
        return False
    return settings.MFA_REQUIRED or mfa_devices_exist(user)


def mfa_required(user) -> bool:
    """Whether ``MFA_REQUIRED`` applies to ``user`` (partner users and staff)."""
    return settings.MFA_REQUIRED and not user.customer_id


class SignInMixin:
    """For a ``LoginView``: after the password, the second factor when the user needs one.

    ``switch_language``: afterwards the UI speaks the user's preferred language.
    """

    switch_language = True
    authentication_form = SignInForm

    def form_invalid(self, form):
        if form.data.get("username"):
            signin_record(username=form.data["username"], reason="password")
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        if not mfa_needed(user):
            response = super().form_valid(form)
            signin_record(username=user.get_username(), user=user)
            return remember_language(response, user.language) if self.switch_language else response
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        response = redirect("mfa_verify" if mfa_devices_exist(user) else "mfa_enrol")
        # The code and set-up pages already speak the user's language.
        return remember_language(response, user.language) if self.switch_language else response
