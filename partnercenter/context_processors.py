"""Template context for the top navigation."""

from partnercenter.roles import Action, may


def navigation(request):
    """Which top-navigation entries the signed-in user sees.

    Returns ``{"nav": {...}}`` with booleans; anonymous users get an empty dict.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.partner_id:
        return {"nav": {}}
    partner = user.partner
    return {
        "nav": {
            "customers": may(user, Action.VIEW_CUSTOMERS),
            "indirect_providers": partner.is_indirect_reseller,
            "indirect_resellers": partner.is_indirect_provider,
            "user_management": may(user, Action.MANAGE_USERS),
        }
    }
