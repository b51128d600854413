"""The sign-in backend: Django's ModelBackend, with the user's partner in the same query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PartnerModelBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` — run on every signed-in request — joins the
    user's partner, which every dashboard page reads (names, nav, scoped access):
    one query instead of two. Passwords, ``is_active`` and permissions
    are ModelBackend's unchanged.

    Sessions signed in before this backend existed name ModelBackend and sign in
    again once.
    """

    def get_user(self, user_id):
        """The active user with primary key ``user_id``, its partner loaded; None otherwise."""
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("partner").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
