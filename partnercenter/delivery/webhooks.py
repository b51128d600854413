"""Outbound webhooks: partner events posted, signed, to the partner's HTTPS endpoints.

A partner's Global admin registers endpoints (Settings → **Webhooks**) and
picks events by Partner Center's names. ``event_publish`` records one
delivery per subscribed endpoint in the caller's transaction; a worker posts
it with retries like an email (``partnercenter.delivery.outbox``). The body is
Partner Center's webhook shape — ``EventName``, ``ResourceUri``,
``ResourceName``, ``AuditUri``, ``ResourceChangeUtcDate`` — and the header
``X-PartnerCenter-Signature: sha256=<hex>`` is the HMAC-SHA256 of the raw
body under the endpoint's secret (README "Webhooks" has a verification
snippet). URLs must be ``https://`` and resolve to public addresses, unless
``WEBHOOK_ALLOW_HTTP`` / ``WEBHOOK_ALLOW_PRIVATE`` (development, tests).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_tasks import task

from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_record
from partnercenter.delivery.outbox import (
    deliveries_requeue_stuck,
    delivery_claim,
    delivery_finish,
    delivery_requeue,
    error_text,
)
from partnercenter.models import Partner, User, WebhookDelivery, WebhookEndpoint
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.web.sealing import secret_open, secret_seal

#: The events a partner can subscribe to: Partner Center's names, then this product's.
EVENTS = {
    "reseller-relationship-accepted-by-customer": _lazy(
        "A customer accepted your reseller relationship"
    ),
    "indirect-reseller-relationship-accepted-by-customer": _lazy(
        "A customer accepted a reseller relationship with you as indirect provider"
    ),
    "customer-created": _lazy("A customer was created"),
    "customer-agreement-confirmed": _lazy(
        "Your organization confirmed a customer's acceptance of the agreement"
    ),
    "customer-agreement-accepted-by-customer": _lazy(
        "A customer accepted the agreement in the admin center"
    ),
    "granular-admin-relationship-approved": _lazy("A customer approved an admin relationship"),
    "granular-admin-relationship-activated": _lazy("An admin relationship became active"),
    "granular-admin-relationship-terminated": _lazy("An admin relationship was terminated"),
    "granular-admin-relationship-expired": _lazy("An admin relationship expired"),
    "granular-admin-access-assignment-created": _lazy("An access assignment was added"),
    "granular-admin-access-assignment-activated": _lazy("An access assignment became active"),
    "granular-admin-access-assignment-updated": _lazy("An access assignment was changed"),
    "granular-admin-access-assignment-deleted": _lazy("An access assignment was removed"),
}
#: Partner Center's event for **Send test event**; every endpoint receives it.
TEST_EVENT = "test-created"
SIGNATURE_HEADER = "X-PartnerCenter-Signature"


class AddressRefused(ValueError):
    """A webhook URL's host is, or resolves to, an address webhooks may not reach."""


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: ``"sha256=" + hex HMAC-SHA256(secret, body)``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


#: IPv6 prefixes that carry an IPv4 address inside them and reach it through a translator
#: or tunnel: NAT64 (well-known and local-use), 6to4, Teredo, IPv4-compatible and
#: IPv4-translated addresses. Python 3.11's ``is_global`` calls some of them global, yet
#: ``64:ff9b::a9fe:a9fe`` reaches 169.254.169.254 through a NAT64 gateway; none of them is
#: a webhook receiver's real address, so all are refused whatever IPv4 address they embed.
_TUNNELLED_V6 = tuple(
    ipaddress.ip_network(prefix)
    for prefix in (
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2002::/16",
        "2001::/32",
        "::/96",
        "::ffff:0:0:0/96",
    )
)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in _TUNNELLED_V6):
            return False
    return ip.is_global and not ip.is_multicast


def port_check(port: int) -> None:
    """Raise AddressRefused unless webhooks may post to ``port``.

    ``WEBHOOK_ALLOW_PORTS`` lists the allowed ports (production default: 443 only, so a
    URL can't aim at an internal service that listens on another port of a public
    host); None allows any port (the development default, for local receivers).
    """
    allowed = settings.WEBHOOK_ALLOW_PORTS
    if allowed is not None and port not in allowed:
        raise AddressRefused(
            _("Webhooks can only be sent to port %(ports)s, not %(port)s.")
            % {"ports": ", ".join(str(p) for p in allowed), "port": port}
        )


def addresses_for(host: str, port: int) -> list[str]:
    """The IP addresses ``host`` resolves to, all of them allowed for a webhook on ``port``.

    Raises AddressRefused when the port isn't allowed (``port_check``), the name
    doesn't resolve, or any address is loopback, private, link-local, tunnelled
    (``_TUNNELLED_V6``) or otherwise not public while ``WEBHOOK_ALLOW_PRIVATE`` is
    off (a name that resolves to both is refused: the check must hold for the
    address actually connected to, which is one of these). Called at registration
    and again before every delivery, so a name that changes its answer later is
    caught too.
    """
    port_check(port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(_("This address doesn't resolve: %(host)s") % {"host": host}) from exc
    found = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOK_ALLOW_PRIVATE and not all(_public(a) for a in found):
        raise AddressRefused(
            _("Webhooks can't be sent to private or local addresses (%(host)s).") % {"host": host}
        )
    return found


def url_check(url: str) -> str:
    """``url`` stripped, if webhooks may post to it.

    Raises ValidationError keyed by ``url``: not a URL; not ``https://`` (unless
    ``WEBHOOK_ALLOW_HTTP``); user name or password in it; host refused by
    ``addresses_for``.
    """
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": _("Enter a valid URL.")}) from exc
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValidationError({"url": _("Webhook URLs must start with https://.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Leave the user name and password out of the URL.")})
    try:
        addresses_for(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except AddressRefused as exc:
        raise ValidationError({"url": str(exc)}) from exc
    return url


# --- Endpoints (Settings → Webhooks) --------------------------------------------------


def _events_check(events) -> list[str]:
    # Partner Center's registrations name its test event too; every webhook gets it anyway.
    chosen = [e for e in [*EVENTS, TEST_EVENT] if e in set(events or ())]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError({"events": _("Choose at least one event from the list.")})
    return chosen


def _endpoint_check(url: str, events) -> tuple[str, list[str]]:
    """The URL and events as stored; ValidationError keyed by ``url``/``events``, both at once."""
    errors = {}
    try:
        url = url_check(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        events = _events_check(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return url, events


@transaction.atomic
def endpoint_create(*, user: User, url: str, events) -> tuple[WebhookEndpoint, str]:
    """Register a webhook for ``user``'s partner. Returns it and its signing secret.

    The secret (43 URL-safe characters) is returned this once; only a sealed
    copy is stored. Raises PermissionDenied (not a Global admin) and
    ValidationError keyed by ``url``/``events``.
    """
    partner = partner_for_user(user, Action.MANAGE_WEBHOOKS)
    url, events = _endpoint_check(url, events)
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        partner=partner,
        url=url,
        events=events,
        sealed_secret=secret_seal(secret),
        created_by=user,
    )
    audit_record(
        EventType.WEBHOOK_ADDED,
        actor=user,
        obj=endpoint,
        object_type="webhook",
        object_repr=url,
        after={"url": url, "events": events},
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, user: User, endpoint: WebhookEndpoint, url: str, events) -> WebhookEndpoint:
    """Change a webhook's URL and events (the API's ``PUT /webhooks/v1/registration``);
    its signing secret stays. Records ``webhook.changed`` with what changed. Raises
    PermissionDenied (role) and ValidationError keyed by ``url``/``events``."""
    partner = partner_for_user(user, Action.MANAGE_WEBHOOKS)
    if endpoint.partner_id != partner.pk:
        raise PermissionDenied
    url, events = _endpoint_check(url, events)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {"url": endpoint.url, "events": endpoint.events}
    endpoint.url, endpoint.events = url, events
    endpoint.save(update_fields=["url", "events"])
    after = {"url": url, "events": events}
    if before != after:
        audit_record(
            EventType.WEBHOOK_CHANGED,
            actor=user,
            obj=endpoint,
            object_type="webhook",
            object_repr=url,
            before=before,
            after=after,
        )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, user: User | None = None) -> None:
    """Remove a webhook and its delivery log; records ``webhook.removed`` by ``user``.
    The caller fetched it through ``partnercenter.delivery.access.webhook_endpoint_get_for_user``."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    audit_record(
        EventType.WEBHOOK_REMOVED,
        actor=user,
        partner=endpoint.partner,
        obj=endpoint,
        object_type="webhook",
        object_repr=endpoint.url,
        before={"url": endpoint.url, "events": endpoint.events},
    )


def _body(
    event_name: str, *, resource_uri: str, resource_name: str, audit_uri: str | None, at: datetime
) -> str:
    return json.dumps(
        {
            "EventName": event_name,
            "ResourceUri": resource_uri,
            "ResourceName": resource_name,
            "AuditUri": audit_uri,
            "ResourceChangeUtcDate": at.astimezone(UTC).isoformat(),
        }
    )


def _delivery_create(endpoint: WebhookEndpoint, event_name: str, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_name=event_name, body=body)
    webhook_deliver.enqueue(delivery.pk)
    return delivery


def event_publish(
    *,
    partner: Partner,
    event_name: str,
    resource_uri: str,
    resource_name: str,
    audit_uri: str | None = None,
    at: datetime | None = None,
) -> list[WebhookDelivery]:
    """Queue ``event_name`` for every active endpoint of ``partner`` subscribed to it.

    Call inside the transaction that made the change: the deliveries commit
    (or roll back) with it. ``resource_uri``/``audit_uri`` are absolute URLs
    of the changed resource and of its history; ``at`` the change time
    (default now). Returns the deliveries (none when nobody listens).
    """
    if event_name not in EVENTS:
        raise ValueError(f"Unknown webhook event {event_name!r}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(partner=partner, is_active=True)
        if event_name in e.events
    ]
    if not endpoints:
        return []
    body = _body(
        event_name,
        resource_uri=resource_uri,
        resource_name=resource_name,
        audit_uri=audit_uri,
        at=at or timezone.now(),
    )
    return [_delivery_create(e, event_name, body) for e in endpoints]


@transaction.atomic
def endpoint_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """**Send test event**: queue Partner Center's ``test-created`` to ``endpoint``."""
    body = _body(
        TEST_EVENT,
        resource_uri=f"{settings.SITE_URL}/settings/webhooks/{endpoint.pk}/",
        resource_name="test",
        audit_uri=None,
        at=timezone.now(),
    )
    return _delivery_create(endpoint, TEST_EVENT, body)


@transaction.atomic
def delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """**Resend** a failed delivery: the same body, a fresh set of attempts.

    Raises ValidationError unless it failed.
    """
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    return delivery_requeue(delivery, enqueue=webhook_deliver.enqueue)


def deliveries_requeue_stuck_webhooks() -> int:
    """``deliveries_requeue_stuck`` for webhook deliveries. Returns how many."""
    return deliveries_requeue_stuck(WebhookDelivery, enqueue=webhook_deliver.enqueue)


# --- Posting --------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to a fresh DNS answer."""

    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address, verifying the certificate for the URL's host name."""

    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url``; returns the HTTP status. Redirects aren't followed.

    Raises AddressRefused (see ``addresses_for``), ValueError for a scheme
    the settings refuse, OSError/``http.client.HTTPException`` on network
    failure or after ``WEBHOOK_TIMEOUT`` seconds.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValueError("Webhook URLs must start with https://.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = addresses_for(parts.hostname, port)[0]
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(parts.hostname, port, address=address, timeout=settings.WEBHOOK_TIMEOUT)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        connection.close()


def _webhook_retry(pk: int, run_after) -> None:
    webhook_deliver.using(run_after=run_after).enqueue(pk)


@task()
def webhook_deliver(delivery_id: int) -> str:
    """The job: post one queued delivery, signed; any 2xx answer is delivered.

    Other answers, network errors and timeouts are retried with backoff up to
    ``WEBHOOK_MAX_ATTEMPTS``. Returns the state it left the delivery in.
    """
    delivery = delivery_claim(WebhookDelivery, delivery_id)
    if delivery is None:
        return "skipped"
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    error = None
    delivery.status_code = None
    try:
        secret = secret_open(endpoint.sealed_secret, forever=True)
        if secret is None:
            raise ValueError("The signing secret can't be opened (was SECRET_KEY changed?).")
        delivery.status_code = post(
            endpoint.url,
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "PartnerCenter-Webhooks/1.0",
                SIGNATURE_HEADER: signature(secret, body),
                "X-PartnerCenter-Event": delivery.event_name,
                "X-PartnerCenter-Delivery": str(delivery.pk),
            },
        )
        if not 200 <= delivery.status_code < 300:
            error = f"HTTP {delivery.status_code}"
    except Exception as exc:  # the receiver's failure is recorded, never raised
        error = error_text(exc)
    delivery_finish(
        delivery,
        error=error,
        max_attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        retry=_webhook_retry,
        fields=("status_code",),
    )
    return delivery.state
