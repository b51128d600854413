"""The REST API's relationships: the request link, indirect partners, a customer's
partners (docs/api.md)."""

import pytest

from partnercenter.tenant.roles import Role
from relationships.invitations import InvitationKind, invitation_url
from tests.api import ApiClient
from tests.factories import (
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    provider = PartnerFactory(partner_type="indirect_provider", name="Adatum Distribution")
    reseller = PartnerFactory(partner_type="indirect_reseller", name="Fourth Coffee IT")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    return provider, reseller


def test_the_relationship_request_is_the_pages_link(client, admin_agent):
    body = ApiClient(client, admin_agent).get("/v1/customers/relationshiprequests").json()
    assert body == {
        "url": invitation_url(InvitationKind.RESELLER, partner=admin_agent.partner),
        "attributes": {"objectType": "RelationshipRequest"},
    }


def test_an_indirect_resellers_link_names_its_provider(client, pair):
    provider, reseller = pair
    api = ApiClient(client, UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]))
    body = api.get(
        "/v1/customers/relationshiprequests", {"indirectCSPId": str(provider.tenant_id)}
    ).json()
    assert body["url"] == invitation_url(
        InvitationKind.INDIRECT_RESELLER, partner=reseller, provider=provider
    )
    stranger = PartnerFactory(partner_type="indirect_provider")
    response = api.get(
        "/v1/customers/relationshiprequests", {"indirectCSPId": str(stranger.tenant_id)}
    )
    assert response.status_code == 400


def test_indirect_providers_and_resellers(client, pair):
    provider, reseller = pair
    provider_api = ApiClient(client, UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]))
    reseller_api = ApiClient(client, UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]))
    resellers = provider_api.get(
        "/v1/relationships", {"relationship_type": "IsIndirectResellerOf"}
    ).json()
    assert [(r["name"], r["id"]) for r in resellers["items"]] == [
        ("Fourth Coffee IT", str(reseller.tenant_id))
    ]
    assert resellers["items"][0]["attributes"] == {"objectType": "PartnerRelationship"}
    providers = reseller_api.get(
        "/v1/relationships", {"relationship_type": "IsIndirectCloudSolutionProviderOf"}
    ).json()
    assert [p["name"] for p in providers["items"]] == ["Adatum Distribution"]
    # The other kind of partner has none.
    none = reseller_api.get(
        "/v1/relationships", {"relationship_type": "IsIndirectResellerOf"}
    ).json()
    assert none["items"] == []
    assert provider_api.get("/v1/relationships", {"relationship_type": "x"}).status_code == 400


def test_a_customers_partners(client, pair):
    provider, reseller = pair
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=reseller, customer=customer, indirect_provider=provider)
    api = ApiClient(client, UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]))
    items = api.get(f"/v1/customers/{customer.tenant_id}/relationships").json()["items"]
    assert {(i["name"], i["relationshipType"]) for i in items} == {
        ("Fourth Coffee IT", "IsIndirectResellerOf"),
        ("Adatum Distribution", "IsIndirectCloudSolutionProviderOf"),
    }
