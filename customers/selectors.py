"""Reads of customers, scoped to the signed-in user's partner (STYLE habit 1)."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from partnercenter.access import partner_for_user
from partnercenter.roles import Action
from relationships.models import ResellerRelationship

DOMAIN_SUFFIX = ".onmicrosoft.com"


def customer_relationships_for_user(user, *, search: str = "") -> QuerySet[ResellerRelationship]:
    """The Customers page rows: the partner's active reseller relationships, one per customer.

    ``search`` matches the company name (contains, any case) or the domain
    (starts with; a trailing ``.onmicrosoft.com`` is ignored). Ordered by company
    name. Raises Http404 for accounts without a partner, PermissionDenied for
    roles that may not view customers (SPEC §2).
    """
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    rows = ResellerRelationship.objects.filter(
        partner=partner, state=ResellerRelationship.State.ACTIVE
    ).select_related("customer", "indirect_provider")
    search = search.strip()
    if search:
        domain = search.lower().removesuffix(DOMAIN_SUFFIX)
        rows = rows.filter(
            Q(customer__company_name__icontains=search)
            | Q(customer__domain_prefix__startswith=domain)
        )
    return rows.order_by(Lower("customer__company_name"), "customer_id")
