"""Request guards and per-user setup: bounded query strings, session lifetime and MFA,
time zone, the first-sign-in password change, and account kinds."""

import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from partnercenter.audit import request_context_enter, request_context_exit

#: The longest query-string value any page needs (a search box takes 200 characters).
MAX_QUERY_VALUE = 2000


class AuditContextMiddleware:
    """Give each request an id, and let the audit events it writes record it, the client's
    address and its user agent. The id is sent back as ``X-Request-ID``, so a
    support case can name the events of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_context_enter(request)
        try:
            response = self.get_response(request)
        finally:
            request_context_exit(token)
        response["X-Request-ID"] = str(request.request_id)
        return response


class BoundedQueryMiddleware:
    """Refuse query strings the databases can't take, with a clear 400 page (docs/qualities.md).

    A NUL character is refused by PostgreSQL in any text, and a search term of
    tens of thousands of characters is "too complex" for SQLite's LIKE; both
    would otherwise surface as a 500 from whichever page or Django admin list
    passes the value on. Form fields refuse NUL themselves, beside the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = None
        for key, values in request.GET.lists():
            if any("\x00" in text for text in (key, *values)):
                problem = _("The address contains a null character, which isn't allowed.")
            elif any(len(value) > MAX_QUERY_VALUE for value in values):
                problem = _(
                    "The address is too long: a value in it has more than %(limit)s characters."
                ) % {"limit": MAX_QUERY_VALUE}
        if problem:
            return HttpResponseBadRequest(render_to_string("400.html", {"problem": problem}))
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Activate the signed-in user's time zone, so "today" is theirs (rule A1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Send a user with a temporary password to the password change page (seed 004).

    Only the pages needed to change the password, sign out or switch language
    stay reachable until then. A customer's admin account changes it in the
    admin center and then returns to the link it followed.
    """

    allowed_url_names = ("password_change", "admincenter:password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.allowed_url_names}
            if request.path not in allowed and not request.path.startswith("/static/"):
                messages.info(
                    request,
                    _("You're signing in with a temporary password. Change it to continue."),
                )
                if user.customer_id:
                    target = reverse("admincenter:password_change")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
                return redirect("password_change")
        return self.get_response(request)


class CustomerAccountMiddleware:
    """A customer's admin account has no partner dashboard: send it to the admin center (docs/admin-center.md)."""

    open_prefixes = ("/admincenter/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.customer_id
            and not request.path.startswith(self.open_prefixes)
            and request.path != reverse("logout")
        ):
            return redirect("admincenter:home")
        return self.get_response(request)


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
