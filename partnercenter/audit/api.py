"""Partner Center's ``GET /v1/auditrecords`` (docs/api.md): the partner's audit events in
Partner Center's AuditRecord shape, scoped exactly like **Activity log** (the partner's
own events and those it is the related partner of), newest first, continuation-paged."""

import datetime
import json

from django.db.models import F
from django.utils.translation import gettext as _
from ninja import Schema

from partnercenter.api.framework import (
    BAD_REQUEST,
    ApiError,
    Attributes,
    PartnerCenterRouter,
    collection,
    collection_schema,
    continuation,
    json_response,
    link,
    next_link,
    page_size,
    parse_guid,
)
from partnercenter.audit.read import Filters, events_for_partner, events_page
from partnercenter.audit.words import describe
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action

router = PartnerCenterRouter(tags=["Audit records"])

#: Partner Center's operationType for our events; the others are the event's code with
#: an underscore (``user.roles_changed`` → ``user_roles_changed``).
OPERATION_TYPES = {
    "customer.created": "add_customer",
    "customer.contact_changed": "update_customer",
    "customer.details_changed": "update_customer",
    "agreement.confirmed": "create_customer_agreement",
    "subscription.ordered": "create_order",
    "subscription.seats_changed": "update_subscription",
    "subscription.cancelled": "update_subscription",
    "relationship.removed": "remove_partner_customer_relationship",
}
#: The ``filter`` fields: Partner Center's names → how events narrow.
FILTER_FIELDS = ("CustomerId", "ResourceType", "CustomerName")


class KeyValue(Schema):
    key: str
    value: str


class AuditRecord(Schema):
    partnerId: str | None = None
    customerId: str | None = None
    customerName: str | None = None
    userPrincipalName: str
    resourceType: str
    resourceNewValue: str
    resourceOldValue: str
    operationType: str
    operationStatus: str
    operationDate: str
    customizedData: list[KeyValue]
    attributes: Attributes


AuditRecordCollection = collection_schema(AuditRecord, "AuditRecordCollection")


def _day(value: str | None, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("%(field)s must be a date such as 2026-12-01.") % {"field": field},
            error_name="InvalidDate",
            parameters={field: value[:40]},
        ) from None


def _filter(raw: str | None) -> tuple[str, str] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    keys = {str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else None
    if (
        keys is None
        or set(keys) - {"field", "value", "operator"}
        or keys.get("field") not in FILTER_FIELDS
        or not isinstance(keys.get("value"), str)
        or not 0 < len(keys["value"]) <= 255
    ):
        raise ApiError(
            400,
            BAD_REQUEST,
            _(
                'filter must be {"Field": "CustomerId" | "ResourceType" | "CustomerName", '
                '"Value": "...", "Operator": "substring"}.'
            ),
            error_name="InvalidFilter",
            parameters={"filter": raw[:200]},
        )
    return keys["field"], keys["value"]


def audit_record_resource(event, tenant_id) -> dict:
    """One audit event as Partner Center's AuditRecord."""
    return {
        "partnerId": str(event.partner.tenant_id) if event.partner_id else None,
        "customerId": str(tenant_id) if tenant_id else None,
        "customerName": event.customer_name or None,
        "userPrincipalName": event.actor_name,
        "resourceType": event.object_type or event.event_type.split(".")[0],
        "resourceNewValue": json.dumps(event.after, ensure_ascii=False),
        "resourceOldValue": json.dumps(event.before, ensure_ascii=False),
        "operationType": OPERATION_TYPES.get(event.event_type, event.event_type.replace(".", "_")),
        "operationStatus": "succeeded",
        "operationDate": event.created_at.astimezone(datetime.UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "customizedData": [
            {"key": "EventType", "value": event.event_type},
            {"key": "Description", "value": describe(event)},
            {"key": "ObjectId", "value": event.object_id},
        ],
        "attributes": {"objectType": "AuditRecord"},
    }


@router.get(
    "/auditrecords",
    response=AuditRecordCollection,
    summary="Get audit records",
    operation_id="audit_records_list",
)
def audit_records(
    request,
    startDate: str,
    endDate: str | None = None,
    filter: str | None = None,
    size: int | None = None,
    seekOperation: str | None = None,
):
    """Audit records from ``startDate`` to ``endDate`` (UTC days, inclusive; ``endDate``
    defaults to today), newest first, ``size`` a page (default 500). ``filter``:
    CustomerId (a tenant ID), ResourceType (``customer``, ``acceptance``,
    ``subscription``, ``relationship``, ``user``, ``webhook``, ``api_token``...) or
    CustomerName (contains)."""
    partner = partner_for_user(request.user, Action.VIEW_ACTIVITY_LOG)
    per_page = page_size(size, default=500)
    start, end = _day(startDate, "startDate"), _day(endDate, "endDate")
    if end is not None and end < start:
        raise ApiError(
            400, BAD_REQUEST, _("endDate can't be before startDate."), error_name="InvalidDate"
        )
    cursor = continuation(request, seekOperation)
    narrowed = _filter(filter)
    querysets = events_for_partner(partner, Filters(date_from=start, date_to=end))
    if narrowed:
        field, value = narrowed
        if field == "CustomerId":
            guid = parse_guid(value, field="filter.Value")
            querysets = [q.filter(customer__tenant_id=guid) for q in querysets]
        elif field == "ResourceType":
            querysets = [q.filter(object_type=value.lower()) for q in querysets]
        else:
            querysets = [q.filter(customer_name__icontains=value) for q in querysets]
    querysets = [q.annotate(customer_tenant=F("customer__tenant_id")) for q in querysets]
    page = events_page(querysets, cursor=cursor, per_page=per_page)
    items = [audit_record_resource(e, e.customer_tenant) for e in page]
    query = {"startDate": startDate, "endDate": endDate, "filter": filter, "size": per_page}
    links = {"self": link(f"/auditrecords?startDate={startDate}")}
    if page.has_next:
        links["next"] = next_link("/v1/auditrecords", query, page.next_cursor)
    # Built to the schema above: answered as it is, without validating it again.
    return json_response(collection(items, links=links))
