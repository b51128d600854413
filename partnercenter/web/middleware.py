"""Request guards and per-user setup: bounded query strings, session lifetime and MFA,
time zone, the first-sign-in password change, and account kinds."""

import zoneinfo
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter.api.framework import API_PREFIXES, BAD_REQUEST, error_response

#: The longest query-string value any page needs (a search box takes 200 characters).
MAX_QUERY_VALUE = 2000


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
        if problem and request.path.startswith(API_PREFIXES):
            # The API's callers read Partner Center's error body, not a page.
            return error_response(400, BAD_REQUEST, problem, error_name="InvalidQuery")
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
