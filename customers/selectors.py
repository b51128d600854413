"""Reads of customers, scoped to the signed-in user's partner (STYLE habit 1)."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from agreements.selectors import with_agreement_status
from customers.models import Customer, Subscription
from partnercenter.access import partner_for_user, pk_or_404
from partnercenter.models import Partner
from partnercenter.roles import Action
from relationships.models import ResellerRelationship
from relationships.selectors import active_relationships

DOMAIN_SUFFIX = ".onmicrosoft.com"


def customers_of_partner(partner: Partner) -> QuerySet[Customer]:
    """Customers ``partner`` serves: an active relationship of its own, or — for an
    indirect provider — one of its resellers' relationships through it (SPEC §5, A8).
    """
    served = (
        active_relationships()
        .filter(customer=OuterRef("pk"))
        .filter(Q(partner=partner) | Q(indirect_provider=partner))
    )
    return Customer.objects.filter(Exists(served))


def customer_list_for_user(user, *, search: str = "") -> QuerySet[Customer]:
    """The Customers page rows, ordered by company name.

    Each customer carries ``own_relationship_id`` (its own relationship, if any),
    ``through_provider`` (the provider named on its own relationship, if any),
    ``through_reseller`` (for an indirect provider: the reseller serving it) and
    ``agreement_status``. ``search`` matches the company name (contains, any
    case) or the domain (starts with; a trailing ``.onmicrosoft.com`` is
    ignored). Raises Http404 for accounts without a partner, PermissionDenied
    for roles that may not view customers (SPEC §2).
    """
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    # Correlated "first match" subqueries, not EXISTS, in the select list: each
    # costs one index probe per row shown, whatever the number of customers.
    own = active_relationships().filter(customer=OuterRef("pk"), partner=partner).order_by()
    rows = customers_of_partner(partner).annotate(
        own_relationship_id=Subquery(own.values("pk")[:1]),
        through_provider=Subquery(own.values("indirect_provider__name")[:1]),
        through_reseller=Subquery(
            active_relationships()
            .filter(customer=OuterRef("pk"), indirect_provider=partner)
            .order_by()
            .values("partner__name")[:1]
        ),
    )
    search = search.strip()
    if search:
        domain = search.lower().removesuffix(DOMAIN_SUFFIX)
        rows = rows.filter(Q(company_name__icontains=search) | Q(domain_prefix__startswith=domain))
    return with_agreement_status(rows, partner=partner).order_by(Lower("company_name"), "id")


def customer_get_for_user(user, pk, *, action: Action = Action.VIEW_CUSTOMERS) -> Customer:
    """One customer the user's partner serves, by primary key.

    Raises Http404 when ``pk`` is malformed or the customer isn't served by the
    user's partner (another partner's customer), PermissionDenied when the
    user's roles don't allow ``action``.
    """
    partner = partner_for_user(user)
    customer = get_object_or_404(customers_of_partner(partner), pk=pk_or_404(pk))
    partner_for_user(user, action)
    return customer


def relationships_for_customer(
    customer: Customer, *, partner: Partner
) -> QuerySet[ResellerRelationship]:
    """``partner``'s active relationships with ``customer`` (its own, or its resellers' through it)."""
    return (
        active_relationships()
        .filter(customer=customer)
        .filter(Q(partner=partner) | Q(indirect_provider=partner))
        .select_related("partner", "indirect_provider")
    )


def recent_acceptances(partner: Partner, *, limit: int = 5) -> list[dict]:
    """**Recent acceptances**: customers who lately accepted an invitation or the agreement.

    Returns up to ``limit`` dicts ``{"customer", "kind", "at"}``, newest first;
    ``kind`` is ``"relationship"`` or ``"agreement"``. Two queries, whatever the size.
    """
    from agreements.models import AgreementAcceptance

    relationships = (
        active_relationships()
        .filter(
            Q(partner=partner) | Q(indirect_provider=partner),
            source=ResellerRelationship.Source.INVITATION,
        )
        .select_related("customer")
        .order_by("-since")[:limit]
    )
    agreements = (
        AgreementAcceptance.objects.filter(
            method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
            customer__in=customers_of_partner(partner),
        )
        .select_related("customer")
        .order_by("-created_at", "-pk")[:limit]
    )
    events = [
        {"customer": r.customer, "kind": "relationship", "at": r.since} for r in relationships
    ]
    events += [
        {"customer": a.customer, "kind": "agreement", "at": a.created_at} for a in agreements
    ]
    return sorted(events, key=lambda e: e["at"], reverse=True)[:limit]


def customer_has_purchases(customer) -> bool:
    """Rule A9's test (seed 002, scenarios 1 and 2): the customer already has purchases.

    True when it has an active subscription through any partner relationship;
    then it can't accept the agreement directly and a partner must attest.
    """
    return Subscription.objects.filter(customer=customer, state=Subscription.State.ACTIVE).exists()


def customer_has_active_subscriptions_through(customer, *, partner: Partner) -> bool:
    """Whether ``customer`` has active subscriptions bought through ``partner``.

    While it does, the partner can't remove its relationship (seed 004).
    """
    return Subscription.objects.filter(
        customer=customer, partner=partner, state=Subscription.State.ACTIVE
    ).exists()
