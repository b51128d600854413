"""The API's shared machinery: error body, headers, MS-RequestId replay (rule T5), rate
limits, languages, the schema and its reference page (docs/api.md)."""

import threading

import pytest
from django.contrib.staticfiles import finders
from django.db import close_old_connections, connection
from django.test import Client
from prometheus_client import REGISTRY

from customers.models import Customer
from partnercenter.api.tokens import token_create
from partnercenter.models import ApiRequest, AuditEvent
from partnercenter.tenant.roles import Role
from tests.api import ApiClient
from tests.customers.test_api import new_customer
from tests.factories import CustomerFactory, ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db

REQUEST_ID = "1b2c3d4e-0000-4000-8000-00000000abcd"


def test_correlation_and_request_ids_are_echoed(client, admin_agent):
    response = ApiClient(client, admin_agent).get(
        "/v1/customers", headers={"MS-CorrelationId": "corr-1", "MS-RequestId": REQUEST_ID}
    )
    assert response["MS-CorrelationId"] == "corr-1" and response["MS-RequestId"] == REQUEST_ID


def test_unknown_addresses_and_methods_answer_in_the_error_body(client, admin_agent):
    api = ApiClient(client, admin_agent)
    for path in ("/v1/nothing", "/v1", "/webhooks/v1/other"):
        response = api.get(path)
        assert response.status_code == 404 and response.json()["errorName"] == "NotFound", path
    response = api.delete("/v1/customers")
    assert response.status_code == 405 and response.json()["code"] == 405


# --- MS-RequestId (rule T5) ---------------------------------------------------------


def test_rule_t5_a_retried_post_is_answered_once(client, admin_agent):
    api = ApiClient(client, admin_agent)
    headers = {"MS-RequestId": REQUEST_ID}
    first = api.post("/v1/customers", new_customer(), headers=headers)
    again = api.post("/v1/customers", new_customer(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.content == again.content  # the same admin password, shown to the retry
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="customer.created").count() == 1


def test_rule_t5_the_same_id_for_another_request_is_refused(client, admin_agent):
    api = ApiClient(client, admin_agent)
    headers = {"MS-RequestId": REQUEST_ID}
    assert api.post("/v1/customers", new_customer(), headers=headers).status_code == 201
    other = api.post("/v1/customers", new_customer("othertoys"), headers=headers)
    assert other.status_code == 409 and other.json()["errorName"] == "RequestIdReused"
    assert Customer.objects.count() == 1


def test_rule_t5_ids_are_per_token_and_a_business_error_is_kept_too(client, admin_agent):
    headers = {"MS-RequestId": REQUEST_ID}
    CustomerFactory(domain_prefix="wingtiptoys")
    api = ApiClient(client, admin_agent)
    assert api.post("/v1/customers", new_customer(), headers=headers).status_code == 400
    Customer.objects.filter(domain_prefix="wingtiptoys").delete()
    # A business failure is an answer: the same token's retry gets it again...
    assert api.post("/v1/customers", new_customer(), headers=headers).status_code == 400
    # ...while another token's request under the same id is its own.
    other = ApiClient(client, admin_agent)
    assert other.post("/v1/customers", new_customer(), headers=headers).status_code == 201


def test_rule_t5_without_a_request_id_each_post_runs(client, admin_agent):
    api = ApiClient(client, admin_agent)
    assert api.post("/v1/customers", new_customer()).status_code == 201
    assert api.post("/v1/customers", new_customer()).status_code == 400  # the domain is taken now
    assert not ApiRequest.objects.exists()


def test_rule_t5_a_bad_request_id_is_400(client, admin_agent):
    response = ApiClient(client, admin_agent).post(
        "/v1/customers", new_customer(), headers={"MS-RequestId": "x" * 101}
    )
    assert response.status_code == 400 and not Customer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rule_t5_ten_concurrent_retries_write_once(data_migration_rows, admin_agent):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs parallel transactions (SQLite runs one writer at a time); CI's PostgreSQL pass runs it"
        )
    _token, secret = token_create(user=admin_agent, name="retries")
    headers = {"Authorization": f"Bearer {secret}", "MS-RequestId": REQUEST_ID}
    answers, barrier = [], threading.Barrier(10)

    def retry():
        try:
            barrier.wait()
            response = Client().post(
                "/v1/customers", new_customer(), content_type="application/json", headers=headers
            )
            answers.append((response.status_code, response.content))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=retry) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _body in answers] == [201] * 10
    assert len({body for _status, body in answers}) == 1
    assert Customer.objects.count() == 1


# --- Rate limits ----------------------------------------------------------------------


def _throttled(token_id, scope):
    return (
        REGISTRY.get_sample_value(
            "partnercenter_api_throttled_total", {"token": str(token_id), "scope": scope}
        )
        or 0
    )


def test_a_token_past_its_limit_gets_429_with_retry_after(client, admin_agent, settings):
    settings.API_RATE_PER_TOKEN = "3/m"
    api = ApiClient(client, admin_agent)
    before = _throttled(api.token.pk, "token")
    statuses = [api.get("/v1/customers").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/v1/customers")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["errorName"] == "TooManyRequests" and response.json()["isRetryable"]
    assert _throttled(api.token.pk, "token") == before + 2
    # Another token of the partner still has its own allowance.
    assert ApiClient(client, admin_agent).get("/v1/customers").status_code == 200


def test_the_partner_limit_counts_every_token_of_the_partner(client, partner, make_user, settings):
    settings.API_RATE_PER_PARTNER = "4/m"
    first, second = (
        ApiClient(client, make_user(Role.ADMIN_AGENT)),
        ApiClient(client, make_user(Role.SALES_AGENT)),
    )
    assert [first.get("/v1/customers").status_code for _ in range(2)] == [200, 200]
    assert [second.get("/v1/customers").status_code for _ in range(3)] == [200, 200, 429]
    other = ApiClient(client, UserFactory(roles=[Role.ADMIN_AGENT]))
    assert other.get("/v1/customers").status_code == 200


def test_calls_are_counted_per_token_and_status(client, admin_agent):
    api = ApiClient(client, admin_agent)
    labels = {"token": str(api.token.pk), "status": "200"}
    before = REGISTRY.get_sample_value("partnercenter_api_requests_total", labels) or 0
    api.get("/v1/customers")
    assert REGISTRY.get_sample_value("partnercenter_api_requests_total", labels) == before + 1


# --- Languages ------------------------------------------------------------------------


def test_errors_are_in_korean_by_accept_language_or_x_locale(client, admin_agent):
    api = ApiClient(client, admin_agent)
    english = api.get("/v1/customers/12345").json()["description"]
    korean = api.get("/v1/customers/12345", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).json()
    by_locale = api.get("/v1/customers/12345", headers={"X-Locale": "ko-KR"}).json()
    assert korean["description"] == by_locale["description"] != english
    assert any("\uac00" <= ch <= "\ud7a3" for ch in korean["description"])
    # The model's and the services' messages come from the pages' catalogue.
    CustomerFactory(domain_prefix="wingtiptoys")
    taken = api.post("/v1/customers", new_customer(), headers={"X-Locale": "ko-KR"}).json()
    assert any("\uac00" <= ch <= "\ud7a3" for ch in taken["parameters"]["companyProfile.domain"])
    unauthorized = Client().get("/v1/customers", headers={"Accept-Language": "ko"}).json()
    assert any("\uac00" <= ch <= "\ud7a3" for ch in unauthorized["description"])


# --- Schema and reference page ---------------------------------------------------------


def test_the_schema_is_openapi_3_and_lists_every_operation(client):
    schema = client.get("/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/v1/customers" in schema["paths"] and "/webhooks/v1/registration" in schema["paths"]
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) >= 25
    assert all("400" in op["responses"] or "404" in op["responses"] for op in operations)


def test_the_reference_page_uses_only_the_apps_own_assets(client):
    response = client.get("/v1/docs")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in text and "http" not in text.replace(
        "http-equiv", ""
    )
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui.css")


def test_a_served_customer_is_readable_through_the_api_only_with_view_customers(client, make_user):
    billing = make_user(Role.BILLING_ADMIN)
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=billing.partner, customer=customer)
    assert ApiClient(client, billing).get(f"/v1/customers/{customer.tenant_id}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_503_with_retry_after_and_the_api_recovers(
    client, data_migration_rows, admin_agent, database_down, monkeypatch
):
    api = ApiClient(client, admin_agent)
    assert api.get("/v1/customers").status_code == 200
    database_down()
    client.raise_request_exception = False
    for response in (
        api.get("/v1/customers"),
        api.post("/v1/customers", new_customer(), headers={"MS-RequestId": REQUEST_ID}),
    ):
        assert response.status_code == 503 and response["Retry-After"] == "60"
        assert (
            response.json()["errorName"] == "ServiceUnavailable" and response.json()["isRetryable"]
        )
    monkeypatch.undo()
    connection.close()
    assert api.get("/v1/customers").status_code == 200
