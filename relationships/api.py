"""Partner Center's REST API for relationships (docs/api.md): the reseller relationship
request link, the partner's indirect providers or resellers, and a customer's
partners. Reads only; the links are the pages' (``relationships.invitations``)."""

import datetime
import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from customers.selectors import (
    customer_get_by_tenant_for_user,
    customers_of_partner,
    relationships_for_customer,
)
from partnercenter.api.framework import (
    BAD_REQUEST,
    ApiError,
    Attributes,
    GraphRouter,
    PartnerCenterRouter,
    RequestSchema,
    collection,
    collection_schema,
    json_response,
    link,
    parse_guid,
    validation_error,
)
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.web.paging import cursor_is_valid, keyset_page
from relationships.adminrelationships import (
    PreconditionFailed,
    StateConflict,
    access_assignment_create,
    access_assignment_delete,
    access_assignment_update,
    admin_relationship_create,
    admin_relationship_delete,
    admin_relationship_lock,
    admin_relationship_terminate,
    admin_relationship_update,
)
from relationships.models import AccessAssignment, AdminRelationship
from relationships.selectors import (
    access_assignment_get_for_user,
    admin_relationship_get_for_user,
    admin_relationships_for_user,
    indirect_partnerships_for_user,
    indirect_providers_of,
    security_group_get_for_user,
)
from relationships.services import customer_invitation_url

router = PartnerCenterRouter(tags=["Relationships"])

#: Partner Center's ``relationship_type`` values: whom the list names.
PROVIDERS = "IsIndirectCloudSolutionProviderOf"
RESELLERS = "IsIndirectResellerOf"


class RelationshipRequest(Schema):
    url: str
    attributes: Attributes


class PartnerRelationship(Schema):
    id: str
    name: str
    relationshipType: str
    state: str
    mpnId: str
    location: str
    attributes: Attributes


PartnerRelationshipCollection = collection_schema(
    PartnerRelationship, "PartnerRelationshipCollection"
)


def partner_relationship(partner: Partner, relationship_type: str) -> dict:
    """``partner`` as Partner Center's PartnerRelationship resource."""
    return {
        "id": str(partner.tenant_id),
        "name": partner.name,
        "relationshipType": relationship_type,
        "state": "active",
        "mpnId": partner.mpn_id,
        "location": str(partner.country),
        "attributes": {"objectType": "PartnerRelationship"},
    }


@router.get(
    "/customers/relationshiprequests",
    response=RelationshipRequest,
    summary="Request a reseller relationship",
    operation_id="relationship_requests_get",
)
def relationship_request(request, indirectCSPId: str | None = None):
    """The link a customer follows to accept a reseller relationship with the partner
    (**Request a reseller relationship**); an indirect reseller names its indirect
    provider with ``indirectCSPId`` (its Partner ID)."""
    partner = partner_for_user(request.user, Action.INVITE_CUSTOMERS)
    provider = None
    if indirectCSPId:
        wanted = parse_guid(indirectCSPId, field="indirectCSPId")
        providers = indirect_providers_of(partner) if partner.is_indirect_reseller else []
        provider = next((p for p in providers if p.tenant_id == wanted), None)
        if provider is None:
            raise ApiError(
                400,
                BAD_REQUEST,
                _("indirectCSPId must be the Partner ID of one of your indirect providers."),
                error_name="InvalidIndirectProvider",
                parameters={"indirectCSPId": indirectCSPId[:64]},
            )
    return {
        "url": customer_invitation_url(partner=partner, provider=provider, dap=False),
        "attributes": {"objectType": "RelationshipRequest"},
    }


@router.get(
    "/relationships",
    response=PartnerRelationshipCollection,
    summary="Get indirect providers or indirect resellers",
    operation_id="relationships_list",
)
def relationships_list(request, relationship_type: str):
    """``IsIndirectCloudSolutionProviderOf``: an indirect reseller's providers;
    ``IsIndirectResellerOf``: an indirect provider's resellers. Empty for a partner of
    the other type."""
    if relationship_type not in (PROVIDERS, RESELLERS):
        raise ApiError(
            400,
            BAD_REQUEST,
            _("relationship_type must be %(a)s or %(b)s.") % {"a": PROVIDERS, "b": RESELLERS},
            error_name="InvalidRelationshipType",
            parameters={"relationship_type": relationship_type[:64]},
        )
    side = "providers" if relationship_type == PROVIDERS else "resellers"
    try:
        partnerships = list(indirect_partnerships_for_user(request.user, side=side))
    except Http404:
        partner_for_user(request.user, Action.MANAGE_PARTNERSHIPS)
        partnerships = []
    items = [
        partner_relationship(p.provider if side == "providers" else p.reseller, relationship_type)
        for p in partnerships
    ]
    return collection(
        items, links={"self": link(f"/relationships?relationship_type={relationship_type}")}
    )


@router.get(
    "/customers/{customer_id}/relationships",
    response=PartnerRelationshipCollection,
    summary="Get a customer's partners",
    operation_id="customer_relationships_list",
)
def customer_relationships(request, customer_id: str):
    """The partners the customer works with that the caller's partner sees: the caller
    (``IsResellerOf``), its indirect provider, or the reseller it serves the customer
    through."""
    customer = customer_get_by_tenant_for_user(
        request.user, parse_guid(customer_id, field="customer-tenant-id")
    )
    items, seen = [], set()
    for relationship in relationships_for_customer(customer, partner=request.user.partner):
        pairs = [
            (
                relationship.partner,
                RESELLERS if relationship.indirect_provider_id else "IsResellerOf",
            )
        ]
        if relationship.indirect_provider_id:
            pairs.append((relationship.indirect_provider, PROVIDERS))
        for partner, kind in pairs:
            if (partner.pk, kind) not in seen:
                seen.add((partner.pk, kind))
                items.append(partner_relationship(partner, kind))
    return collection(items, links={"self": link(f"/customers/{customer.tenant_id}/relationships")})


# --- Microsoft Graph: GDAP admin relationships (docs/relationships.md, G1–G9) -------------

graph = GraphRouter(tags=["Admin relationships (Microsoft Graph)"])

GRAPH_BASE = "/v1.0/tenantRelationships/delegatedAdminRelationships"
RELATIONSHIP_PATH = "/tenantRelationships/delegatedAdminRelationships/{relationship_id}"
ASSIGNMENTS_PATH = RELATIONSHIP_PATH + "/accessAssignments"
ASSIGNMENT_PATH = ASSIGNMENTS_PATH + "/{assignment_id}"
ODATA = "https://graph.microsoft.com/v1.0/$metadata"
DURATION = re.compile(r"\AP(?:(\d{1,4})D|T0S)\Z")


class GraphRole(RequestSchema):
    roleDefinitionId: str = Field(..., max_length=64)


class GraphAccessDetails(RequestSchema):
    unifiedRoles: list[GraphRole] = Field(..., max_length=100)


class GraphCustomer(RequestSchema):
    tenantId: str | None = Field(None, max_length=64)
    displayName: str | None = Field(None, max_length=255)


class RelationshipIn(RequestSchema):
    displayName: str = Field(..., max_length=200)
    duration: str = Field(..., max_length=20, description="ISO 8601, P1D to P730D.")
    customer: GraphCustomer | None = None
    accessDetails: GraphAccessDetails
    autoExtendDuration: str | None = Field("P0D", max_length=20)


class RelationshipPatch(RequestSchema):
    displayName: str | None = Field(None, max_length=200)
    duration: str | None = Field(None, max_length=20)
    accessDetails: GraphAccessDetails | None = None
    autoExtendDuration: str | None = Field(None, max_length=20)


class RequestIn(RequestSchema):
    action: str = Field(..., max_length=40)


class AccessContainer(RequestSchema):
    accessContainerId: str = Field(..., max_length=64)
    accessContainerType: str = Field("securityGroup", max_length=40)


class AssignmentIn(RequestSchema):
    accessContainer: AccessContainer
    accessDetails: GraphAccessDetails


class AssignmentPatch(RequestSchema):
    accessDetails: GraphAccessDetails


class GraphRelationship(Schema):
    model_config = {"populate_by_name": True}
    odata_etag: str = Field(..., alias="@odata.etag")
    id: str
    displayName: str
    duration: str
    customer: dict
    accessDetails: dict
    status: str
    autoExtendDuration: str
    createdDateTime: str
    lastModifiedDateTime: str
    activatedDateTime: str | None = None
    endDateTime: str | None = None


class GraphList(Schema):
    value: list[dict]


class GraphRequest(Schema):
    id: str
    action: str
    status: str
    createdDateTime: str
    lastModifiedDateTime: str


def _when(value) -> str | None:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z") if value else None


def graph_relationship(r: AdminRelationship) -> dict:
    """An admin relationship as Graph's ``delegatedAdminRelationship``."""
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
        "@odata.etag": r.etag,
        "id": r.pk,
        "displayName": r.display_name,
        "duration": r.duration,
        "customer": {
            "tenantId": str(r.customer_tenant_id) if r.customer_tenant_id else None,
            "displayName": r.customer_display_name or None,
        },
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in r.roles]},
        "status": r.status,
        "autoExtendDuration": r.auto_extend_duration,
        "createdDateTime": _when(r.created_at),
        "lastModifiedDateTime": _when(r.last_modified_at),
        "activatedDateTime": _when(r.activated_at),
        "endDateTime": _when(r.end_at),
    }


def graph_assignment(a: AccessAssignment) -> dict:
    """An access assignment as Graph's ``delegatedAdminAccessAssignment``."""
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
        "@odata.etag": a.etag,
        "id": str(a.pk),
        "status": a.status,
        "accessContainer": {
            "accessContainerId": str(a.security_group_id),
            "accessContainerType": "securityGroup",
        },
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in a.roles]},
        "createdDateTime": _when(a.created_at),
        "lastModifiedDateTime": _when(a.last_modified_at),
    }


def _days(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    match = DURATION.match(value.strip())
    if not match:
        raise ApiError(400, BAD_REQUEST, _("%(field)s is ISO 8601 days, such as P730D.") % {"field": field},
                       error_name="InvalidDuration", parameters={field: value[:20]})  # fmt: skip
    return int(match.group(1) or 0)


#: Service fields → Graph's JSON paths, for errors beside the field.
GRAPH_FIELDS = {
    "display_name": "displayName",
    "duration_days": "duration",
    "roles": "accessDetails.unifiedRoles",
    "auto_extend_days": "autoExtendDuration",
}


def _relationship(request, relationship_id: str, action: Action = Action.VIEW_CUSTOMERS):
    return admin_relationship_get_for_user(request.user, relationship_id, action=action)


def _state(exc: StateConflict) -> ApiError:
    return ApiError(400, BAD_REQUEST, exc.messages[0], error_name="InvalidState")


@graph.get("/tenantRelationships/delegatedAdminRelationships", response=GraphList,
           operation_id="admin_relationships_list", summary="List delegatedAdminRelationships")  # fmt: skip
def admin_relationships_list(request, top: int | None = Query(None, alias="$top"),
                             skiptoken: str | None = Query(None, alias="$skiptoken")):  # fmt: skip
    """The partner's admin relationships, newest first: ``$top`` a page (default 100,
    at most 300), the next one through ``@odata.nextLink``."""
    size = 100 if top is None else top
    if not 1 <= size <= 300:
        raise ApiError(
            400, BAD_REQUEST, _("$top must be between 1 and 300."), error_name="InvalidTop"
        )
    if skiptoken and not cursor_is_valid(skiptoken):
        raise ApiError(
            400,
            BAD_REQUEST,
            _("$skiptoken isn't one this list gave."),
            error_name="InvalidSkipToken",
        )
    page = keyset_page(admin_relationships_for_user(request.user), keys=("-created_at", "-id"),
                       cursor=skiptoken, per_page=size)  # fmt: skip
    body = {"@odata.context": f"{ODATA}#tenantRelationships/delegatedAdminRelationships",
            "value": [graph_relationship(r) for r in page]}  # fmt: skip
    if page.has_next:
        body["@odata.nextLink"] = (
            f"{settings.SITE_URL}{GRAPH_BASE}?{urlencode({'$top': size, '$skiptoken': page.next_cursor})}"
        )
    return json_response(body)


@graph.get("/tenantRelationships/delegatedAdminRelationships/{relationship_id}", response=GraphRelationship,
           operation_id="admin_relationships_get", summary="Get delegatedAdminRelationship")  # fmt: skip
def admin_relationships_get(request, relationship_id: str):
    return json_response(graph_relationship(_relationship(request, relationship_id)))


@graph.post("/tenantRelationships/delegatedAdminRelationships", response={201: GraphRelationship},
            operation_id="admin_relationships_create", summary="Create delegatedAdminRelationship")  # fmt: skip
def admin_relationships_create(request, body: RelationshipIn):
    """A request (status ``created``) for the customer ``customer.tenantId`` names — a
    customer the partner serves, or a tenant that isn't one yet — or for whoever
    approves it (no customer). Rules G1–G4; 201 with ``Location``."""
    customer, tenant, name = None, None, ""
    if body.customer and body.customer.tenantId:
        tenant = parse_guid(body.customer.tenantId, field="customer.tenantId")
        customer = customers_of_partner(request.user.partner).filter(tenant_id=tenant).first()
        name = body.customer.displayName or ""
    try:
        relationship = admin_relationship_create(
            user=request.user,
            display_name=body.displayName,
            duration_days=_days(body.duration, "duration"),
            roles=[r.roleDefinitionId for r in body.accessDetails.unifiedRoles],
            auto_extend_days=_days(body.autoExtendDuration, "autoExtendDuration") or 0,
            customer=customer,
            customer_tenant_id=tenant,
            customer_display_name=name,
        )
    except ValidationError as exc:
        raise validation_error(exc, fields=GRAPH_FIELDS) from exc
    return json_response(graph_relationship(relationship), status=201,
                         headers={"Location": f"{settings.SITE_URL}{GRAPH_BASE}/{relationship.pk}"})  # fmt: skip


@graph.patch("/tenantRelationships/delegatedAdminRelationships/{relationship_id}", response=GraphRelationship,
             operation_id="admin_relationships_update", summary="Update delegatedAdminRelationship")  # fmt: skip
def admin_relationships_update(request, relationship_id: str, body: RelationshipPatch):
    """Change a ``created`` request; ``If-Match`` must carry its ETag (412 otherwise, G5)."""
    relationship = _relationship(request, relationship_id, Action.MANAGE_ADMIN_RELATIONSHIPS)
    changes = {}
    if body.displayName is not None:
        changes["display_name"] = body.displayName
    if body.duration is not None:
        changes["duration_days"] = _days(body.duration, "duration")
    if body.accessDetails is not None:
        changes["roles"] = [r.roleDefinitionId for r in body.accessDetails.unifiedRoles]
    if body.autoExtendDuration is not None:
        changes["auto_extend_days"] = _days(body.autoExtendDuration, "autoExtendDuration")
    try:
        relationship = admin_relationship_update(
            user=request.user,
            relationship=relationship,
            if_match=request.headers.get("If-Match"),
            **changes,
        )
    except PreconditionFailed:
        return _precondition_failed()
    except StateConflict as exc:
        raise _state(exc) from exc
    except ValidationError as exc:
        raise validation_error(exc, fields=GRAPH_FIELDS) from exc
    return json_response(graph_relationship(relationship))


def _precondition_failed():
    return json_response(
        {"error": {"code": "PreconditionFailed",
                   "message": str(_("If-Match must carry the admin relationship's current @odata.etag."))}},
        status=412,
    )  # fmt: skip


@graph.delete("/tenantRelationships/delegatedAdminRelationships/{relationship_id}", response={204: None},
              operation_id="admin_relationships_delete", summary="Delete delegatedAdminRelationship")  # fmt: skip
def admin_relationships_delete(request, relationship_id: str):
    relationship = _relationship(request, relationship_id, Action.MANAGE_ADMIN_RELATIONSHIPS)
    try:
        admin_relationship_delete(user=request.user, relationship=relationship)
    except StateConflict as exc:
        raise _state(exc) from exc
    return HttpResponse(status=204)


@graph.post("/tenantRelationships/delegatedAdminRelationships/{relationship_id}/requests",
            response={201: GraphRequest}, operation_id="admin_relationship_requests_create",
            summary="Create delegatedAdminRelationshipRequest")  # fmt: skip
def admin_relationship_requests_create(request, relationship_id: str, body: RequestIn):
    """``{"action": "lockForApproval"}`` (``created`` → ``approvalPending``) or
    ``{"action": "terminate"}`` (``active`` → ``terminated``); rule G6."""
    relationship = _relationship(request, relationship_id, Action.MANAGE_ADMIN_RELATIONSHIPS)
    actions = {
        "lockforapproval": admin_relationship_lock,
        "terminate": admin_relationship_terminate,
    }
    act = actions.get(body.action.lower())
    if act is None:
        raise ApiError(400, BAD_REQUEST, _('action must be "lockForApproval" or "terminate".'),
                       error_name="InvalidAction", parameters={"action": body.action[:40]})  # fmt: skip
    try:
        relationship = act(user=request.user, relationship=relationship)
    except StateConflict as exc:
        raise _state(exc) from exc
    now = _when(relationship.last_modified_at)
    return json_response(
        {"@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest", "id": str(uuid.uuid4()),
         "action": body.action, "status": "succeeded", "createdDateTime": now, "lastModifiedDateTime": now},
        status=201,
    )  # fmt: skip


@graph.get(ASSIGNMENTS_PATH,
           response=GraphList, operation_id="access_assignments_list", summary="List accessAssignments")  # fmt: skip
def access_assignments_list(request, relationship_id: str):
    relationship = _relationship(request, relationship_id)
    assignments = relationship.access_assignments.order_by("created_at", "pk")
    return json_response({"@odata.context": f"{ODATA}#accessAssignments",
                          "value": [graph_assignment(a) for a in assignments]})  # fmt: skip


@graph.post(ASSIGNMENTS_PATH, response={201: dict}, operation_id="access_assignments_create",
            summary="Create accessAssignment")  # fmt: skip
def access_assignments_create(request, relationship_id: str, body: AssignmentIn):
    """A security group gets some of the approved roles (rule G7)."""
    relationship = _relationship(request, relationship_id, Action.MANAGE_ADMIN_RELATIONSHIPS)
    group = security_group_get_for_user(request.user, body.accessContainer.accessContainerId)
    try:
        assignment = access_assignment_create(
            user=request.user, relationship=relationship, security_group=group,
            roles=[r.roleDefinitionId for r in body.accessDetails.unifiedRoles],
        )  # fmt: skip
    except StateConflict as exc:
        raise _state(exc) from exc
    except ValidationError as exc:
        raise validation_error(exc, fields={"roles": "accessDetails.unifiedRoles"}) from exc
    location = (
        f"{settings.SITE_URL}{GRAPH_BASE}/{relationship.pk}/accessAssignments/{assignment.pk}"
    )
    return json_response(graph_assignment(assignment), status=201, headers={"Location": location})


@graph.get(ASSIGNMENT_PATH,
           response=dict, operation_id="access_assignments_get", summary="Get accessAssignment")  # fmt: skip
def access_assignments_get(request, relationship_id: str, assignment_id: str):
    relationship = _relationship(request, relationship_id)
    return json_response(
        graph_assignment(access_assignment_get_for_user(request.user, relationship, assignment_id))
    )


def _if_match(request, assignment: AccessAssignment) -> bool:
    value = (request.headers.get("If-Match") or "").strip()
    return value in (assignment.etag, str(assignment.version), "*")


@graph.patch(ASSIGNMENT_PATH,
             response=dict, operation_id="access_assignments_update", summary="Update accessAssignment")  # fmt: skip
def access_assignments_update(
    request, relationship_id: str, assignment_id: str, body: AssignmentPatch
):
    relationship = _relationship(request, relationship_id, Action.MANAGE_ADMIN_RELATIONSHIPS)
    assignment = access_assignment_get_for_user(request.user, relationship, assignment_id)
    if not _if_match(request, assignment):
        return _precondition_failed()
    try:
        assignment = access_assignment_update(
            user=request.user, assignment=assignment,
            roles=[r.roleDefinitionId for r in body.accessDetails.unifiedRoles],
        )  # fmt: skip
    except StateConflict as exc:
        raise _state(exc) from exc
    except ValidationError as exc:
        raise validation_error(exc, fields={"roles": "accessDetails.unifiedRoles"}) from exc
    return json_response(graph_assignment(assignment))


@graph.delete(ASSIGNMENT_PATH, response={204: None}, operation_id="access_assignments_delete",
              summary="Delete accessAssignment")  # fmt: skip
def access_assignments_delete(request, relationship_id: str, assignment_id: str):
    relationship = _relationship(request, relationship_id, Action.MANAGE_ADMIN_RELATIONSHIPS)
    assignment = access_assignment_get_for_user(request.user, relationship, assignment_id)
    if not _if_match(request, assignment):
        return _precondition_failed()
    try:
        access_assignment_delete(user=request.user, assignment=assignment)
    except StateConflict as exc:
        raise _state(exc) from exc
    return HttpResponse(status=204)
