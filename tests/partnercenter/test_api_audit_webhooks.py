"""``GET /v1/auditrecords`` and the webhook registration API (docs/api.md)."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from customers.services import customer_update
from partnercenter.audit.events import EventType
from partnercenter.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from partnercenter.tenant.roles import Role
from tests.api import ApiClient
from tests.factories import (
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    UserFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_audit_records_are_the_activity_log_in_partner_centers_shape(
    client, global_admin, make_user
):
    agent = make_user(Role.ADMIN_AGENT)
    customer = CustomerFactory(company_name="Contoso")
    ResellerRelationshipFactory(partner=agent.partner, customer=customer)
    customer_update(user=agent, customer=customer, values={"contact_email": "new@contoso.example"})
    api = ApiClient(client, global_admin)
    body = api.get("/v1/auditrecords", {"startDate": TODAY().isoformat()}).json()
    records = [r for r in body["items"] if r["operationType"] == "update_customer"]
    (record,) = records
    assert record["customerId"] == str(customer.tenant_id)
    assert record["customerName"] == "Contoso"
    assert record["resourceType"] == "customer"
    assert json.loads(record["resourceNewValue"]) == {"contact_email": "new@contoso.example"}
    assert record["operationStatus"] == "succeeded" and record["operationDate"].endswith("Z")
    assert record["attributes"] == {"objectType": "AuditRecord"}


def test_audit_records_are_scoped_like_the_activity_log(client):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    IndirectPartnershipFactory(provider=provider, reseller=reseller)
    customer = CustomerFactory(company_name="Shared Co")
    ResellerRelationshipFactory(partner=reseller, customer=customer, indirect_provider=provider)
    reseller_agent = UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT])
    customer_update(user=reseller_agent, customer=customer, values={"contact_first_name": "Jo"})
    stranger = UserFactory(partner=PartnerFactory(), roles=[Role.GLOBAL_ADMIN])
    provider_admin = UserFactory(partner=provider, roles=[Role.GLOBAL_ADMIN])
    start = {"startDate": TODAY().isoformat()}
    seen = ApiClient(client, provider_admin).get("/v1/auditrecords", start).json()["items"]
    assert any(r.get("customerName") == "Shared Co" for r in seen)
    unseen = ApiClient(client, stranger).get("/v1/auditrecords", start).json()["items"]
    assert not any(r.get("customerName") == "Shared Co" for r in unseen)


def test_audit_records_filter_page_and_refuse_bad_dates(client, global_admin):
    for n in range(5):
        AuditEvent.objects.create(
            event_type=EventType.CUSTOMER_CREATED,
            actor_kind="system",
            partner=global_admin.partner,
            object_type="customer",
            customer_name=f"Customer {n}",
        )
    api = ApiClient(client, global_admin)
    start = (TODAY() - datetime.timedelta(days=1)).isoformat()
    page = api.get("/v1/auditrecords", {"startDate": start, "size": 2}).json()
    names = [r.get("customerName") for r in page["items"]]
    while "next" in page["links"]:
        nxt = page["links"]["next"]
        page = api.get(
            nxt["uri"], headers={"MS-ContinuationToken": nxt["headers"][0]["value"]}
        ).json()
        names += [r.get("customerName") for r in page["items"]]
    assert sorted(n for n in names if n) == [f"Customer {n}" for n in range(5)]
    flt = json.dumps({"Field": "CustomerName", "Value": "Customer 3", "Operator": "substring"})
    assert [
        r["customerName"]
        for r in api.get("/v1/auditrecords", {"startDate": start, "filter": flt}).json()["items"]
    ] == ["Customer 3"]
    assert api.get("/v1/auditrecords").status_code == 400
    assert api.get("/v1/auditrecords", {"startDate": "soon"}).status_code == 400
    end_before = {"startDate": start, "endDate": "2000-01-01"}
    assert api.get("/v1/auditrecords", end_before).status_code == 400
    assert (
        api.get("/v1/auditrecords", {"startDate": start, "filter": '{"Field": "X"}'}).status_code
        == 400
    )
    flt = json.dumps({"Field": "CustomerId", "Value": "nope", "Operator": "substring"})
    assert api.get("/v1/auditrecords", {"startDate": start, "filter": flt}).status_code == 400
    flt = json.dumps({"Field": "CustomerId", "Value": str(uuid.uuid4()), "Operator": "substring"})
    assert api.get("/v1/auditrecords", {"startDate": start, "filter": flt}).json()["items"] == []


def test_webhook_registration_lifecycle(client, global_admin, monkeypatch):
    monkeypatch.setattr(
        "partnercenter.delivery.webhooks.addresses_for", lambda host, port: ["203.0.113.10"]
    )
    api = ApiClient(client, global_admin)
    assert api.get("/webhooks/v1/registration").status_code == 404
    events = api.get("/webhooks/v1/registration/events").json()
    assert "customer-created" in events
    body = {"WebhookUrl": "https://psa.example/hook", "WebhookEvents": ["customer-created"]}
    created = api.post("/webhooks/v1/registration", body)
    assert created.status_code == 200, created.content
    assert created.json() == {
        "SubscriberId": str(global_admin.partner.tenant_id),
        "WebhookUrl": "https://psa.example/hook",
        "WebhookEvents": ["customer-created"],
    }
    assert api.post("/webhooks/v1/registration", body).status_code == 409
    body["WebhookEvents"] = ["customer-created", "customer-agreement-confirmed"]
    body["WebhookUrl"] = "https://psa.example/hook2"
    assert (
        api.put("/webhooks/v1/registration", body).json()["WebhookUrl"]
        == "https://psa.example/hook2"
    )
    assert WebhookEndpoint.objects.get().events == body["WebhookEvents"]
    assert AuditEvent.objects.filter(event_type=EventType.WEBHOOK_CHANGED).count() == 1
    sent = api.get("/webhooks/v1/registration/validationEvents").json()
    assert WebhookDelivery.objects.get(event_name="test-created")
    status = api.get(f"/webhooks/v1/registration/validationEvents/{sent['correlationId']}").json()
    assert status["status"] == "pending" and status["webhookUrl"] == "https://psa.example/hook2"
    assert api.delete("/webhooks/v1/registration").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_webhook_registration_refuses_bad_urls_and_events(client, global_admin):
    api = ApiClient(client, global_admin)
    bad_url = api.post(
        "/webhooks/v1/registration",
        {"WebhookUrl": "not a url", "WebhookEvents": ["customer-created"]},
    )
    assert bad_url.status_code == 400 and "WebhookUrl" in bad_url.json()["parameters"]
    bad_event = api.post(
        "/webhooks/v1/registration",
        {"WebhookUrl": "https://psa.example/hook", "WebhookEvents": ["nope"]},
    )
    assert bad_event.status_code == 400 and "WebhookEvents" in bad_event.json()["parameters"]
    assert not WebhookEndpoint.objects.exists()


def test_the_registration_is_the_partners_oldest_webhook(client, global_admin):
    WebhookEndpointFactory(partner=global_admin.partner, url="https://first.example/hook")
    WebhookEndpointFactory(partner=global_admin.partner, url="https://second.example/hook")
    body = ApiClient(client, global_admin).get("/webhooks/v1/registration").json()
    assert body["WebhookUrl"] == "https://first.example/hook"
