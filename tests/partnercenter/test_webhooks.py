"""Outbound webhooks: Partner Center's body, HMAC signature, retries, refusals, pages."""

import hashlib
import hmac
import json
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.workflows import customer_create
from partnercenter.delivery.webhooks import endpoint_test_send, url_check
from partnercenter.models import WebhookDelivery, WebhookEndpoint
from partnercenter.tenant.roles import Role
from tests.agreements.test_status_rows import account, attestation
from tests.factories import UserFactory, WebhookDeliveryFactory, WebhookEndpointFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (README "Webhooks"): recompute and compare in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_a_new_customer_reaches_the_webhook_signed_in_partner_centers_shape(
    admin_agent, webhook_receiver, run_jobs
):
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner, url=webhook_receiver.url)
    created = customer_create(
        user=admin_agent, account=account("hooked"), attestation=attestation()
    )
    run_jobs()
    requests = {json.loads(r["body"])["EventName"]: r for r in webhook_receiver.requests}
    assert set(requests) == {"customer-created", "customer-agreement-confirmed"}
    request = requests["customer-created"]
    body = json.loads(request["body"])
    assert list(body) == [
        "EventName",
        "ResourceUri",
        "ResourceName",
        "AuditUri",
        "ResourceChangeUtcDate",
    ]
    assert body["ResourceUri"].endswith(f"/customers/{created.customer.pk}/")
    assert body["ResourceName"] == "customer"
    assert body["AuditUri"].endswith(f"/customers/{created.customer.pk}/agreement/history/")
    assert datetime.fromisoformat(body["ResourceChangeUtcDate"]).utcoffset().total_seconds() == 0
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["headers"]["X-PartnerCenter-Event"] == "customer-created"
    assert verify(endpoint.secret, request["body"], request["headers"]["X-PartnerCenter-Signature"])
    assert not verify(
        "another-secret", request["body"], request["headers"]["X-PartnerCenter-Signature"]
    )
    deliveries = WebhookDelivery.objects.all()
    assert {(d.state, d.status_code, d.attempts) for d in deliveries} == {("sent", 200, 1)}


def test_only_subscribed_events_of_the_partners_own_webhooks_are_sent(
    admin_agent, other_partner, webhook_receiver, run_jobs
):
    WebhookEndpointFactory(
        partner=admin_agent.partner, url=webhook_receiver.url, events=["customer-created"]
    )
    WebhookEndpointFactory(partner=other_partner, url=webhook_receiver.url)
    customer_create(user=admin_agent, account=account("onlyone"), attestation=attestation())
    run_jobs()
    assert [json.loads(r["body"])["EventName"] for r in webhook_receiver.requests] == [
        "customer-created"
    ]


def test_a_receiver_answering_500_is_tried_again(admin_agent, webhook_receiver, run_jobs):
    webhook_receiver.statuses = [500, 503]
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner, url=webhook_receiver.url)
    endpoint_test_send(endpoint=endpoint)
    run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("sent", 3, 200)
    assert len(webhook_receiver.requests) == 3
    assert len({r["body"] for r in webhook_receiver.requests}) == 1  # the same signed body


def test_a_receiver_that_keeps_failing_ends_failed_and_can_be_resent(
    client, admin_agent, webhook_receiver, run_jobs, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    webhook_receiver.statuses = [500, 500]
    global_admin = UserFactory(partner=admin_agent.partner, roles=[Role.GLOBAL_ADMIN])
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner, url=webhook_receiver.url)
    endpoint_test_send(endpoint=endpoint)
    run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 2, "HTTP 500")
    client.force_login(global_admin)
    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert 'data-state="failed"' in page and "500" in page
    client.post(reverse("webhooks:resend", args=[delivery.pk]))
    run_jobs()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code) == ("sent", 200)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_private_and_loopback_addresses_are_refused(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        url_check(url)
    assert "private or local" in str(refused.value.message_dict["url"])


#: IPv6 forms that carry an IPv4 address to a translator or tunnel; Python 3.11's
#: ``is_global`` passes some of them (docs/security.md, rule S5).
TUNNELLED = [
    "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",  # NAT64 → 169.254.169.254
    "https://[64:ff9b::808:808]/hook",  # NAT64 of a public address: still a translator
    "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://[2002:808:808::]/hook",  # 6to4 of a public address
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
    "https://[::127.0.0.1]:8443/hook",  # IPv4-compatible
    "https://[::8.8.8.8]/hook",
    "https://[::ffff:0:a9fe:a9fe]/hook",  # IPv4-translated
]


@pytest.mark.parametrize("url", TUNNELLED)
def test_ipv6_forms_that_tunnel_to_ipv4_are_refused_at_registration(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOW_PORTS = None
    with pytest.raises(ValidationError) as refused:
        url_check(url)
    assert "private or local" in str(refused.value.message_dict["url"])


@pytest.mark.parametrize("url", TUNNELLED)
def test_ipv6_forms_that_tunnel_to_ipv4_are_refused_again_at_delivery(
    admin_agent, settings, run_jobs, url
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOW_PORTS = None
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner, url=url)  # as if stored earlier
    endpoint_test_send(endpoint=endpoint)
    run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "AddressRefused" in delivery.last_error
    assert delivery.status_code is None


def test_a_public_ipv6_address_is_still_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOW_PORTS = [443]
    assert url_check("https://[2606:4700:4700::1111]/hook")


def test_only_port_443_unless_allowed(settings, admin_agent, run_jobs):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOW_PORTS = [443]
    assert url_check("https://8.8.8.8:443/hook")
    with pytest.raises(ValidationError, match="only be sent to port 443, not 8443"):
        url_check("https://8.8.8.8:8443/hook")
    settings.WEBHOOK_ALLOW_PORTS = [443, 8443]
    assert url_check("https://8.8.8.8:8443/hook")

    settings.WEBHOOK_ALLOW_PORTS = [443]
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner, url="https://8.8.8.8:8443/x")
    endpoint_test_send(endpoint=endpoint)
    run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "port 443" in delivery.last_error


def test_plain_http_and_credentials_in_the_url_are_refused(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match="must start with https"):
        url_check("http://8.8.8.8/hook")
    with pytest.raises(ValidationError, match="user name and password"):
        url_check("https://me:pw@8.8.8.8/hook")
    assert url_check(" https://8.8.8.8/hook ") == "https://8.8.8.8/hook"


def test_a_private_address_is_refused_again_when_the_delivery_is_posted(
    admin_agent, settings, run_jobs
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner, url="https://127.0.0.1:9/x")
    endpoint_test_send(endpoint=endpoint)
    run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "AddressRefused" in delivery.last_error
    assert delivery.status_code is None


def test_production_settings_refuse_http_and_private_addresses():
    from tests.partnercenter.test_settings import PRODUCTION_ENV, manage

    code = (
        "from django.conf import settings as s; "
        "print(s.WEBHOOK_ALLOW_HTTP, s.WEBHOOK_ALLOW_PRIVATE, s.TASKS['default']['BACKEND'], "
        "s.WEBHOOK_ALLOW_PORTS)"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split()[-4:] == [
        "False",
        "False",
        "django_tasks_db.DatabaseBackend",
        "[443]",
    ], result.stderr


def test_a_global_admin_adds_a_webhook_and_sees_its_secret_once(
    client, global_admin, webhook_receiver, run_jobs
):
    client.force_login(global_admin)
    response = client.post(
        reverse("webhooks:list"),
        {
            "url": webhook_receiver.url,
            "events": ["customer-created", "customer-agreement-confirmed"],
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.url == reverse("webhooks:detail", args=[endpoint.pk])
    assert endpoint.events == ["customer-created", "customer-agreement-confirmed"]
    first = client.get(response.url).content.decode()
    secret = first.split('data-testid="webhook-secret">')[1].split("<")[0]
    assert len(secret) >= 40 and secret not in endpoint.sealed_secret
    assert 'data-testid="webhook-secret"' not in client.get(response.url).content.decode()

    client.post(reverse("webhooks:test", args=[endpoint.pk]))
    run_jobs()
    request = webhook_receiver.requests[0]
    assert json.loads(request["body"])["EventName"] == "test-created"
    assert verify(secret, request["body"], request["headers"]["X-PartnerCenter-Signature"])
    log = client.get(response.url).content.decode()
    assert "test-created" in log and 'data-testid="status-code">200<' in log


def test_the_form_says_what_is_wrong_beside_the_field(client, global_admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(global_admin)
    page = client.post(reverse("webhooks:list"), {"url": "https://127.0.0.1/x"}).content.decode()
    assert "private or local addresses" in page
    assert "Choose at least one event from the list." in page
    assert not WebhookEndpoint.objects.exists()


def test_delete_removes_the_webhook_and_its_log(client, global_admin):
    delivery = WebhookDeliveryFactory(endpoint__partner=global_admin.partner)
    client.force_login(global_admin)
    client.post(reverse("webhooks:delete", args=[delivery.endpoint.pk]))
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("name", "method", "target"),
    [
        ("webhooks:detail", "get", "endpoint"),
        ("webhooks:test", "post", "endpoint"),
        ("webhooks:delete", "post", "endpoint"),
        ("webhooks:resend", "post", "delivery"),
    ],
)
def test_webhook_pages_are_for_global_admins_of_the_partner(client, name, method, target):
    def build(partner):
        delivery = WebhookDeliveryFactory(endpoint__partner=partner)
        return reverse(name, args=[delivery.pk if target == "delivery" else delivery.endpoint.pk])

    assert_permission_matrix(client, build_url=build, method=method, allowed=[Role.GLOBAL_ADMIN])


def test_the_webhooks_list_is_for_global_admins(client):
    assert_permission_matrix(
        client,
        build_url=lambda partner: reverse("webhooks:list"),
        allowed=[Role.GLOBAL_ADMIN],
        scoped=False,
    )
