"""Template context: the top navigation, and the one-time key of create-or-send forms."""

import uuid

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from partnercenter.tenant.roles import Action, may
from partnercenter.web.submissions import submission_key


def navigation(request):
    """Which top-navigation entries the signed-in user sees.

    Returns ``{"nav": {...}}`` with booleans (anonymous users get an empty dict), and
    ``page_cache_seconds``: how long the header keeps its cached menu (CACHES["pages"]).
    """
    seconds = settings.CACHES["pages"].get("TIMEOUT", 300)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.partner_id:
        return {"nav": {}, "page_cache_seconds": seconds}
    partner = user.partner
    return {
        "page_cache_seconds": seconds,
        "nav": {
            "customers": may(user, Action.VIEW_CUSTOMERS),
            "indirect_providers": partner.is_indirect_reseller,
            "indirect_resellers": partner.is_indirect_provider,
            "user_management": may(user, Action.MANAGE_USERS),
            "webhooks": may(user, Action.MANAGE_WEBHOOKS),
            "activity_log": may(user, Action.VIEW_ACTIVITY_LOG),
        },
    }


def submission(request):
    """``submission_key``: the hidden one-time key of the page's create-or-send form.

    A form shown again after an error keeps the key it was posted with, so a
    corrected double-click still counts once; a fresh page gets a fresh key.
    """

    def key() -> str:
        posted = request.POST.get("submission_key") if request.method == "POST" else None
        return str(submission_key(posted) if posted else uuid.uuid4())

    return {"submission_key": SimpleLazyObject(key)}
