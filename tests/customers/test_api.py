"""The REST API's customers, offers, orders and subscriptions (docs/api.md)."""

import json
import uuid

import pytest

from customers.models import Customer, Offer, Subscription
from partnercenter.audit.events import EventType
from partnercenter.models import AuditEvent
from partnercenter.tenant.roles import Role
from relationships.models import ResellerRelationship
from tests.api import ApiClient
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def served(partner, **fields):
    customer = CustomerFactory(**fields)
    ResellerRelationshipFactory(partner=partner, customer=customer)
    return customer


def new_customer(domain="wingtiptoys", **changes):
    body = {
        "companyProfile": {"domain": f"{domain}.onmicrosoft.com"},
        "billingProfile": {
            "culture": "EN-US",
            "email": "lee@wingtiptoys.example",
            "language": "en",
            "companyName": "Wingtip Toys",
            "defaultAddress": {
                "country": "US",
                "city": "Redmond",
                "state": "WA",
                "addressLine1": "One Microsoft Way",
                "postalCode": "98052",
                "firstName": "Lee",
                "lastName": "Gu",
                "phoneNumber": "4255550100",
            },
        },
    }
    for path, value in changes.items():
        target = body
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    return body


# --- GET /v1/customers -----------------------------------------------------------------


def test_the_list_is_in_partner_centers_collection_shape(client, admin_agent):
    customer = served(admin_agent.partner, company_name="Contoso")
    body = ApiClient(client, admin_agent).get("/v1/customers").json()
    assert body["attributes"] == {"objectType": "Collection"} and body["totalCount"] == 1
    (item,) = body["items"]
    assert item["id"] == str(customer.tenant_id)
    assert item["companyProfile"]["companyName"] == "Contoso"
    assert item["companyProfile"]["domain"] == customer.domain
    assert item["relationshipToPartner"] == "reseller"
    assert item["attributes"] == {"objectType": "Customer"}
    assert "associatedPartnerId" not in item and "next" not in body["links"]


def test_continuation_pages_walk_the_list_once_in_order_while_rows_are_added(client, admin_agent):
    for n in range(7):
        served(admin_agent.partner, company_name=f"Contoso {n}")
    api = ApiClient(client, admin_agent)
    page = api.get("/v1/customers", {"size": 3}).json()
    seen = [i["companyProfile"]["companyName"] for i in page["items"]]
    served(admin_agent.partner, company_name="Aardvark Ltd")  # sorts before the cursor
    while "next" in page["links"]:
        nxt = page["links"]["next"]
        assert nxt["uri"].startswith("/v1/customers?") and "seekOperation=Next" in nxt["uri"]
        (header,) = nxt["headers"]
        assert header["key"] == "MS-ContinuationToken"
        page = api.get(nxt["uri"], headers={header["key"]: header["value"]}).json()
        seen += [i["companyProfile"]["companyName"] for i in page["items"]]
    assert seen == [f"Contoso {n}" for n in range(7)]


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"seekOperation": "Next"}, {}),
        ({"seekOperation": "Next"}, {"MS-ContinuationToken": "forged"}),
        ({"seekOperation": "Previous"}, {}),
        ({"size": 0}, {}),
        ({"size": 501}, {}),
        ({"size": "ten"}, {}),
        ({"size": 10**30}, {}),
        ({"filter": "{not json"}, {}),
        ({"filter": "[1]"}, {}),
        (
            {
                "filter": json.dumps(
                    {"Field": "CompanyName", "Value": "a", "Operator": "starts_with", "X": 1}
                )
            },
            {},
        ),
        ({"filter": json.dumps({"Field": "Phone", "Value": "a", "Operator": "starts_with"})}, {}),
        ({"filter": json.dumps({"Field": "CompanyName", "Value": "a", "Operator": "equals"})}, {}),
        (
            {"filter": json.dumps({"Field": "CompanyName", "Value": 5, "Operator": "starts_with"})},
            {},
        ),
        (
            {
                "filter": json.dumps(
                    {"Field": "IndirectReseller", "Value": "x", "Operator": "starts_with"}
                )
            },
            {},
        ),
    ],
)
def test_bad_list_requests_are_400_with_a_clear_message(client, admin_agent, params, headers):
    response = ApiClient(client, admin_agent).get("/v1/customers", params, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["description"] and body["errorName"]


def test_filters_narrow_the_list(client, partner, make_user):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    own = served(provider, company_name="Contoso Own", domain_prefix="contosoown")
    through = CustomerFactory(company_name="Fabrikam Shared", domain_prefix="fabshared")
    ResellerRelationshipFactory(partner=reseller, customer=through, indirect_provider=provider)
    api = ApiClient(client, UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]))

    def names(field, value, operator="starts_with"):
        flt = json.dumps({"Field": field, "Value": value, "Operator": operator})
        response = api.get("/v1/customers", {"filter": flt})
        assert response.status_code == 200, response.content
        return [i["companyProfile"]["companyName"] for i in response.json()["items"]]

    assert names("CompanyName", "conto") == ["Contoso Own"]
    assert names("CompanyName", "FAB", "StartsWith") == ["Fabrikam Shared"]
    assert names("Domain", "fabsh") == ["Fabrikam Shared"]
    assert names("Domain", "contosoown.onmicrosoft.com") == ["Contoso Own"]
    assert names("IndirectReseller", str(reseller.tenant_id)) == ["Fabrikam Shared"]
    assert own.pk != through.pk
    item = api.get(
        "/v1/customers",
        {
            "filter": json.dumps(
                {
                    "Field": "IndirectReseller",
                    "Value": str(reseller.tenant_id),
                    "Operator": "starts_with",
                }
            )
        },
    ).json()["items"][0]
    assert item["associatedPartnerId"] == str(reseller.tenant_id)
    reseller_api = ApiClient(client, UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]))
    flt = json.dumps(
        {
            "Field": "IndirectCloudSolutionProvider",
            "Value": str(provider.tenant_id),
            "Operator": "starts_with",
        }
    )
    items = reseller_api.get("/v1/customers", {"filter": flt}).json()["items"]
    assert [i["companyProfile"]["companyName"] for i in items] == ["Fabrikam Shared"]


# --- GET /v1/customers/{id} -------------------------------------------------------------


def test_one_customer_has_its_billing_profile(client, admin_agent):
    customer = served(admin_agent.partner)
    body = ApiClient(client, admin_agent).get(f"/v1/customers/{customer.tenant_id}").json()
    assert body["billingProfile"]["email"] == customer.contact_email
    assert body["billingProfile"]["defaultAddress"]["country"] == "KR"
    assert body["allowDelegatedAccess"] is False


def test_unknown_and_malformed_customer_ids(client, admin_agent):
    api = ApiClient(client, admin_agent)
    assert api.get(f"/v1/customers/{uuid.uuid4()}").status_code == 404
    assert api.get(f"/v1/customers/{CustomerFactory().tenant_id}").status_code == 404
    response = api.get("/v1/customers/12345")
    assert response.status_code == 400 and response.json()["errorName"] == "InvalidId"


# --- POST /v1/customers ---------------------------------------------------------------------


def test_create_makes_the_customer_its_admin_and_the_relationship_once(client, admin_agent):
    api = ApiClient(client, admin_agent, name="CRM sync")
    response = api.post("/v1/customers", new_customer())
    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(domain_prefix="wingtiptoys")
    assert body["id"] == str(customer.tenant_id)
    assert body["userCredentials"]["userName"] == "admin@wingtiptoys.onmicrosoft.com"
    assert len(body["userCredentials"]["password"]) >= 12
    assert body["billingProfile"]["defaultAddress"]["phoneNumber"] == "+14255550100"
    assert ResellerRelationship.objects.get(customer=customer).partner == admin_agent.partner
    event = AuditEvent.objects.get(event_type=EventType.CUSTOMER_CREATED)
    assert event.actor == admin_agent and event.actor_name.endswith("(API: CRM sync)")
    # It is on the list at once (the status rows moved in the same transaction).
    assert api.get("/v1/customers").json()["totalCount"] == 1
    # The password isn't kept anywhere readable: reading the customer doesn't show it.
    assert "userCredentials" not in api.get(f"/v1/customers/{customer.tenant_id}").json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"companyProfile.domain": "-bad-"}, "companyProfile.domain"),
        ({"billingProfile.email": "not-an-email"}, "billingProfile.email"),
        (
            {"billingProfile.defaultAddress.phoneNumber": "12"},
            "billingProfile.defaultAddress.phoneNumber",
        ),
        ({"billingProfile.companyName": ""}, "billingProfile.companyName"),
        (
            {"billingProfile.defaultAddress.addressLine1": ""},
            "billingProfile.defaultAddress.addressLine1",
        ),
    ],
)
def test_create_refuses_what_new_customer_refuses_beside_the_field(
    client, admin_agent, changes, field
):
    response = ApiClient(client, admin_agent).post("/v1/customers", new_customer(**changes))
    assert response.status_code == 400, response.content
    assert field in response.json()["parameters"], response.json()
    assert not Customer.objects.exists()


def test_a_taken_domain_is_refused_and_nothing_is_saved(client, admin_agent):
    CustomerFactory(domain_prefix="wingtiptoys")
    response = ApiClient(client, admin_agent).post("/v1/customers", new_customer())
    assert response.status_code == 400
    assert "companyProfile.domain" in response.json()["parameters"]
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        "[]",
        '{"companyProfile": 5}',
        json.dumps({"companyProfile": {"domain": "x"}}),
        json.dumps(new_customer(**{"billingProfile.defaultAddress": "Seoul"})),
        json.dumps(new_customer(**{"billingProfile.companyName": "a" * 300})),
    ],
)
def test_bad_json_and_wrong_types_are_400(client, admin_agent, raw):
    response = ApiClient(client, admin_agent).post("/v1/customers", raw=raw)
    assert response.status_code == 400 and response.json()["code"] == 400
    assert not Customer.objects.exists()


def test_nul_characters_are_400_not_500(client, admin_agent):
    api = ApiClient(client, admin_agent)
    body = new_customer(**{"billingProfile.companyName": "Wing\u0000tip"})
    assert api.post("/v1/customers", body).status_code == 400
    assert api.get("/v1/customers", {"filter": "\x00"}).status_code == 400
    assert api.get("/v1/customers", {"filter": "\x00"}).json()["errorName"] == "InvalidQuery"
    assert not Customer.objects.exists()


def test_an_indirect_provider_creates_for_its_reseller(client):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    api = ApiClient(client, UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]))
    body = new_customer(associatedPartnerId=str(reseller.tenant_id))
    response = api.post("/v1/customers", body)
    assert response.status_code == 201, response.content
    assert response.json()["associatedPartnerId"] == str(reseller.tenant_id)
    relationship = ResellerRelationship.objects.get()
    assert (relationship.partner, relationship.indirect_provider) == (reseller, provider)
    # Both see it: the provider through its reseller.
    assert api.get("/v1/customers").json()["totalCount"] == 1


def test_associated_partner_must_be_the_providers_own_reseller(client):
    provider = PartnerFactory(partner_type="indirect_provider")
    stranger = PartnerFactory(partner_type="indirect_reseller")
    api = ApiClient(client, UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]))
    response = api.post("/v1/customers", new_customer(associatedPartnerId=str(stranger.tenant_id)))
    assert response.status_code == 400 and "associatedPartnerId" in response.json()["parameters"]
    assert not Customer.objects.exists()


def test_an_indirect_reseller_creates_through_its_provider(client):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    api = ApiClient(client, UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]))
    assert api.post("/v1/customers", new_customer()).status_code == 201
    relationship = ResellerRelationship.objects.get()
    assert (relationship.partner, relationship.indirect_provider) == (reseller, provider)


# --- PATCH /v1/customers/{id} ----------------------------------------------------------------


def test_relationship_to_partner_none_removes_the_relationship(client, admin_agent):
    customer = served(admin_agent.partner)
    api = ApiClient(client, admin_agent)
    response = api.patch(
        f"/v1/customers/{customer.tenant_id}",
        {"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}},
    )
    assert response.status_code == 200 and response.json()["relationshipToPartner"] == "none"
    assert ResellerRelationship.objects.get().state == ResellerRelationship.State.REMOVED
    assert api.get(f"/v1/customers/{customer.tenant_id}").status_code == 404


def test_removal_is_refused_while_subscriptions_are_active(client, admin_agent):
    customer = served(admin_agent.partner)
    SubscriptionFactory(customer=customer, partner=admin_agent.partner)
    response = ApiClient(client, admin_agent).patch(
        f"/v1/customers/{customer.tenant_id}", {"relationshipToPartner": "none"}
    )
    assert response.status_code == 400 and "subscriptions" in response.json()["description"]
    assert ResellerRelationship.objects.get().state == ResellerRelationship.State.ACTIVE


def test_only_none_may_be_set(client, admin_agent):
    customer = served(admin_agent.partner)
    response = ApiClient(client, admin_agent).patch(
        f"/v1/customers/{customer.tenant_id}", {"relationshipToPartner": "advisor"}
    )
    assert response.status_code == 400


# --- Domains ------------------------------------------------------------------------------------


def test_domain_availability_and_head(client, admin_agent):
    CustomerFactory(domain_prefix="contoso")
    api = ApiClient(client, admin_agent)
    assert api.get("/v1/validations/checkdomainavailability/contoso").json() is False
    assert api.get("/v1/validations/checkdomainavailability/freedomain").json() is True
    assert api.get("/v1/validations/checkdomainavailability/-x-").status_code == 400
    assert api.head("/v1/domains/contoso.onmicrosoft.com").status_code == 200
    assert api.head("/v1/domains/Contoso").status_code == 200
    assert api.head("/v1/domains/freedomain").status_code == 404


# --- Offers, orders, subscriptions -------------------------------------------------------------


def test_offers_for_a_market(client, admin_agent):
    api = ApiClient(client, admin_agent)
    body = api.get("/v1/offers", {"country": "US"}).json()
    names = {o["name"] for o in body["items"]}
    assert set(Offer.objects.filter(is_active=True).values_list("name", flat=True)) == names
    assert all(o["attributes"] == {"objectType": "Offer"} for o in body["items"])
    assert api.get("/v1/offers", {"country": "ZZ"}).status_code == 400
    assert api.get("/v1/offers").status_code == 400


def _order(offer, quantity=5):
    return {
        "lineItems": [{"lineItemNumber": 0, "offerId": str(offer.offer_id), "quantity": quantity}]
    }


def test_rules_a10_a11_the_order_gate_answers_13605(client, admin_agent):
    customer = served(admin_agent.partner)
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    response = ApiClient(client, admin_agent).post(
        f"/v1/customers/{customer.tenant_id}/orders", _order(offer)
    )
    assert response.status_code == 403 and response.json()["code"] == 13605
    assert not Subscription.objects.exists()


def test_an_order_makes_one_subscription_per_line_item(client, admin_agent):
    customer = served(admin_agent.partner)
    AgreementAcceptanceFactory(customer=customer, partner=admin_agent.partner)
    basic = Offer.objects.get(name="Microsoft 365 Business Basic")
    others = Offer.objects.filter(is_active=True).exclude(pk=basic.pk)[:1]
    body = _order(basic, 5)
    body["lineItems"] += [
        {"lineItemNumber": 1, "offerId": str(o.offer_id).upper(), "quantity": 2} for o in others
    ]
    api = ApiClient(client, admin_agent)
    response = api.post(f"/v1/customers/{customer.tenant_id}/orders", body)
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["attributes"] == {"objectType": "Order"} and order["status"] == "completed"
    assert len(order["lineItems"]) == 1 + len(others)
    subscriptions = Subscription.objects.all()
    assert {str(s.order_id) for s in subscriptions} == {order["id"]}
    listed = api.get(f"/v1/customers/{customer.tenant_id}/subscriptions").json()
    assert {s["id"] for s in listed["items"]} == {li["subscriptionId"] for li in order["lineItems"]}


def test_an_order_with_an_unknown_offer_saves_nothing(client, admin_agent):
    customer = served(admin_agent.partner)
    AgreementAcceptanceFactory(customer=customer, partner=admin_agent.partner)
    basic = Offer.objects.get(name="Microsoft 365 Business Basic")
    body = _order(basic)
    body["lineItems"].append({"lineItemNumber": 1, "offerId": str(uuid.uuid4()), "quantity": 1})
    response = ApiClient(client, admin_agent).post(
        f"/v1/customers/{customer.tenant_id}/orders", body
    )
    assert response.status_code == 400 and response.json()["errorName"] == "InvalidOffer"
    assert not Subscription.objects.exists()


def test_subscription_quantity_and_cancel(client, admin_agent):
    customer = served(admin_agent.partner)
    AgreementAcceptanceFactory(customer=customer, partner=admin_agent.partner)
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner, seats=3)
    api = ApiClient(client, admin_agent)
    path = f"/v1/customers/{customer.tenant_id}/subscriptions/{subscription.subscription_id}"
    assert api.get(path).json()["quantity"] == 3
    response = api.patch(path, {"quantity": 9})
    assert response.status_code == 200 and response.json()["quantity"] == 9
    response = api.patch(path, {"status": "deleted"})
    assert response.status_code == 200 and response.json()["status"] == "deleted"
    subscription.refresh_from_db()
    assert (
        subscription.state == Subscription.State.CANCELLED
        and subscription.cancelled_by == admin_agent
    )
    assert api.patch(path, {"status": "suspended"}).status_code == 400
    assert api.patch(path, {"status": "active"}).status_code == 400  # not back from cancelled
    assert api.patch(path, {}).status_code == 400
    assert (
        api.get(f"/v1/customers/{customer.tenant_id}/subscriptions/{uuid.uuid4()}").status_code
        == 404
    )


def test_a_patch_of_the_whole_subscription_changes_only_what_differs(client, admin_agent):
    customer = served(admin_agent.partner)
    AgreementAcceptanceFactory(customer=customer, partner=admin_agent.partner)
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner, seats=3)
    api = ApiClient(client, admin_agent)
    path = f"/v1/customers/{customer.tenant_id}/subscriptions/{subscription.subscription_id}"
    whole = api.get(path).json()
    whole["quantity"] = 5
    response = api.patch(path, whole)
    assert response.status_code == 200 and response.json()["quantity"] == 5
    whole["autoRenewEnabled"] = not whole["autoRenewEnabled"]
    assert api.patch(path, whole).status_code == 400


def test_seat_changes_are_behind_the_order_gate_cancelling_is_not(client, admin_agent):
    customer = served(admin_agent.partner)
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner, seats=3)
    api = ApiClient(client, admin_agent)
    path = f"/v1/customers/{customer.tenant_id}/subscriptions/{subscription.subscription_id}"
    assert api.patch(path, {"quantity": 4}).json()["code"] == 13605
    assert api.patch(path, {"status": "deleted"}).status_code == 200
