"""Partner Center roles and the permission matrix of docs/roles.md, in one place.

A role is a Django ``Group`` whose name is the role's Partner Center name
("Admin agent", ...). Each action is a custom permission on ``Partner``
(``partnercenter.<action>``). ``partnercenter.tenant.services.role_groups_sync`` makes
the groups and their permissions match ``MATRIX``; it runs after every
``migrate``, so the matrix below is the single source of truth and back-office
staff only choose which roles a user holds. Views ask one question:
``may(user, action)``.

This module imports no model: ``partnercenter.models`` builds on it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Partner Center's user roles; the value is the Group name (seed 004)."""

    GLOBAL_ADMIN = "Global admin", _("Global admin")
    USER_ADMIN = "User admin", _("User admin")
    ADMIN_AGENT = "Admin agent", _("Admin agent")
    SALES_AGENT = "Sales agent", _("Sales agent")
    HELPDESK_AGENT = "Helpdesk agent", _("Helpdesk agent")
    BILLING_ADMIN = "Billing admin", _("Billing admin")


class Action(models.TextChoices):
    """What a partner user may do; each is the codename of a permission on Partner. The
    labels are the permission names Django admin shows, translated."""

    VIEW_CUSTOMERS = "view_customers", _("View customers, account info and confirmation status")
    ADD_CUSTOMER = "add_customer", _("Add a new customer")
    ATTEST_AGREEMENT = (
        "attest_agreement",
        _("Confirm (attest) Microsoft Customer Agreement acceptance"),
    )
    # Helpdesk agents attest only in the attest-on-behalf scenarios (seed 002; docs/roles.md R*,
    # rule A9).
    ATTEST_AGREEMENT_ON_BEHALF = (
        "attest_agreement_on_behalf",
        _("Attest agreement acceptance on the customer's behalf"),
    )
    INVITE_CUSTOMERS = "invite_customers", _("Request a reseller relationship / invite customers")
    REMOVE_RELATIONSHIP = "remove_relationship", _("Remove a customer relationship")
    MANAGE_PARTNERSHIPS = "manage_partnerships", _("Manage indirect provider/reseller partnerships")
    PLACE_ORDERS = "place_orders", _("Place orders and change seat counts")
    MANAGE_USERS = "manage_users", _("Manage users and their roles")
    # Outgoing webhooks.
    MANAGE_WEBHOOKS = "manage_webhooks", _("Register webhooks for partner events")
    # The primary contact, and the activity log.
    EDIT_CUSTOMER = "edit_customer", _("Change a customer's primary contact")
    VIEW_ACTIVITY_LOG = "view_activity_log", _("See and export the partner's activity log")
    # GDAP admin relationships and security groups (docs/relationships.md, G9).
    MANAGE_ADMIN_RELATIONSHIPS = (
        "manage_admin_relationships",
        _("Request, finalize, terminate admin relationships and manage access assignments"),
    )


_ALL = frozenset(Action)

#: docs/roles.md, row by row: which role may take which action.
MATRIX: dict[Role, frozenset[Action]] = {
    Role.GLOBAL_ADMIN: _ALL,
    Role.USER_ADMIN: frozenset(
        {
            Action.VIEW_CUSTOMERS,
            Action.ADD_CUSTOMER,
            Action.MANAGE_PARTNERSHIPS,
            Action.MANAGE_USERS,
        }
    ),
    Role.ADMIN_AGENT: frozenset(
        {
            Action.VIEW_CUSTOMERS,
            Action.ADD_CUSTOMER,
            Action.EDIT_CUSTOMER,
            Action.ATTEST_AGREEMENT,
            Action.ATTEST_AGREEMENT_ON_BEHALF,
            Action.INVITE_CUSTOMERS,
            Action.REMOVE_RELATIONSHIP,
            Action.MANAGE_PARTNERSHIPS,
            Action.PLACE_ORDERS,
            Action.MANAGE_ADMIN_RELATIONSHIPS,
        }
    ),
    Role.SALES_AGENT: frozenset(
        {
            Action.VIEW_CUSTOMERS,
            Action.ADD_CUSTOMER,
            Action.EDIT_CUSTOMER,
            Action.ATTEST_AGREEMENT,
            Action.ATTEST_AGREEMENT_ON_BEHALF,
            Action.INVITE_CUSTOMERS,
            Action.MANAGE_PARTNERSHIPS,
            Action.PLACE_ORDERS,
        }
    ),
    Role.HELPDESK_AGENT: frozenset(
        {Action.VIEW_CUSTOMERS, Action.ATTEST_AGREEMENT_ON_BEHALF, Action.PLACE_ORDERS}
    ),
    Role.BILLING_ADMIN: frozenset({Action.VIEW_CUSTOMERS}),
}


def permission_name(action: Action) -> str:
    """Return the ``app_label.codename`` string Django's ``has_perm`` takes."""
    return f"partnercenter.{action.value}"


def may(user, action: Action) -> bool:
    """Whether ``user`` may take ``action`` for its own partner (docs/roles.md).

    False for anonymous and inactive users and for accounts without a partner
    (back-office staff work in Django admin, not the dashboard). Read from the
    roles the user holds and MATRIX — the matrix the role groups' permissions
    are written from — so a request costs one query for the roles
    (``User.role_names``, cached on the user), however many checks it makes.
    """
    if not (user.is_authenticated and user.is_active and getattr(user, "partner_id", None)):
        return False
    return any(action in MATRIX[Role(name)] for name in user.role_names)


def may_grant(user, role: Role) -> bool:
    """Rule U1 (docs/roles.md): only a Global admin grants or takes away Global admin;
    whoever may manage users (``Action.MANAGE_USERS``) handles the other roles."""
    return role != Role.GLOBAL_ADMIN or Role.GLOBAL_ADMIN.value in user.role_names


def may_manage_user(user, target) -> bool:
    """Rule U2 (docs/roles.md): whether ``user`` may change ``target``'s account (roles,
    Reset MFA, removal) as far as Global admin goes: a Global admin's account only a
    Global admin may change. The caller checks ``Action.MANAGE_USERS`` and the partner."""
    return may_grant(user, Role.GLOBAL_ADMIN) or Role.GLOBAL_ADMIN.value not in target.role_names
