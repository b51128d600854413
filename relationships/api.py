"""Partner Center's REST API for relationships (docs/api.md): the reseller relationship
request link, the partner's indirect providers or resellers, and a customer's
partners. Reads only; the links are the pages' (``relationships.invitations``)."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema

from customers.selectors import customer_get_by_tenant_for_user, relationships_for_customer
from partnercenter.api.framework import (
    BAD_REQUEST,
    ApiError,
    Attributes,
    PartnerCenterRouter,
    collection,
    collection_schema,
    link,
    parse_guid,
)
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from relationships.selectors import indirect_partnerships_for_user, indirect_providers_of
from relationships.services import customer_invitation_url

router = PartnerCenterRouter(tags=["Relationships"])

#: Partner Center's ``relationship_type`` values: whom the list names.
PROVIDERS = "IsIndirectCloudSolutionProviderOf"
RESELLERS = "IsIndirectResellerOf"


class RelationshipRequest(Schema):
    url: str
    attributes: Attributes


class PartnerRelationship(Schema):
    id: str
    name: str
    relationshipType: str
    state: str
    mpnId: str
    location: str
    attributes: Attributes


PartnerRelationshipCollection = collection_schema(
    PartnerRelationship, "PartnerRelationshipCollection"
)


def partner_relationship(partner: Partner, relationship_type: str) -> dict:
    """``partner`` as Partner Center's PartnerRelationship resource."""
    return {
        "id": str(partner.tenant_id),
        "name": partner.name,
        "relationshipType": relationship_type,
        "state": "active",
        "mpnId": partner.mpn_id,
        "location": str(partner.country),
        "attributes": {"objectType": "PartnerRelationship"},
    }


@router.get(
    "/customers/relationshiprequests",
    response=RelationshipRequest,
    summary="Request a reseller relationship",
    operation_id="relationship_requests_get",
)
def relationship_request(request, indirectCSPId: str | None = None):
    """The link a customer follows to accept a reseller relationship with the partner
    (**Request a reseller relationship**); an indirect reseller names its indirect
    provider with ``indirectCSPId`` (its Partner ID)."""
    partner = partner_for_user(request.user, Action.INVITE_CUSTOMERS)
    provider = None
    if indirectCSPId:
        wanted = parse_guid(indirectCSPId, field="indirectCSPId")
        providers = indirect_providers_of(partner) if partner.is_indirect_reseller else []
        provider = next((p for p in providers if p.tenant_id == wanted), None)
        if provider is None:
            raise ApiError(
                400,
                BAD_REQUEST,
                _("indirectCSPId must be the Partner ID of one of your indirect providers."),
                error_name="InvalidIndirectProvider",
                parameters={"indirectCSPId": indirectCSPId[:64]},
            )
    return {
        "url": customer_invitation_url(partner=partner, provider=provider, dap=False),
        "attributes": {"objectType": "RelationshipRequest"},
    }


@router.get(
    "/relationships",
    response=PartnerRelationshipCollection,
    summary="Get indirect providers or indirect resellers",
    operation_id="relationships_list",
)
def relationships_list(request, relationship_type: str):
    """``IsIndirectCloudSolutionProviderOf``: an indirect reseller's providers;
    ``IsIndirectResellerOf``: an indirect provider's resellers. Empty for a partner of
    the other type."""
    if relationship_type not in (PROVIDERS, RESELLERS):
        raise ApiError(
            400,
            BAD_REQUEST,
            _("relationship_type must be %(a)s or %(b)s.") % {"a": PROVIDERS, "b": RESELLERS},
            error_name="InvalidRelationshipType",
            parameters={"relationship_type": relationship_type[:64]},
        )
    side = "providers" if relationship_type == PROVIDERS else "resellers"
    try:
        partnerships = list(indirect_partnerships_for_user(request.user, side=side))
    except Http404:
        partner_for_user(request.user, Action.MANAGE_PARTNERSHIPS)
        partnerships = []
    items = [
        partner_relationship(p.provider if side == "providers" else p.reseller, relationship_type)
        for p in partnerships
    ]
    return collection(
        items, links={"self": link(f"/relationships?relationship_type={relationship_type}")}
    )


@router.get(
    "/customers/{customer_id}/relationships",
    response=PartnerRelationshipCollection,
    summary="Get a customer's partners",
    operation_id="customer_relationships_list",
)
def customer_relationships(request, customer_id: str):
    """The partners the customer works with that the caller's partner sees: the caller
    (``IsResellerOf``), its indirect provider, or the reseller it serves the customer
    through."""
    customer = customer_get_by_tenant_for_user(
        request.user, parse_guid(customer_id, field="customer-tenant-id")
    )
    items, seen = [], set()
    for relationship in relationships_for_customer(customer, partner=request.user.partner):
        pairs = [
            (
                relationship.partner,
                RESELLERS if relationship.indirect_provider_id else "IsResellerOf",
            )
        ]
        if relationship.indirect_provider_id:
            pairs.append((relationship.indirect_provider, PROVIDERS))
        for partner, kind in pairs:
            if (partner.pk, kind) not in seen:
                seen.add((partner.pk, kind))
                items.append(partner_relationship(partner, kind))
    return collection(items, links={"self": link(f"/customers/{customer.tenant_id}/relationships")})
