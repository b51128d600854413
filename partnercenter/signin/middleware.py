"""Session lifetime and MFA on every session; no caching of signed-in pages (docs/security.md)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

#: Session keys: when this session signed in, and when it last made a request (Unix s).
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"


def session_times_start(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: every sign-in starts the session's clocks afresh."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


class SessionSecurityMiddleware:
    """Session lifetime, MFA on every session, and no caching of signed-in pages.

    A session is signed out after ``SESSION_IDLE_MINUTES`` without a request or
    ``SESSION_MAX_HOURS`` after sign-in, and — when ``MFA_REQUIRED`` applies to
    the user — when it was signed in without a second factor (e.g. before the
    setting was turned on). The last request time is written at most once a
    minute, so most requests don't write the session. Every response to a
    signed-in user, and every admin-center page, gets
    ``Cache-Control: no-store, private``: the back button of a shared computer
    doesn't show customer data after sign-out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            reason = self._ended(request, user)
            if reason:
                login_url = reverse("admincenter:login" if user.customer_id else "login")
                auth.logout(request)
                messages.info(request, reason)
                return self._no_store(
                    redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
                )
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/admincenter/"):
            self._no_store(response)
        return response

    @staticmethod
    def _no_store(response):
        patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _ended(request, user) -> str:
        session = request.session
        now = time.time()
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            return _("You were signed out after %(minutes)s minutes without activity.") % {
                "minutes": settings.SESSION_IDLE_MINUTES
            }
        if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
            return _("You were signed out %(hours)s hours after signing in.") % {
                "hours": settings.SESSION_MAX_HOURS
            }
        if settings.MFA_REQUIRED and not user.customer_id and DEVICE_ID_SESSION_KEY not in session:
            return _(
                "Your organization requires multi-factor authentication. Sign in again to set it up."
            )
        if now - last_seen >= 60 or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return ""
