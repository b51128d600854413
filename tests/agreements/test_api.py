"""The REST API's agreements: metadata, documents, attestation by rules A1–A8 and A12,
records, direct-sign status and compliance records (docs/api.md)."""

import datetime

import pytest
from django.utils import timezone

from agreements.models import AgreementAcceptance, AgreementStatusRow, AgreementTemplate
from partnercenter.audit.events import EventType
from partnercenter.models import AuditEvent, WebhookDelivery
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
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db


def mca():
    return AgreementTemplate.objects.current()


def served(partner, **fields):
    customer = CustomerFactory(**fields)
    ResellerRelationshipFactory(partner=partner, customer=customer)
    return customer


def attestation(**changes):
    body = {
        "primaryContact": {
            "firstName": "Minji",
            "lastName": "Kang",
            "email": "minji@contoso.example",
            "phoneNumber": "+82 2 3456 7890",
        },
        "templateId": str(mca().template_id),
        "dateAgreed": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        + "T00:00:00Z",
        "type": mca().agreement_type,
    }
    for key, value in changes.items():
        if key in body["primaryContact"]:
            body["primaryContact"][key] = value
        else:
            body[key] = value
    return body


def test_agreements_default_to_the_microsoft_cloud_agreement_as_in_partner_center(
    client, admin_agent
):
    api = ApiClient(client, admin_agent)
    items = api.get("/v1/agreements").json()["items"]
    assert {i["agreementType"] for i in items} == {"MicrosoftCloudAgreement"}
    everything = api.get("/v1/agreements", {"agreementType": "*"}).json()["items"]
    assert {i["agreementType"] for i in everything} == {
        "MicrosoftCloudAgreement",
        "MicrosoftCustomerAgreement",
    }
    mca_only = api.get("/v1/agreements", {"agreementType": "MicrosoftCustomerAgreement"}).json()
    (item,) = mca_only["items"]
    assert item["templateId"] == str(mca().template_id)
    assert item["attributes"] == {"objectType": "AgreementMetaData"}
    assert api.get("/v1/agreements", {"agreementType": "Nope"}).status_code == 400


def test_the_document_of_a_template(client, admin_agent):
    api = ApiClient(client, admin_agent)
    path = f"/v1/agreementtemplates/{mca().template_id}/document"
    body = api.get(path, {"language": "ko-KR", "country": "KR"}).json()
    assert body["downloadUri"] == mca().document_url(country="KR", language="ko-KR")
    assert body["attributes"] == {"objectType": "AgreementDocument"}
    assert api.get(path, {"country": "Korea"}).status_code == 400
    assert api.get("/v1/agreementtemplates/nope/document").status_code == 400


def test_an_attestation_is_recorded_through_the_one_rule_path(client, admin_agent):
    customer = served(admin_agent.partner)
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner)
    api = ApiClient(client, admin_agent, name="Bulk tool")
    response = api.post(f"/v1/customers/{customer.tenant_id}/agreements", attestation())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["templateId"] == str(mca().template_id)
    assert body["dateAgreed"].endswith("T00:00:00Z")
    assert body["userId"] == admin_agent.email
    assert body["primaryContact"]["email"] == "minji@contoso.example"
    record = AgreementAcceptance.objects.get()
    assert record.method == AgreementAcceptance.Method.PARTNER_ATTESTATION
    assert record.recorded_by == admin_agent
    row = AgreementStatusRow.objects.get(customer=customer, partner=admin_agent.partner)
    assert row.status == AgreementStatusRow.Status.CONFIRMED
    event = AuditEvent.objects.get(event_type=EventType.AGREEMENT_CONFIRMED)
    assert event.actor_name.endswith("(API: Bulk tool)")
    assert (
        WebhookDelivery.objects.filter(
            endpoint=endpoint, event_name="customer-agreement-confirmed"
        ).count()
        == 1
    )
    listed = api.get(f"/v1/customers/{customer.tenant_id}/agreements").json()
    assert listed["totalCount"] == 1 and listed["items"][0]["templateId"] == body["templateId"]


def test_rule_a12_an_identical_duplicate_is_600061(client, admin_agent):
    customer = served(admin_agent.partner)
    api = ApiClient(client, admin_agent)
    path = f"/v1/customers/{customer.tenant_id}/agreements"
    assert api.post(path, attestation()).status_code == 201
    response = api.post(path, attestation())
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == 600061 and body["errorName"] == "PartnerConfirmedAgreementAlreadyExists"
    assert body["errorMessageExtended"] == "InternalErrorCode=600061"
    # A different contact is a new record, not a duplicate.
    assert api.post(path, attestation(email="other@contoso.example")).status_code == 201
    assert AgreementAcceptance.objects.count() == 2


def test_rule_a1_a_date_in_the_future_is_refused_beside_the_field(client, admin_agent):
    customer = served(admin_agent.partner)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = ApiClient(client, admin_agent).post(
        f"/v1/customers/{customer.tenant_id}/agreements", attestation(dateAgreed=tomorrow)
    )
    assert response.status_code == 400 and "dateAgreed" in response.json()["parameters"]
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.parametrize("field", ["firstName", "lastName", "email"])
def test_rule_a3_who_accepted_is_required(client, admin_agent, field):
    customer = served(admin_agent.partner)
    response = ApiClient(client, admin_agent).post(
        f"/v1/customers/{customer.tenant_id}/agreements", attestation(**{field: ""})
    )
    assert response.status_code == 400
    assert f"primaryContact.{field}" in response.json()["parameters"]
    assert not AgreementAcceptance.objects.exists()


def test_bad_dates_types_and_templates_are_400(client, admin_agent):
    customer = served(admin_agent.partner)
    api = ApiClient(client, admin_agent)
    path = f"/v1/customers/{customer.tenant_id}/agreements"
    assert (
        api.post(path, attestation(dateAgreed="yesterday")).json()["errorName"]
        == "InvalidDateAgreed"
    )
    assert (
        api.post(path, attestation(templateId="00000000-0000-0000-0000-000000000000")).status_code
        == 400
    )
    assert api.post(path, attestation(type="MicrosoftCloudAgreement")).status_code == 400
    assert api.post(path, {"templateId": 5}).status_code == 400
    assert not AgreementAcceptance.objects.exists()


def test_rule_a6_an_indirect_reseller_gets_403_with_a6s_message(client):
    provider = PartnerFactory(partner_type="indirect_provider", name="Adatum Distribution")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=reseller, customer=customer, indirect_provider=provider)
    api = ApiClient(client, UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]))
    response = api.post(f"/v1/customers/{customer.tenant_id}/agreements", attestation())
    assert response.status_code == 403
    assert "Adatum Distribution" in response.json()["description"]
    assert not AgreementAcceptance.objects.exists()


def test_rule_a5_roles_that_may_not_attest_get_403(client, make_user):
    customer = served(make_user().partner)
    for role in (Role.BILLING_ADMIN, Role.USER_ADMIN, Role.HELPDESK_AGENT):
        api = ApiClient(client, make_user(role))
        response = api.post(f"/v1/customers/{customer.tenant_id}/agreements", attestation())
        assert response.status_code == 403, role
    assert not AgreementAcceptance.objects.exists()


def test_rule_a9_a_helpdesk_agent_attests_for_a_customer_with_purchases(client, make_user):
    helpdesk = make_user(Role.HELPDESK_AGENT)
    customer = served(helpdesk.partner)
    SubscriptionFactory(customer=customer, partner=helpdesk.partner)
    response = ApiClient(client, helpdesk).post(
        f"/v1/customers/{customer.tenant_id}/agreements", attestation()
    )
    assert response.status_code == 201


def test_direct_signed_status(client, admin_agent):
    customer = served(admin_agent.partner)
    api = ApiClient(client, admin_agent)
    path = f"/v1/customers/{customer.tenant_id}/directSignedMicrosoftCustomerAgreementStatus"
    assert api.get(path).json()["isSigned"] is False
    AgreementAcceptanceFactory(
        customer=customer,
        partner=admin_agent.partner,
        method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
    )
    assert api.get(path).json() == {
        "isSigned": True,
        "attributes": {"objectType": "DirectSignedCustomerAgreementStatus"},
    }


def test_customer_agreement_records_page_by_continuation(client, admin_agent):
    attested = served(admin_agent.partner, company_name="Alpha")
    AgreementAcceptanceFactory(customer=attested, partner=admin_agent.partner)
    for name in ("Bravo", "Charlie"):
        served(admin_agent.partner, company_name=name)
    api = ApiClient(client, admin_agent)
    page = api.get("/v1/partners/customeragreementrecords", {"size": 2}).json()
    records = page["items"]
    nxt = page["links"]["next"]
    page = api.get(nxt["uri"], headers={"MS-ContinuationToken": nxt["headers"][0]["value"]}).json()
    records += page["items"]
    assert [r["companyName"] for r in records] == ["Alpha", "Bravo", "Charlie"]
    assert records[0]["complianceStatus"] == "current"
    assert records[0]["templateId"] == str(mca().template_id)
    assert records[1]["complianceStatus"] == "missing" and records[1].get("templateId") is None
    assert "next" not in page["links"]


def test_customer_agreement_records_keep_the_lacking_ones(client, admin_agent):
    attested = served(admin_agent.partner, company_name="Alpha")
    AgreementAcceptanceFactory(customer=attested, partner=admin_agent.partner)
    served(admin_agent.partner, company_name="Bravo")
    api = ApiClient(client, admin_agent)
    items = api.get("/v1/partners/customeragreementrecords", {"complianceStatus": "lacking"}).json()
    assert [r["companyName"] for r in items["items"]] == ["Bravo"]
    assert (
        api.get("/v1/partners/customeragreementrecords", {"complianceStatus": "x"}).status_code
        == 400
    )
