"""Reads of indirect partnerships, scoped to the signed-in user's partner."""

from django.db.models import QuerySet
from django.http import Http404

from partnercenter.access import partner_for_user, require
from partnercenter.models import Partner
from partnercenter.roles import Action
from relationships.models import IndirectPartnership


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
