"""The permission matrix of every API operation, from the pages' own ``MATRIX``
(docs/roles.md): a token of a user holding one role alone gets 403 where the role lacks
the operation's action, and an answer other than 401/403 where it has it. A new
operation fails ``test_every_operation_is_in_the_matrix`` until it is listed here."""

import itertools
import uuid

import pytest

from partnercenter.tenant.roles import MATRIX, Action, Role
from tests.api import ApiClient
from tests.customers.test_api import new_customer
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

_domains = itertools.count()


def _served(partner, *, confirmed=False):
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=partner, customer=customer)
    if confirmed:
        AgreementAcceptanceFactory(customer=customer, partner=partner)
    return customer


def _subscription(partner):
    customer = _served(partner, confirmed=True)
    return SubscriptionFactory(customer=customer, partner=partner)


def _subscription_path(partner):
    s = _subscription(partner)
    return f"/v1/customers/{s.customer.tenant_id}/subscriptions/{s.subscription_id}"


def _offer_id():
    from customers.models import Offer

    return str(Offer.objects.get(name="Microsoft 365 Business Basic").offer_id)


def _attestation():
    from agreements.models import AgreementTemplate

    template = AgreementTemplate.objects.current()
    return {
        "primaryContact": {"firstName": "Minji", "lastName": "Kang", "email": "m@c.example"},
        "templateId": str(template.template_id),
        "dateAgreed": "2024-01-02",
        "type": template.agreement_type,
    }


def _registration(partner):
    WebhookEndpointFactory(partner=partner)
    return "/webhooks/v1/registration"


def _validation(partner):
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=partner))
    return f"/webhooks/v1/registration/validationEvents/{uuid.UUID(int=delivery.pk)}"


HOOK = {"WebhookUrl": "https://psa.example/hook", "WebhookEvents": ["customer-created"]}

#: operationId → (method, path for a partner, body or None, the action docs/roles.md names).
OPERATIONS = {
    "customers_list": ("get", lambda p: "/v1/customers", None, Action.VIEW_CUSTOMERS),
    "customers_get": ("get", lambda p: f"/v1/customers/{_served(p).tenant_id}", None, Action.VIEW_CUSTOMERS),
    "customers_create": (
        "post",
        lambda p: "/v1/customers",
        lambda: new_customer(f"permtoys{next(_domains)}"),
        Action.ADD_CUSTOMER,
    ),
    "customers_update": (
        "patch",
        lambda p: f"/v1/customers/{_served(p).tenant_id}",
        lambda: {"relationshipToPartner": "none"},
        Action.REMOVE_RELATIONSHIP,
    ),
    "domains_check_availability": (
        "get", lambda p: "/v1/validations/checkdomainavailability/freedomain", None, Action.ADD_CUSTOMER
    ),
    "domains_exists": ("head", lambda p: "/v1/domains/freedomain", None, Action.ADD_CUSTOMER),
    "offers_list": ("get", lambda p: "/v1/offers?country=US", None, Action.VIEW_CUSTOMERS),
    "orders_create": (
        "post",
        lambda p: f"/v1/customers/{_served(p, confirmed=True).tenant_id}/orders",
        lambda: {"lineItems": [{"offerId": _offer_id(), "quantity": 1}]},
        Action.PLACE_ORDERS,
    ),
    "subscriptions_list": (
        "get", lambda p: f"/v1/customers/{_served(p).tenant_id}/subscriptions", None, Action.VIEW_CUSTOMERS
    ),
    "subscriptions_get": ("get", _subscription_path, None, Action.VIEW_CUSTOMERS),
    "subscriptions_update": ("patch", _subscription_path, lambda: {"quantity": 3}, Action.PLACE_ORDERS),
    "agreements_list": ("get", lambda p: "/v1/agreements", None, Action.VIEW_CUSTOMERS),
    "agreement_documents_get": (
        "get",
        lambda p: f"/v1/agreementtemplates/{_attestation()['templateId']}/document",
        None,
        Action.VIEW_CUSTOMERS,
    ),
    "customer_agreements_create": (
        "post",
        lambda p: f"/v1/customers/{_served(p).tenant_id}/agreements",
        _attestation,
        Action.ATTEST_AGREEMENT,
    ),
    "customer_agreements_list": (
        "get", lambda p: f"/v1/customers/{_served(p).tenant_id}/agreements", None, Action.VIEW_CUSTOMERS
    ),
    "customer_direct_signed_status": (
        "get",
        lambda p: f"/v1/customers/{_served(p).tenant_id}/directSignedMicrosoftCustomerAgreementStatus",
        None,
        Action.VIEW_CUSTOMERS,
    ),
    "customer_agreement_records_list": (
        "get", lambda p: "/v1/partners/customeragreementrecords", None, Action.VIEW_CUSTOMERS
    ),
    "relationship_requests_get": (
        "get", lambda p: "/v1/customers/relationshiprequests", None, Action.INVITE_CUSTOMERS
    ),
    "relationships_list": (
        "get",
        lambda p: "/v1/relationships?relationship_type=IsIndirectResellerOf",
        None,
        Action.MANAGE_PARTNERSHIPS,
    ),
    "customer_relationships_list": (
        "get", lambda p: f"/v1/customers/{_served(p).tenant_id}/relationships", None, Action.VIEW_CUSTOMERS
    ),
    "audit_records_list": (
        "get", lambda p: "/v1/auditrecords?startDate=2026-01-01", None, Action.VIEW_ACTIVITY_LOG
    ),
    "webhook_registration_get": ("get", _registration, None, Action.MANAGE_WEBHOOKS),
    "webhook_registration_create": (
        "post", lambda p: "/webhooks/v1/registration", lambda: HOOK, Action.MANAGE_WEBHOOKS
    ),
    "webhook_registration_update": ("put", _registration, lambda: HOOK, Action.MANAGE_WEBHOOKS),
    "webhook_registration_delete": ("delete", _registration, None, Action.MANAGE_WEBHOOKS),
    "webhook_events_list": (
        "get", lambda p: "/webhooks/v1/registration/events", None, Action.MANAGE_WEBHOOKS
    ),
    "webhook_validation_send": (
        "get", lambda p: _registration(p) + "/validationEvents", None, Action.MANAGE_WEBHOOKS
    ),
    "webhook_validation_status": ("get", _validation, None, Action.MANAGE_WEBHOOKS),
    # Microsoft Graph: GDAP admin relationships (docs/relationships.md, G9).
    "admin_relationships_list": ("get", lambda p: GRAPH, None, Action.VIEW_CUSTOMERS),
    "admin_relationships_get": ("get", lambda p: f"{GRAPH}/{_gdap(p).pk}", None, Action.VIEW_CUSTOMERS),
    "admin_relationships_create": ("post", lambda p: GRAPH, lambda: _graph_body(), Action.MANAGE_ADMIN_RELATIONSHIPS),
    "admin_relationships_update": ("patch", lambda p: f"{GRAPH}/{_gdap(p).pk}",
                                   lambda: {"displayName": f"G{next(_domains)}"}, Action.MANAGE_ADMIN_RELATIONSHIPS),
    "admin_relationships_delete": ("delete", lambda p: f"{GRAPH}/{_gdap(p).pk}", None,
                                   Action.MANAGE_ADMIN_RELATIONSHIPS),
    "admin_relationship_requests_create": ("post", lambda p: f"{GRAPH}/{_gdap(p).pk}/requests",
                                           lambda: {"action": "lockForApproval"}, Action.MANAGE_ADMIN_RELATIONSHIPS),
    "access_assignments_list": ("get", lambda p: f"{GRAPH}/{_gdap(p).pk}/accessAssignments", None,
                                Action.VIEW_CUSTOMERS),
    "access_assignments_create": ("post", lambda p: f"{GRAPH}/{_gdap(p, active=True).pk}/accessAssignments",
                                  None, Action.MANAGE_ADMIN_RELATIONSHIPS),
    "access_assignments_get": ("get", lambda p: _assignment_path(p), None, Action.VIEW_CUSTOMERS),
    "access_assignments_update": ("patch", lambda p: _assignment_path(p),
                                  lambda: {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": EXCHANGE}]}},
                                  Action.MANAGE_ADMIN_RELATIONSHIPS),
    "access_assignments_delete": ("delete", lambda p: _assignment_path(p), None, Action.MANAGE_ADMIN_RELATIONSHIPS),
}  # fmt: skip

GRAPH = "/v1.0/tenantRelationships/delegatedAdminRelationships"
EXCHANGE = "29232cdf-9323-42fd-ade2-1d097af3e4de"


def _graph_body():
    return {"displayName": f"Graph {next(_domains)}", "duration": "P30D",
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": EXCHANGE}]}}  # fmt: skip


def _gdap(partner, *, active=False):
    """A fresh admin relationship of ``partner`` (``created``, or ``active``)."""
    from django.utils import timezone

    from relationships.models import AdminRelationship

    return AdminRelationship.objects.create(
        partner=partner, display_name=f"Rel {next(_domains)}", duration_days=30, roles=[EXCHANGE],
        status="active" if active else "created", activated_at=timezone.now() if active else None,
    )  # fmt: skip


def _assignment_path(partner):
    from relationships.models import AccessAssignment, SecurityGroup

    relationship = _gdap(partner, active=True)
    group = SecurityGroup.objects.create(partner=partner, name=f"Group {next(_domains)}")
    assignment = AccessAssignment.objects.create(
        relationship=relationship, security_group=group, roles=[EXCHANGE], status="active"
    )
    return f"{GRAPH}/{relationship.pk}/accessAssignments/{assignment.pk}"


def test_every_operation_is_in_the_matrix(client):
    schema = client.get("/v1/openapi.json").json()
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operation_ids == set(OPERATIONS), (
        f"new: {sorted(operation_ids - set(OPERATIONS))}, gone: {sorted(set(OPERATIONS) - operation_ids)}"
    )


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_each_role_gets_what_docs_roles_md_gives_it(client, partner, operation_id, monkeypatch):
    monkeypatch.setattr(
        "partnercenter.delivery.webhooks.addresses_for", lambda host, port: ["203.0.113.10"]
    )
    method, build_path, build_body, action = OPERATIONS[operation_id]
    for role in Role:
        api = ApiClient(client, UserFactory(partner=partner, roles=[role]))
        path = build_path(partner)
        headers = {"If-Match": "*"}
        if operation_id == "access_assignments_create":
            from relationships.models import SecurityGroup

            group = SecurityGroup.objects.create(partner=partner, name=f"Group {next(_domains)}")
            body = {"accessContainer": {"accessContainerId": str(group.pk)},
                    "accessDetails": {"unifiedRoles": [{"roleDefinitionId": EXCHANGE}]}}  # fmt: skip
            response = api.post(path, body)
        elif method in ("get", "head", "delete"):
            response = (
                getattr(api, method)(path, headers=headers)
                if method == "delete"
                else getattr(api, method)(path)
            )
        else:
            response = getattr(api, method)(path, build_body(), headers=headers)
        allowed = action in MATRIX[role]
        if allowed:
            assert response.status_code not in (401, 403), (
                role,
                response.status_code,
                response.content,
            )
        else:
            assert response.status_code == 403, (role, response.status_code, response.content)
            if method != "head":
                body = response.json()
                assert body.get("code") == 403 or body["error"]["code"] == "Forbidden"
