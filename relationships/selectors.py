"""Reads of reseller relationships, indirect partnerships and invitation links.

Who serves which customer (rule A8) is a relationships fact, so the other apps
ask here: ``partner_serves_customer``, ``indirect_providers_of``.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agreements.models import AgreementStatusRow
from partnercenter.delivery.access import emails_about
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_for_user, pk_or_404, require
from partnercenter.tenant.roles import Action
from relationships.invitations import InvitationKind
from relationships.models import (
    AccessAssignment,
    AdminRelationship,
    IndirectPartnership,
    Invitation,
    PartnershipInvitation,
    ResellerRelationship,
    SecurityGroup,
)


def active_relationships() -> QuerySet[ResellerRelationship]:
    """Every active reseller relationship (the partner-to-customer links that count)."""
    return ResellerRelationship.objects.filter(state=ResellerRelationship.State.ACTIVE)


def partner_serves_customer(partner: Partner, customer) -> bool:
    """Rule A8: ``partner`` has an active reseller relationship with ``customer``.

    An indirect provider serves the customers it shares with its resellers.
    """
    return customer.pk in customers_served_by(partner, [customer.pk])


def customers_served_by(partner: Partner, customer_ids) -> set[int]:
    """Rule A8 for many customers at once: which of ``customer_ids`` ``partner`` serves
    (its own active relationship, or a reseller's through it). One query, through the
    relationships' customer index."""
    return set(
        active_relationships()
        .filter(Q(partner=partner) | Q(indirect_provider=partner), customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
    )


def own_relationship_with(customer, *, partner: Partner) -> ResellerRelationship | None:
    """``partner``'s own active relationship with ``customer`` (not one through a reseller)."""
    return active_relationships().filter(partner=partner, customer=customer).first()


def provider_for(partner: Partner, customer) -> Partner | None:
    """The indirect provider of ``partner``'s active relationship with ``customer``, if any.

    The audit events ``partner`` writes about ``customer`` name it as their
    related partner, so the provider sees its reseller's changes.
    """
    relationship = (
        active_relationships()
        .filter(partner=partner, customer=customer, indirect_provider__isnull=False)
        .select_related("indirect_provider")
        .first()
    )
    return relationship.indirect_provider if relationship else None


def indirect_providers_of(partner: Partner) -> list[Partner]:
    """The indirect providers ``partner`` (an indirect reseller) works with, by name."""
    return [
        p.provider
        for p in IndirectPartnership.objects.filter(
            reseller=partner, state=IndirectPartnership.State.ACTIVE
        )
        .select_related("provider")
        .order_by("provider__name")
    ]


def indirect_partnerships_for_user(user, *, side: str) -> QuerySet[IndirectPartnership]:
    """Active partnerships of the user's partner.

    ``side`` is ``"providers"`` (the **Indirect providers** page of an indirect
    reseller) or ``"resellers"`` (the **Indirect resellers** page of an indirect
    provider). Raises Http404 when the page does not exist for the partner's
    type, PermissionDenied for roles that may not manage partnerships (docs/roles.md).
    """
    partner = partner_for_user(user)
    wanted = {
        "providers": Partner.PartnerType.INDIRECT_RESELLER,
        "resellers": Partner.PartnerType.INDIRECT_PROVIDER,
    }
    if wanted.get(side) != partner.partner_type:
        raise Http404("This page is not available for this partner type.")
    require(user, Action.MANAGE_PARTNERSHIPS)
    active = IndirectPartnership.objects.filter(state=IndirectPartnership.State.ACTIVE)
    if side == "providers":
        return active.filter(reseller=partner).select_related("provider").order_by("provider__name")
    return active.filter(provider=partner).select_related("reseller").order_by("reseller__name")


def resellers_of(provider: Partner) -> QuerySet[Partner]:
    """The indirect resellers in an active partnership with ``provider``, by name."""
    return Partner.objects.filter(
        pk__in=IndirectPartnership.objects.filter(
            provider=provider, state=IndirectPartnership.State.ACTIVE
        ).values("reseller")
    ).order_by("name")


def indirect_partnership_get_for_user(
    user, pk, *, action: Action = Action.MANAGE_PARTNERSHIPS
) -> IndirectPartnership:
    """One active partnership of the user's partner (either side), by primary key.

    Raises Http404 for an unknown id, another partner's partnership or an ended
    one; PermissionDenied when the user's roles don't allow ``action``.
    """
    partner = partner_for_user(user)
    partnership = get_object_or_404(
        IndirectPartnership.objects.select_related("provider", "reseller").filter(
            Q(provider=partner) | Q(reseller=partner), state=IndirectPartnership.State.ACTIVE
        ),
        pk=pk_or_404(pk),
    )
    partner_for_user(user, action)
    return partnership


def shared_customers(partnership: IndirectPartnership) -> QuerySet:
    """**View customers**: customers the reseller serves through this provider.

    The reseller's agreement status rows that name the provider (customer
    joined), for keyset paging by ``("sort_name", "customer_id")`` on the
    reseller's list index.
    """
    return AgreementStatusRow.objects.filter(
        partner=partnership.reseller, own=True, provider=partnership.provider
    ).select_related("customer")


def pending_partnership_invitations(partner) -> QuerySet[PartnershipInvitation]:
    """Invitations an indirect provider sent that no reseller has accepted yet (expired included)."""
    return PartnershipInvitation.objects.filter(
        provider=partner,
        state__in=[PartnershipInvitation.State.PENDING, PartnershipInvitation.State.EXPIRED],
    ).select_related("reseller")


def partnership_invitations_received(partner) -> QuerySet[PartnershipInvitation]:
    """Invitations addressed to ``partner`` (an indirect reseller) it hasn't accepted yet.

    Pending and expired, newest first, with their provider: the **Indirect
    providers** page lists them.
    """
    return (
        PartnershipInvitation.objects.filter(
            reseller=partner,
            state__in=[PartnershipInvitation.State.PENDING, PartnershipInvitation.State.EXPIRED],
        )
        .select_related("provider", "reseller")
        .order_by("-sent_at", "-pk")
    )


def partnership_invitation_received_get_for_user(user, pk) -> PartnershipInvitation:
    """One invitation addressed to the user's partner, by primary key.

    Any state: an accepted one shows as accepted. Raises Http404 for an
    unknown or malformed id and for an invitation to another partner.
    """
    partner = partner_for_user(user)
    return get_object_or_404(
        PartnershipInvitation.objects.select_related("provider", "reseller").filter(
            reseller=partner
        ),
        pk=pk_or_404(pk),
    )


def recent_invitations(partner, *, limit: int = 10) -> list[Invitation]:
    """The partner's most recently sent customer invitations (who, when, to whom).

    Each carries ``outbound_email``: its email in the outbox (state, Resend), or None.
    """
    invitations = list(
        Invitation.objects.filter(partner=partner).select_related("sent_by", "indirect_provider")[
            :limit
        ]
    )
    return with_outbound_email(invitations)


def with_outbound_email(invitations) -> list:
    """``invitations`` as a list, each with ``outbound_email`` (its newest email, or None)."""
    invitations = list(invitations)
    emails = emails_about(invitations)
    for invitation in invitations:
        invitation.outbound_email = emails.get(invitation.pk)
    return invitations


# --- Invitation links (docs/relationships.md, §6) ---------------------------------------------------


class InvalidInvitation(Exception):
    """The link's parameters are malformed or name partners that don't fit."""


@dataclass(frozen=True)
class ParsedInvitation:
    """What an invitation link asks: who invites, through which provider, with DAP or not."""

    kind: str
    partner: Partner
    provider: Partner | None
    dap: bool

    @property
    def partners(self) -> list[tuple[Partner, Partner | None]]:
        """The (partner, indirect provider) relationships accepting creates.

        The indirect kind authorizes the reseller (through the provider) and the
        provider itself at once (seed 004).
        """
        if self.provider is None:
            return [(self.partner, None)]
        return [(self.partner, self.provider), (self.provider, None)]


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInvitation from exc


def invitation_parse(params) -> ParsedInvitation:
    """Read ``invType``, ``partnerId``, ``msppId``, ``indirectCSPId`` and ``DAP`` from ``params``.

    ``params`` is a mapping such as ``request.GET``. Raises InvalidInvitation
    for an unknown kind, malformed values, a partner or provider that doesn't
    exist, or a provider without a partnership with the reseller.
    """
    kind = params.get("invType", "")
    dap_value = params.get("DAP", "false").lower()
    if dap_value not in {"true", "false"}:
        raise InvalidInvitation
    dap = dap_value == "true"
    mspp_id = params.get("msppId", "")
    if not mspp_id.isdigit():
        raise InvalidInvitation
    partner = Partner.objects.filter(tenant_id=_uuid(params.get("partnerId"))).first()
    if partner is None:
        raise InvalidInvitation
    if kind == InvitationKind.RESELLER:
        if partner.is_indirect_reseller or "indirectCSPId" in params:
            raise InvalidInvitation
        return ParsedInvitation(kind=kind, partner=partner, provider=None, dap=dap)
    if kind == InvitationKind.INDIRECT_RESELLER:
        provider = Partner.objects.filter(tenant_id=_uuid(params.get("indirectCSPId"))).first()
        if provider is None or not partner.is_indirect_reseller or mspp_id != partner.mpn_id:
            raise InvalidInvitation
        if not IndirectPartnership.objects.filter(
            provider=provider, reseller=partner, state=IndirectPartnership.State.ACTIVE
        ).exists():
            raise InvalidInvitation
        return ParsedInvitation(kind=kind, partner=partner, provider=provider, dap=dap)
    raise InvalidInvitation


def customer_relationships(customer) -> QuerySet[ResellerRelationship]:
    """Every active relationship of ``customer`` (the admin center's **Partners** page)."""
    return active_relationships().filter(customer=customer)


# --- GDAP admin relationships (docs/relationships.md, G9) --------------------------------


def admin_relationships_for_user(user) -> QuerySet[AdminRelationship]:
    """The admin relationships of the user's partner, newest first, with their customers.
    Raises Http404 for accounts without a partner, PermissionDenied for roles that may
    not view customers."""
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    return AdminRelationship.objects.filter(partner=partner).select_related("customer")


def admin_relationship_get_for_user(
    user, pk, *, action: Action = Action.VIEW_CUSTOMERS
) -> AdminRelationship:
    """One admin relationship of the user's partner by its id (two GUIDs joined by a dash).

    Raises Http404 when the id is malformed, unknown or another partner's, then
    PermissionDenied when the user may not take ``action``.
    """
    if not isinstance(pk, str) or len(pk) != 73:
        raise Http404
    relationship = get_object_or_404(
        AdminRelationship.objects.filter(partner=partner_for_user(user)).select_related(
            "customer", "partner"
        ),
        pk=pk.lower(),
    )
    require(user, action)
    return relationship


def security_groups_for_user(user) -> QuerySet[SecurityGroup]:
    """The security groups of the user's partner, by name, with their members."""
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    return SecurityGroup.objects.filter(partner=partner).prefetch_related("members")


def security_group_get_for_user(user, pk) -> SecurityGroup:
    """One security group of the user's partner; Http404 outside it or for a malformed id."""
    try:
        key = uuid.UUID(str(pk))
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(security_groups_for_user(user), pk=key)


def access_assignment_get_for_user(user, relationship: AdminRelationship, pk) -> AccessAssignment:
    """One access assignment of ``relationship`` (already scoped); Http404 otherwise."""
    try:
        key = uuid.UUID(str(pk))
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(
        AccessAssignment.objects.filter(relationship=relationship).select_related("security_group"),
        pk=key,
    )


def admin_relationship_for_customer_admin(user, pk) -> AdminRelationship:
    """The admin relationship a customer's admin opened from an approval link: one made
    for their tenant (or for no tenant yet). Http404 for anything else (rule G6)."""
    customer = getattr(user, "customer", None)
    if customer is None or not isinstance(pk, str) or len(pk) != 73:
        raise Http404
    relationship = (
        AdminRelationship.objects.select_related("partner", "customer")
        .filter(pk=pk.lower())
        .filter(Q(customer=customer) | Q(customer__isnull=True, customer_tenant_id=customer.tenant_id)
                | Q(customer__isnull=True, customer_tenant_id__isnull=True))
        .first()
    )  # fmt: skip
    if relationship is None:
        raise Http404
    return relationship


def admin_relationships_of_customer(customer) -> QuerySet[AdminRelationship]:
    """Every admin relationship made for ``customer`` (the admin center's **Partner
    relationships**), newest first."""
    return AdminRelationship.objects.filter(customer=customer).select_related("partner")


#: The **Expiring admin relationships** page's buckets: key → (label, what it selects).
EXPIRY_BUCKETS = ("1", "7", "30", "later", "expired")


def admin_relationships_in_bucket(user, bucket: str, *, search: str = "", now=None) -> QuerySet:
    """The partner's admin relationships in one bucket of **Expiring admin relationships**:
    active ones ending within 1, 7 or 30 days (``"1"``, ``"7"``, ``"30"``) or after 30 days
    (``"later"``), and those expired in the last year (``"expired"``). ``search`` keeps
    names or customers starting with it. Read through the (partner, status, end_at) index."""
    now = now or timezone.now()
    rows = admin_relationships_for_user(user)
    if bucket == "expired":
        rows = rows.filter(
            status=AdminRelationship.Status.EXPIRED, end_at__gte=now - timedelta(days=365)
        )
    elif bucket == "later":
        rows = rows.filter(
            status=AdminRelationship.Status.ACTIVE, end_at__gt=now + timedelta(days=30)
        )
    else:
        days = int(bucket) if bucket in ("1", "7", "30") else 30
        rows = rows.filter(
            status=AdminRelationship.Status.ACTIVE,
            end_at__gt=now,
            end_at__lte=now + timedelta(days=days),
        )
    text = (search or "").strip()
    if text:
        rows = rows.filter(
            Q(display_name__istartswith=text) | Q(customer_display_name__istartswith=text)
        )
    return rows


def customers_without_admin_relationship(user, *, dap_only: bool = False) -> list[QuerySet]:
    """The partner's customers with no active admin relationship of the partner, as two
    querysets read through the ``agr_status_gdap`` index (customers on DAP, customers with
    no admin access at all); with ``dap_only``, the first alone — the question partners
    couldn't answer during the move to GDAP. Read them with ``keyset_page_merged`` by
    ``("sort_name", "customer_id")``; the status rows keep the ``gdap`` column in step."""
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    rows = AgreementStatusRow.objects.filter(partner=partner).select_related("customer")
    Gdap = AgreementStatusRow.Gdap
    if dap_only:
        return [rows.filter(gdap=Gdap.DAP)]
    return [rows.filter(gdap=Gdap.DAP), rows.filter(gdap=Gdap.NONE)]
