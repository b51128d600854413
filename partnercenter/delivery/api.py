"""Partner Center's webhook registration API (docs/api.md): ``/webhooks/v1/registration``
(GET, POST, PUT, DELETE), its ``events`` and ``validationEvents``, on the webhooks of
Settings → **Webhooks**. Partner Center keeps one registration per partner: here it is
the partner's oldest webhook; the page may add more."""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from partnercenter.api.framework import (
    CONFLICT,
    ApiError,
    PartnerCenterRouter,
    RequestSchema,
    parse_guid,
    validation_error,
)
from partnercenter.delivery.access import webhook_endpoints_for_user
from partnercenter.delivery.webhooks import (
    EVENTS,
    TEST_EVENT,
    endpoint_create,
    endpoint_delete,
    endpoint_test_send,
    endpoint_update,
)
from partnercenter.models import WebhookDelivery, WebhookEndpoint

router = PartnerCenterRouter(tags=["Webhooks"])


class RegistrationIn(RequestSchema):
    WebhookUrl: str = Field(..., max_length=500)
    WebhookEvents: list[str] = Field(..., min_length=1, max_length=50)


class Registration(Schema):
    SubscriberId: str
    WebhookUrl: str
    WebhookEvents: list[str]


class ValidationEvent(Schema):
    correlationId: str


class ValidationEventStatus(Schema):
    correlationId: str
    status: str
    webhookUrl: str
    responseCode: int | None = None
    responseMessage: str


def _registration(request, *, required: bool = False) -> WebhookEndpoint | None:
    """The partner's registration: its oldest webhook; None, or Http404 when ``required``."""
    endpoint = webhook_endpoints_for_user(request.user).order_by("created_at", "pk").first()
    if endpoint is None and required:
        raise Http404
    return endpoint


def _resource(endpoint: WebhookEndpoint) -> dict:
    return {
        "SubscriberId": str(endpoint.partner.tenant_id),
        "WebhookUrl": endpoint.url,
        "WebhookEvents": list(endpoint.events),
    }


FIELDS = {"url": "WebhookUrl", "events": "WebhookEvents"}


@router.get(
    "/registration",
    response=Registration,
    operation_id="webhook_registration_get",
    summary="Get the webhook registration",
)
def registration_get(request):
    endpoint = _registration(request, required=True)
    return _resource(endpoint)


@router.post(
    "/registration",
    response=Registration,
    operation_id="webhook_registration_create",
    summary="Register for webhook events",
)
def registration_create(request, body: RegistrationIn):
    """Register ``WebhookUrl`` for ``WebhookEvents``; 409 when a registration exists
    (PUT changes it). The signing secret is on Settings → **Webhooks**."""
    if _registration(request) is not None:
        raise ApiError(
            409,
            CONFLICT,
            _("A registration exists; change it with PUT."),
            error_name="RegistrationExists",
        )
    try:
        endpoint, _secret = endpoint_create(
            user=request.user, url=body.WebhookUrl, events=body.WebhookEvents
        )
    except ValidationError as exc:
        raise validation_error(exc, fields=FIELDS) from exc
    return _resource(endpoint)


@router.put(
    "/registration",
    response=Registration,
    operation_id="webhook_registration_update",
    summary="Update the webhook registration",
)
def registration_update(request, body: RegistrationIn):
    endpoint = _registration(request, required=True)
    try:
        endpoint = endpoint_update(
            user=request.user, endpoint=endpoint, url=body.WebhookUrl, events=body.WebhookEvents
        )
    except ValidationError as exc:
        raise validation_error(exc, fields=FIELDS) from exc
    return _resource(endpoint)


@router.delete(
    "/registration",
    response={204: None},
    operation_id="webhook_registration_delete",
    summary="Delete the webhook registration",
)
def registration_delete(request):
    endpoint = _registration(request, required=True)
    endpoint_delete(endpoint=endpoint, user=request.user)
    return HttpResponse(status=204)


@router.get(
    "/registration/events",
    response=list[str],
    operation_id="webhook_events_list",
    summary="The events one may register for",
)
def registration_events(request):
    webhook_endpoints_for_user(request.user)
    return [*EVENTS, TEST_EVENT]


@router.get(
    "/registration/validationEvents",
    response=ValidationEvent,
    operation_id="webhook_validation_send",
    summary="Send a test event to the registration",
)
def validation_send(request):
    """Queue Partner Center's ``test-created`` event to the registered URL; its status is
    at ``validationEvents/{correlationId}``."""
    endpoint = _registration(request, required=True)
    delivery = endpoint_test_send(endpoint=endpoint)
    return {"correlationId": str(uuid.UUID(int=delivery.pk))}


@router.get(
    "/registration/validationEvents/{correlation_id}",
    response=ValidationEventStatus,
    operation_id="webhook_validation_status",
    summary="The status of a test event",
)
def validation_status(request, correlation_id: str):
    number = parse_guid(correlation_id, field="correlationId").int
    delivery = (
        WebhookDelivery.objects.filter(endpoint__in=webhook_endpoints_for_user(request.user))
        .select_related("endpoint")
        .filter(pk=number if number < 2**63 else 0)
        .first()
    )
    if delivery is None:
        raise Http404
    return {
        "correlationId": correlation_id,
        "status": {"sent": "completed", "failed": "failed"}.get(delivery.state, "pending"),
        "webhookUrl": delivery.endpoint.url,
        "responseCode": delivery.status_code,
        "responseMessage": delivery.last_error,
    }
