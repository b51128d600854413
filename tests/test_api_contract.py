"""Contract tests: the request examples of Partner Center's REST reference, replayed as
its pages write them, and the documented response fields with their JSON types.

The bodies keep the reference's own spelling: ``POST /customers`` and ``POST …/orders``
are written there in PascalCase with nulls for the read-only fields (its .NET serializer
reads names in any case), the other examples in camelCase. Where an example's value
can't pass this product's rules it is changed and the comment says why; the shape is
never changed.
"""

import datetime

import pytest
from django.utils import timezone

from agreements.models import AgreementTemplate
from customers.models import Offer
from partnercenter.tenant.roles import Role
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

STR, INT, BOOL, LIST, DICT = str, int, bool, list, dict


def check(body: dict, fields: dict, where: str = "") -> None:
    """Each documented field is present with its JSON type; nested dicts recurse."""
    for name, kind in fields.items():
        assert name in body, f"{where}{name} missing from {sorted(body)}"
        if isinstance(kind, dict):
            check(body[name], kind, f"{where}{name}.")
        else:
            assert isinstance(body[name], kind), (
                f"{where}{name}: {body[name]!r} is not {kind.__name__}"
            )


COLLECTION = {"totalCount": INT, "items": LIST, "attributes": {"objectType": STR}}
LINK = {"uri": STR, "method": STR, "headers": LIST}


@pytest.fixture
def world(db):
    provider = PartnerFactory(partner_type="indirect_provider", name="Adatum Distribution")
    reseller = PartnerFactory(partner_type="indirect_reseller", name="Fourth Coffee IT")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    agent = UserFactory(partner=provider, roles=[Role.GLOBAL_ADMIN])
    customer = CustomerFactory(country="US", contact_phone="+1 425 555 0100")
    ResellerRelationshipFactory(partner=provider, customer=customer)
    subscription = SubscriptionFactory(customer=customer, partner=provider, seats=1)
    return {"provider": provider, "reseller": reseller, "agent": agent, "customer": customer,
            "subscription": subscription}  # fmt: skip


@pytest.fixture
def api(client, world):
    return ApiClient(client, world["agent"])


def test_create_a_customer(api):
    # "Create a customer": the reference's request, PascalCase, read-only fields null.
    body = {
        "Id": None,
        "CommerceId": None,
        "CompanyProfile": {
            "TenantId": None,
            "Domain": "Fabrikam2468.onmicrosoft.com",
            "CompanyName": None,
            "Address": None,
            "Email": None,
            "Attributes": {"ObjectType": "CustomerCompanyProfile"},
        },
        "BillingProfile": {
            "Id": None,
            "FirstName": None,
            "LastName": None,
            "Email": "Someone@Microsoft.com",
            "Culture": "EN-US",
            "Language": "En",
            "CompanyName": "Fabrikam2468",
            "DefaultAddress": {
                "Country": "US",
                "Region": None,
                "City": "Redmond",
                "State": "WA",
                "AddressLine1": "One Microsoft Way",
                "AddressLine2": None,
                "PostalCode": "98052",
                "FirstName": "Tania",
                "LastName": "Carr",
                "PhoneNumber": "4255550101",
            },
            "Attributes": {"ObjectType": "CustomerBillingProfile"},
        },
        "RelationshipToPartner": "none",
        "AllowDelegatedAccess": None,
        "UserCredentials": None,
        "CustomDomains": None,
        "Attributes": {"ObjectType": "Customer"},
    }
    response = api.post("/v1/customers", body)
    assert response.status_code == 201, response.content
    check(
        response.json(),
        {
            "id": STR,
            "commerceId": STR,
            "companyProfile": {"tenantId": STR, "domain": STR, "companyName": STR, "attributes": {"objectType": STR}},
            "billingProfile": {
                "id": STR, "email": STR, "culture": STR, "language": STR, "companyName": STR,
                "defaultAddress": {"country": STR, "city": STR, "state": STR, "addressLine1": STR,
                                   "postalCode": STR, "firstName": STR, "lastName": STR, "phoneNumber": STR},
                "attributes": {"objectType": STR},
            },
            "relationshipToPartner": STR,
            "userCredentials": {"userName": STR, "password": STR},
            "links": {"self": LINK},
            "attributes": {"objectType": STR},
        },
    )  # fmt: skip
    assert response.json()["companyProfile"]["domain"] == "fabrikam2468.onmicrosoft.com"


def test_get_customers_with_size_and_a_filter(api, world):
    for name in ("Contoso A", "Contoso B"):
        ResellerRelationshipFactory(
            partner=world["provider"], customer=CustomerFactory(company_name=name)
        )
    page = api.get("/v1/customers", {"size": 40}).json()
    check(page, {**COLLECTION, "links": {"self": LINK}})
    check(page["items"][0], {"id": STR, "commerceId": STR, "companyProfile": {"tenantId": STR, "domain": STR,
          "companyName": STR}, "relationshipToPartner": STR, "attributes": {"objectType": STR}})  # fmt: skip
    # "Get a list of customers filtered by a search field": the filter, URL-encoded JSON.
    flt = '{"Field":"CompanyName","Value":"cont","Operator":"starts_with"}'
    filtered = api.get("/v1/customers", {"size": 1, "filter": flt}).json()
    check(filtered, {**COLLECTION, "links": {"next": LINK}})
    header = filtered["links"]["next"]["headers"][0]
    check(header, {"key": STR, "value": STR})
    assert header["key"] == "MS-ContinuationToken"


def test_get_a_customer_by_id(api, world):
    body = api.get(f"/v1/customers/{world['customer'].tenant_id}").json()
    check(body, {"id": STR, "companyProfile": {"tenantId": STR, "domain": STR, "companyName": STR},
                 "billingProfile": {"email": STR, "defaultAddress": {"country": STR}},
                 "relationshipToPartner": STR, "allowDelegatedAccess": BOOL,
                 "attributes": {"objectType": STR}})  # fmt: skip


def test_remove_a_reseller_relationship(api, world):
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=world["provider"], customer=customer)
    body = {"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}}
    response = api.patch(f"/v1/customers/{customer.tenant_id}", body)
    assert response.status_code == 200
    check(
        response.json(),
        {"id": STR, "relationshipToPartner": STR, "attributes": {"objectType": STR}},
    )
    assert response.json()["relationshipToPartner"] == "none"


def test_verify_domain_availability(api):
    response = api.get("/v1/validations/checkdomainavailability/fabrikam2468")
    assert response.status_code == 200 and response.json() is True
    assert api.head("/v1/domains/fabrikam2468.onmicrosoft.com").status_code == 404


def test_get_agreement_metadata(api):
    body = api.get("/v1/agreements", {"agreementType": "MicrosoftCustomerAgreement"}).json()
    check(body, COLLECTION)
    fields = {"templateId": STR, "description": STR, "versionRank": INT, "agreementLink": STR,
              "agreementType": STR, "attributes": {"objectType": STR}}  # fmt: skip
    check(body["items"][0], fields)


def test_get_an_agreement_document(api):
    template = AgreementTemplate.objects.current()
    body = api.get(
        f"/v1/agreementtemplates/{template.template_id}/document",
        {"language": "en-US", "country": "US"},
    ).json()
    check(body, {"templateId": STR, "language": STR, "country": STR, "displayUri": STR,
                 "downloadUri": STR, "attributes": {"objectType": STR}})  # fmt: skip


def test_confirm_customer_acceptance_of_the_microsoft_customer_agreement(api, world):
    template = AgreementTemplate.objects.current()
    body = {
        "primaryContact": {
            "firstName": "Tania",
            "lastName": "Carr",
            "email": "SomeEmail@Outlook.com",
            "phoneNumber": "1234567890",
        },
        "templateId": str(template.template_id),
        # The reference dates its example 2019-08-26; the Microsoft Customer Agreement is
        # in force here from 2019-10-01 (rule A2), so the example's date moves forward.
        "dateAgreed": (timezone.now() - datetime.timedelta(days=3)).strftime("%Y-%m-%dT00:00:00"),
        "type": "MicrosoftCustomerAgreement",
    }
    body["primaryContact"]["phoneNumber"] = "4255550102"  # a valid US number (rule A3)
    response = api.post(f"/v1/customers/{world['customer'].tenant_id}/agreements", body)
    assert response.status_code == 201, response.content
    check(response.json(), {"primaryContact": {"firstName": STR, "lastName": STR, "email": STR,
          "phoneNumber": STR}, "templateId": STR, "dateAgreed": STR, "type": STR, "agreementLink": STR,
          "userId": STR})  # fmt: skip
    duplicate = api.post(f"/v1/customers/{world['customer'].tenant_id}/agreements", body).json()
    # The reference's 600061 body, field for field.
    check(duplicate, {"code": INT, "message": STR, "description": STR, "errorName": STR,
                      "isRetryable": BOOL, "parameters": DICT, "errorMessageExtended": STR})  # fmt: skip
    assert (duplicate["code"], duplicate["errorName"]) == (
        600061,
        "PartnerConfirmedAgreementAlreadyExists",
    )
    assert (
        duplicate["description"] == "A partner confirmed agreement already exists for the customer."
    )
    assert duplicate["isRetryable"] is False and duplicate["parameters"] == {}
    assert duplicate["errorMessageExtended"] == "InternalErrorCode=600061"


def test_get_confirmations_of_customer_acceptance(api, world):
    AgreementAcceptanceFactory(customer=world["customer"], partner=world["provider"])
    body = api.get(
        f"/v1/customers/{world['customer'].tenant_id}/agreements",
        {"agreementType": "MicrosoftCustomerAgreement"},
    ).json()
    check(body, COLLECTION)
    check(body["items"][0], {"primaryContact": {"firstName": STR, "lastName": STR, "email": STR},
          "templateId": STR, "dateAgreed": STR, "type": STR, "agreementLink": STR})  # fmt: skip


def test_get_direct_signed_status(api, world):
    body = api.get(
        f"/v1/customers/{world['customer'].tenant_id}/directSignedMicrosoftCustomerAgreementStatus"
    ).json()
    check(body, {"isSigned": BOOL})


def test_get_the_indirect_reseller_relationship_request(client, world):
    reseller_api = ApiClient(
        client, UserFactory(partner=world["reseller"], roles=[Role.ADMIN_AGENT])
    )
    body = reseller_api.get(
        "/v1/customers/relationshiprequests", {"indirectCSPId": str(world["provider"].tenant_id)}
    ).json()
    check(body, {"url": STR, "attributes": {"objectType": STR}})
    assert "invType=IndirectResellerRelationship" in body["url"]


def test_get_indirect_resellers(api):
    body = api.get("/v1/relationships", {"relationship_type": "IsIndirectResellerOf"}).json()
    check(body, COLLECTION)
    check(body["items"][0], {"id": STR, "name": STR, "relationshipType": STR, "state": STR,
                             "mpnId": STR, "location": STR, "attributes": {"objectType": STR}})  # fmt: skip


def test_get_a_customers_relationships(api, world):
    body = api.get(f"/v1/customers/{world['customer'].tenant_id}/relationships").json()
    check(body, COLLECTION)


def test_get_offers_for_a_market(api):
    body = api.get("/v1/offers", {"country": "US"}).json()
    check(body, COLLECTION)
    check(body["items"][0], {"id": STR, "name": STR, "description": STR, "minimumQuantity": INT,
          "maximumQuantity": INT, "rank": INT, "uri": STR, "locale": STR, "country": STR,
          "category": {"id": STR, "name": STR}, "isAddOn": BOOL, "isAvailableForPurchase": BOOL,
          "billing": STR, "isAutoRenewable": BOOL, "unitType": STR, "links": {"self": LINK},
          "attributes": {"objectType": STR}})  # fmt: skip


def test_create_an_order(api, world):
    AgreementAcceptanceFactory(customer=world["customer"], partner=world["provider"])
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    # "Create an order for a customer": the reference's request, PascalCase.
    body = {
        "ReferenceCustomerId": str(world["customer"].tenant_id),
        "LineItems": [
            {
                "LineItemNumber": 0,
                "OfferId": str(offer.offer_id).upper(),
                "SubscriptionId": None,
                "ParentSubscriptionId": None,
                "FriendlyName": "new offer name",
                "Quantity": 1,
                "PartnerIdOnRecord": None,
                "Attributes": {"ObjectType": "OrderLineItem"},
            }
        ],
        "CreationDate": None,
        "Attributes": {"ObjectType": "Order"},
    }
    response = api.post(f"/v1/customers/{world['customer'].tenant_id}/orders", body)
    assert response.status_code == 201, response.content
    order = response.json()
    check(order, {"id": STR, "referenceCustomerId": STR, "billingCycle": STR, "lineItems": LIST,
                  "creationDate": STR, "attributes": {"objectType": STR}})  # fmt: skip
    check(order["lineItems"][0], {"lineItemNumber": INT, "offerId": STR, "subscriptionId": STR,
                                  "friendlyName": STR, "quantity": INT})  # fmt: skip
    assert order["lineItems"][0]["friendlyName"] == "new offer name"


def test_get_subscriptions_and_one_subscription(api, world):
    path = f"/v1/customers/{world['customer'].tenant_id}/subscriptions"
    body = api.get(path).json()
    check(body, COLLECTION)
    fields = {"id": STR, "offerId": STR, "offerName": STR, "friendlyName": STR, "quantity": INT,
              "unitType": STR, "creationDate": STR, "effectiveStartDate": STR, "commitmentEndDate": STR,
              "status": STR, "autoRenewEnabled": BOOL, "isTrial": BOOL, "billingType": STR,
              "billingCycle": STR, "contractType": STR, "links": {"self": LINK},
              "attributes": {"objectType": STR}}  # fmt: skip
    check(body["items"][0], fields)
    check(api.get(f"{path}/{world['subscription'].subscription_id}").json(), fields)


def test_change_the_quantity_of_a_subscription(api, world):
    AgreementAcceptanceFactory(customer=world["customer"], partner=world["provider"])
    path = f"/v1/customers/{world['customer'].tenant_id}/subscriptions/{world['subscription'].subscription_id}"
    # "Change the quantity of a subscription": the whole subscription back, Quantity changed.
    subscription = api.get(path).json()
    body = {
        "Id": subscription["id"],
        "FriendlyName": subscription["friendlyName"],
        "Quantity": 2,
        "UnitType": subscription["unitType"],
        "ParentSubscriptionId": None,
        "CreationDate": subscription["creationDate"],
        "EffectiveStartDate": subscription["effectiveStartDate"],
        "CommitmentEndDate": subscription["commitmentEndDate"],
        "Status": "active",
        "AutoRenewEnabled": subscription["autoRenewEnabled"],
        "BillingType": subscription["billingType"],
        "PartnerId": None,
        "ContractType": "subscription",
        "OrderId": subscription.get("orderId"),
        "Attributes": {"ObjectType": "Subscription"},
    }
    response = api.patch(path, body)
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == 2


def test_get_audit_records(api, world):
    AgreementAcceptanceFactory(customer=world["customer"], partner=world["provider"])
    api.patch(
        f"/v1/customers/{world['customer'].tenant_id}/subscriptions/{world['subscription'].subscription_id}",
        {"quantity": 4},
    )
    start = timezone.localdate().isoformat()
    body = api.get("/v1/auditrecords", {"startDate": start, "endDate": start}).json()
    check(body, COLLECTION)
    check(body["items"][0], {"partnerId": STR, "userPrincipalName": STR, "resourceType": STR,
          "resourceNewValue": STR, "resourceOldValue": STR, "operationType": STR, "operationStatus": STR,
          "operationDate": STR, "customizedData": LIST, "attributes": {"objectType": STR}})  # fmt: skip


def test_webhook_registration(api, monkeypatch):
    monkeypatch.setattr(
        "partnercenter.delivery.webhooks.addresses_for", lambda host, port: ["203.0.113.9"]
    )
    # "Partner Center webhooks": the reference's registration body.
    body = {
        "WebhookUrl": "https://webhook.example/api/webhook",
        "WebhookEvents": ["customer-created", "test-created"],
    }
    response = api.post("/webhooks/v1/registration", body)
    assert response.status_code == 200, response.content
    check(response.json(), {"SubscriberId": STR, "WebhookUrl": STR, "WebhookEvents": LIST})
    assert response.json()["WebhookEvents"] == ["customer-created", "test-created"]
    assert "test-created" in api.get("/webhooks/v1/registration/events").json()
    sent = api.get("/webhooks/v1/registration/validationEvents").json()
    check(sent, {"correlationId": STR})
    status = api.get(f"/webhooks/v1/registration/validationEvents/{sent['correlationId']}").json()
    check(status, {"correlationId": STR, "status": STR, "webhookUrl": STR})
