"""Per-user request setup: the user's time zone, and the first-sign-in password change."""

import zoneinfo

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


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
    stay reachable until then.
    """

    allowed_url_names = ("password_change", "logout", "set_language")

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
                return redirect("password_change")
        return self.get_response(request)
