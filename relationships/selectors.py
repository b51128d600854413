"""Reads of indirect partnerships, scoped to the signed-in user's partner."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from customers.models import Customer
from partnercenter.access import partner_for_user, pk_or_404, require
from partnercenter.models import Partner
from partnercenter.roles import Action
from relationships.models import (
    IndirectPartnership,
    Invitation,
    PartnershipInvitation,
    ResellerRelationship,
)


def indirect_partnerships_for_user(user, *, side: str) -> QuerySet[IndirectPartnership]:
    """Active partnerships of the user's partner.

    ``side`` is ``"providers"`` (the **Indirect providers** page of an indirect
    reseller) or ``"resellers"`` (the **Indirect resellers** page of an indirect
    provider). Raises Http404 when the page does not exist for the partner's
    type, PermissionDenied for roles that may not manage partnerships (SPEC §2).
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


def shared_customers(partnership: IndirectPartnership) -> QuerySet[Customer]:
    """**View customers**: customers the reseller serves through this provider."""
    return Customer.objects.filter(
        reseller_relationships__partner=partnership.reseller,
        reseller_relationships__indirect_provider=partnership.provider,
        reseller_relationships__state=ResellerRelationship.State.ACTIVE,
    ).distinct()


def pending_partnership_invitations(partner) -> QuerySet[PartnershipInvitation]:
    """Invitations an indirect provider sent that no reseller has accepted yet."""
    return PartnershipInvitation.objects.filter(
        provider=partner, state=PartnershipInvitation.State.PENDING
    ).select_related("reseller")


def recent_invitations(partner, *, limit: int = 10) -> list[Invitation]:
    """The partner's most recently sent customer invitations (who, when, to whom)."""
    return list(
        Invitation.objects.filter(partner=partner).select_related("sent_by", "indirect_provider")[
            :limit
        ]
    )
