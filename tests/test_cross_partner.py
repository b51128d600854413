"""The cross-partner matrix over every URL pattern (keep it at 0 leaks).

Every Partner Center URL that names an object is requested — GET and POST —
by every role of another partner, with partner B's objects in the URL: each
answer is a refusal (403/404/405/410) and nothing in the database changes. Every
page that names no object is read by partner A and must not show B's
customers, users or partners. A new URL pattern fails the test until it is
listed here, so the matrix can't silently fall behind.
"""

import json
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from agreements.models import (
    AgreementAcceptance,
    AgreementTemplate,
    BulkAttestation,
    BulkAttestationProblem,
)
from customers.models import Customer, Subscription
from customers.services import customer_update
from partnercenter.api.tokens import token_create
from partnercenter.models import (
    ApiToken,
    AuditEvent,
    OutboundEmail,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from partnercenter.tenant.roles import Role
from relationships.models import (
    AccessAssignment,
    AdminRelationship,
    IndirectPartnership,
    PartnershipInvitation,
    ResellerRelationship,
)
from tests.factories import (
    AgreementAcceptanceFactory,
    IndirectPartnershipFactory,
    OutboundEmailFactory,
    PartnerFactory,
    PartnershipInvitationFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

#: Which of partner B's objects fills each URL with a parameter.
OBJECT_URLS = {
    "users:detail": lambda w: [w["user"].pk],
    "users:created": lambda w: [w["user"].pk],
    "users:remove": lambda w: [w["user"].pk],
    "users:mfa_reset": lambda w: [w["user"].pk],
    "customers:detail": lambda w: [w["customer"].pk],
    "customers:contact": lambda w: [w["customer"].pk],
    "customers:history": lambda w: [w["customer"].pk],
    "customers:created": lambda w: [w["customer"].pk],
    "customers:order_new": lambda w: [w["customer"].pk],
    "customers:subscriptions": lambda w: [w["customer"].pk],
    "customers:seats": lambda w: [w["customer"].pk, w["subscription"].pk],
    "customers:subscription_cancel": lambda w: [w["customer"].pk, w["subscription"].pk],
    "agreements:update": lambda w: [w["customer"].pk],
    "agreements:history": lambda w: [w["customer"].pk],
    "agreements:customer_json": lambda w: [w["customer"].pk],
    "agreements:bulk_detail": lambda w: [w["bulk"].pk],
    "agreements:bulk_status": lambda w: [w["bulk"].pk],
    "agreements:bulk_report": lambda w: [w["bulk"].pk],
    "relationships:remove": lambda w: [w["customer"].pk],
    "relationships:authorize": lambda w: [w["invitation"].token],
    "relationships:invite_customers": lambda w: [w["partnership"].pk],
    "relationships:partnership_invitation_resend": lambda w: [w["invitation"].pk],
    "relationships:partnership_invitation_link": lambda w: [w["invitation"].pk],
    "relationships:partnership_invitation_review": lambda w: [w["invitation"].pk],
    "relationships:partnership_customers": lambda w: [w["partnership"].pk],
    "relationships:partnership_end": lambda w: [w["partnership"].pk],
    "outbox_resend": lambda w: [w["email"].pk],
    "webhooks:detail": lambda w: [w["endpoint"].pk],
    "webhooks:test": lambda w: [w["endpoint"].pk],
    "webhooks:delete": lambda w: [w["endpoint"].pk],
    "webhooks:resend": lambda w: [w["delivery"].pk],
    "tokens:revoke": lambda w: [w["token"].pk],
    "relationships:admin_relationship": lambda w: [w["gdap"].pk],
    "relationships:admin_relationship_finalize": lambda w: [w["gdap_draft"].pk],
    "relationships:admin_relationship_send": lambda w: [w["gdap"].pk],
    "relationships:admin_relationship_terminate": lambda w: [w["gdap"].pk],
    "relationships:access_assignment_add": lambda w: [w["gdap"].pk],
    "relationships:access_assignment_remove": lambda w: [w["gdap"].pk, w["assignment"].pk],
    "relationships:customer_admin_relationships": lambda w: [w["customer"].pk],
    # Customer accounts only; another tenant's link is the invalid-link page.
    "admincenter:admin_relationship": lambda w: [w["gdap"].pk],
    "admincenter:admin_relationship_remove": lambda w: [w["gdap"].pk],
    # Customer accounts only (403 for every partner user), whoever the partner is.
    "admincenter:partner_detail": lambda w: [w["provider"].tenant_id],
}
#: Pages that name no object: partner A reads them and must not see partner B.
OWN_PAGES = {
    "home", "login", "mfa_verify", "mfa_enrol", "security", "security_confirm",
    "recovery_codes_renew",
    "sign_out_everywhere", "logout", "password_change", "set_language", "profile",
    "users:list", "users:add", "customers:list", "customers:new", "customers:new_agreement",
    "customers:new_review", "customers:new_cancel", "relationships:request",
    "relationships:indirect_providers", "relationships:indirect_resellers",
    "relationships:partnership_invite", "admincenter:home", "admincenter:login",
    "admincenter:password_change", "admincenter:partners", "webhooks:list", "activity_log",
    "agreements:compliance", "agreements:bulk_new", "tokens:list",
    "relationships:admin_relationships", "relationships:admin_relationship_new",
    "relationships:admin_relationships_auto_extend", "relationships:admin_relationships_expiring",
    "relationships:admin_relationships_coverage", "relationships:security_groups",
    "admincenter:admin_portal",
}  # fmt: skip
#: Own downloads (some with a non-object argument): the Activity log's and Agreement
#: compliance's exports, and the bulk confirmation template.
OWN_DOWNLOADS = {
    "activity_export": [["csv"], ["jsonl"]],
    "agreements:compliance_export": [["csv"], ["xlsx"]],
    "agreements:records_export": [["csv"], ["jsonl"]],
    "agreements:bulk_template": [[]],
}


def _xlsx_text(content: bytes) -> str:
    """Every cell of an XLSX file, as one text."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )


def _names(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            # Django admin has its own tests; the API's routes have their own matrix below.
            if pattern.namespace not in ("admin", "api"):
                yield from _names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            Customer,
            Subscription,
            AgreementAcceptance,
            ResellerRelationship,
            IndirectPartnership,
            PartnershipInvitation,
            User,
            WebhookEndpoint,
            WebhookDelivery,
            OutboundEmail,
            AuditEvent,
            BulkAttestation,
            ApiToken,
            AdminRelationship,
            AccessAssignment,
        )
    } | {
        "states": sorted(
            map(str, (*ResellerRelationship.objects.values_list("pk", "state"),
             *IndirectPartnership.objects.values_list("pk", "state"),
             *Subscription.objects.values_list("pk", "seats"),
             *Subscription.objects.values_list("pk", "state"),
             *User.objects.values_list("pk", "is_active"),
             *OutboundEmail.objects.values_list("pk", "state", "attempts"),
             *WebhookDelivery.objects.values_list("pk", "state", "attempts"),
             *BulkAttestation.objects.values_list("pk", "state", "mode"),
             *ApiToken.objects.values_list("pk", "revoked_at"),
             *WebhookEndpoint.objects.values_list("pk", "url", "events"),
             *AdminRelationship.objects.values_list("pk", "status", "version", "auto_extend_days"),
             *AccessAssignment.objects.values_list("pk", "status", "version")))
        ),
        "invitation_links": sorted(PartnershipInvitation.objects.values_list("token_hash", flat=True)),
        "jobs": DBTaskResult.objects.count(),
    }  # fmt: skip


def _gdap_world(provider, customer) -> dict:
    """Partner B's admin relationships: an active one with an access assignment, a draft."""
    from django.utils import timezone

    from relationships.models import AccessAssignment, AdminRelationship, SecurityGroup

    exchange = "29232cdf-9323-42fd-ade2-1d097af3e4de"
    gdap = AdminRelationship.objects.create(
        partner=provider, customer=customer, customer_tenant_id=customer.tenant_id,
        customer_display_name=customer.company_name, display_name="Bravo Secret Helpdesk",
        duration_days=30, roles=[exchange], status="active", activated_at=timezone.now(),
        end_at=timezone.now() + timezone.timedelta(days=30),
    )  # fmt: skip
    group = SecurityGroup.objects.create(partner=provider, name="Bravo Secret Group")
    assignment = AccessAssignment.objects.create(
        relationship=gdap, security_group=group, roles=[exchange], status="active"
    )
    draft = AdminRelationship.objects.create(
        partner=provider, display_name="Bravo Draft", duration_days=30, roles=[exchange]
    )
    return {"gdap": gdap, "gdap_draft": draft, "group": group, "assignment": assignment}


@pytest.fixture
def world():
    """Partner B (an indirect provider with a reseller, customers, users) and partner A."""
    provider = PartnerFactory(partner_type="indirect_provider", name="Bravo Distribution")
    reseller = PartnerFactory(partner_type="indirect_reseller", name="Bravo Reseller")
    relationship = ResellerRelationshipFactory(
        partner=provider, customer__company_name="Bravo Secret Customer"
    )
    customer = relationship.customer
    endpoint = WebhookEndpointFactory(partner=provider, url="https://bravo-psa.example/hook")
    # Partner B's activity log has an event about its customer.
    customer_update(
        user=UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]),
        customer=customer,
        values={"contact_email": "bravo-contact@b.example"},
    )
    sales = UserFactory(partner=provider, roles=[Role.SALES_AGENT], email="bravo@b.example")
    # Partner B's records, and an upload of its own.
    AgreementAcceptanceFactory(
        partner=provider, customer=customer, email="bravo-acceptor@b.example"
    )
    bulk = BulkAttestation.objects.create(
        partner=provider,
        created_by=sales,
        file_name="bravo.csv",
        content="domain,first_name,last_name,email,date_agreed\nbravo,A,B,bravo-row@b.example,x\n",
        template=AgreementTemplate.objects.current(),
        state=BulkAttestation.State.VALIDATED,
        total_rows=1,
        invalid_rows=1,
    )
    BulkAttestationProblem.objects.create(
        job=bulk,
        row_number=2,
        customer_label="Bravo Secret Customer",
        status="invalid",
        message="x",
    )
    return {
        "bulk": bulk,
        "email": OutboundEmailFactory(partner=provider, to_email="bravo-it@b.example"),
        "endpoint": endpoint,
        "delivery": WebhookDeliveryFactory(endpoint=endpoint),
        "provider": provider,
        "customer": customer,
        "subscription": SubscriptionFactory(customer=customer, partner=provider),
        "user": sales,
        "partnership": IndirectPartnershipFactory(provider=provider, reseller=reseller),
        "invitation": PartnershipInvitationFactory(provider=provider, reseller=reseller),
        "token": token_create(user=sales, name="Bravo nightly sync")[0],
        **_gdap_world(provider, customer),
        "a": PartnerFactory(partner_type="indirect_provider", name="Alpha Distribution"),
        "a_reseller": PartnerFactory(partner_type="indirect_reseller", name="Alpha Reseller"),
    }


def test_every_url_pattern_is_in_the_matrix():
    names = set(_names())
    listed = set(OBJECT_URLS) | OWN_PAGES | set(OWN_DOWNLOADS)
    assert names == listed, f"new: {sorted(names - listed)}, gone: {sorted(listed - names)}"


@pytest.mark.parametrize("partner_key", ["a", "a_reseller"])
def test_no_user_of_another_partner_reaches_partner_bs_objects(client, world, partner_key):
    users = [UserFactory(partner=world[partner_key], roles=[role]) for role in Role]
    users.append(UserFactory(partner=world[partner_key], roles=list(Role)))
    before = _snapshot()
    for user in users:
        client.force_login(user)
        for name, args in OBJECT_URLS.items():
            url = reverse(name, args=args(world))
            for method in ("get", "post"):
                status = getattr(client, method)(url, {"confirm": "on", "seats": 1}).status_code
                assert status in (403, 404, 405, 410), (user.role_names, method, url, status)
    assert _snapshot() == before


def test_no_page_of_partner_a_shows_partner_bs_data(client, world):
    client.force_login(UserFactory(partner=world["a"], roles=list(Role)))
    secrets = [
        "Bravo Secret Helpdesk",
        "Bravo Secret Group",
        "Bravo Secret Customer",
        "bravo@b.example",
        "Bravo Reseller",
        "bravo-psa.example",
        "bravo-it@b.example",
        "bravo-contact@b.example",
        "bravo-acceptor@b.example",
        "bravo-row@b.example",
    ]
    for name in OWN_PAGES - {
        "logout",
        "set_language",
        "sign_out_everywhere",
        "recovery_codes_renew",
    }:
        response = client.get(reverse(name), {"q": "Bravo"}, follow=True)
        text = response.content.decode()
        assert not any(secret in text for secret in secrets), name
    for name, arg_lists in OWN_DOWNLOADS.items():
        for args in arg_lists:
            response = client.get(reverse(name, args=args))
            assert response.status_code == 200
            content = b"".join(response.streaming_content)
            text = _xlsx_text(content) if content.startswith(b"PK") else content.decode()
            assert not any(secret in text for secret in secrets), (name, args)


# --- The REST API ------------------------------------------------------------------------

#: Every API operation (operationId) → how partner A asks it about partner B's objects:
#: ``(method, path, body)``. Each answer is a refusal or A's own (empty) data.
API_CALLS = {
    "customers_get": lambda w: ("get", f"/v1/customers/{w['customer'].tenant_id}", None),
    "customers_update": lambda w: (
        "patch", f"/v1/customers/{w['customer'].tenant_id}", {"relationshipToPartner": "none"}
    ),
    "orders_create": lambda w: (
        "post",
        f"/v1/customers/{w['customer'].tenant_id}/orders",
        {"lineItems": [{"offerId": str(w["subscription"].offer.offer_id), "quantity": 1}]},
    ),
    "subscriptions_list": lambda w: ("get", f"/v1/customers/{w['customer'].tenant_id}/subscriptions", None),
    "subscriptions_get": lambda w: (
        "get", f"/v1/customers/{w['customer'].tenant_id}/subscriptions/{w['subscription'].subscription_id}", None
    ),
    "subscriptions_update": lambda w: (
        "patch",
        f"/v1/customers/{w['customer'].tenant_id}/subscriptions/{w['subscription'].subscription_id}",
        {"status": "deleted"},
    ),
    "customer_agreements_create": lambda w: (
        "post",
        f"/v1/customers/{w['customer'].tenant_id}/agreements",
        {
            "primaryContact": {"firstName": "A", "lastName": "B", "email": "a@b.example"},
            "templateId": str(AgreementTemplate.objects.current().template_id),
            "dateAgreed": "2024-01-02",
            "type": AgreementTemplate.objects.current().agreement_type,
        },
    ),
    "customer_agreements_list": lambda w: ("get", f"/v1/customers/{w['customer'].tenant_id}/agreements", None),
    "customer_direct_signed_status": lambda w: (
        "get", f"/v1/customers/{w['customer'].tenant_id}/directSignedMicrosoftCustomerAgreementStatus", None
    ),
    "customer_relationships_list": lambda w: (
        "get", f"/v1/customers/{w['customer'].tenant_id}/relationships", None
    ),
    "webhook_validation_status": lambda w: (
        "get", f"/webhooks/v1/registration/validationEvents/{uuid.UUID(int=w['delivery'].pk)}", None
    ),
    "webhook_registration_get": lambda w: ("get", "/webhooks/v1/registration", None),
    "webhook_registration_update": lambda w: (
        "put", "/webhooks/v1/registration", {"WebhookUrl": "https://a.example/x", "WebhookEvents": ["customer-created"]}
    ),
    "webhook_registration_delete": lambda w: ("delete", "/webhooks/v1/registration", None),
    "webhook_validation_send": lambda w: ("get", "/webhooks/v1/registration/validationEvents", None),
    # Lists and reads that name no object: A's own, filtered towards B's objects.
    "customers_list": lambda w: (
        "get",
        "/v1/customers?filter=" + json.dumps(
            {"Field": "IndirectReseller", "Value": str(w["partnership"].reseller.tenant_id), "Operator": "starts_with"}
        ),
        None,
    ),
    "customer_agreement_records_list": lambda w: ("get", "/v1/partners/customeragreementrecords", None),
    "audit_records_list": lambda w: (
        "get",
        "/v1/auditrecords?startDate=2000-01-01&filter=" + json.dumps(
            {"Field": "CustomerId", "Value": str(w["customer"].tenant_id), "Operator": "substring"}
        ),
        None,
    ),
    "relationship_requests_get": lambda w: (
        "get", f"/v1/customers/relationshiprequests?indirectCSPId={w['provider'].tenant_id}", None
    ),
    "relationships_list": lambda w: ("get", "/v1/relationships?relationship_type=IsIndirectResellerOf", None),
    "domains_check_availability": lambda w: (
        "get", f"/v1/validations/checkdomainavailability/{w['customer'].domain_prefix}", None
    ),
    "domains_exists": lambda w: ("head", f"/v1/domains/{w['customer'].domain_prefix}", None),
    "offers_list": lambda w: ("get", "/v1/offers?country=KR", None),
    "agreements_list": lambda w: ("get", "/v1/agreements?agreementType=*", None),
    "agreement_documents_get": lambda w: (
        "get", f"/v1/agreementtemplates/{AgreementTemplate.objects.current().template_id}/document", None
    ),
    "webhook_events_list": lambda w: ("get", "/webhooks/v1/registration/events", None),
    # Microsoft Graph (GDAP): B's admin relationship and its access assignment.
    "admin_relationships_get": lambda w: ("get", f"{GRAPH}/{w['gdap'].pk}", None),
    "admin_relationships_update": lambda w: ("patch", f"{GRAPH}/{w['gdap_draft'].pk}", {"displayName": "A's"}),
    "admin_relationships_delete": lambda w: ("delete", f"{GRAPH}/{w['gdap_draft'].pk}", None),
    "admin_relationship_requests_create": lambda w: (
        "post", f"{GRAPH}/{w['gdap'].pk}/requests", {"action": "terminate"}
    ),
    "access_assignments_list": lambda w: ("get", f"{GRAPH}/{w['gdap'].pk}/accessAssignments", None),
    "access_assignments_create": lambda w: (
        "post", f"{GRAPH}/{w['gdap'].pk}/accessAssignments",
        {"accessContainer": {"accessContainerId": str(w["group"].pk)},
         "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de"}]}},
    ),
    "access_assignments_get": lambda w: (
        "get", f"{GRAPH}/{w['gdap'].pk}/accessAssignments/{w['assignment'].pk}", None
    ),
    "access_assignments_update": lambda w: (
        "patch", f"{GRAPH}/{w['gdap'].pk}/accessAssignments/{w['assignment'].pk}",
        {"accessDetails": {"unifiedRoles": []}},
    ),
    "access_assignments_delete": lambda w: (
        "delete", f"{GRAPH}/{w['gdap'].pk}/accessAssignments/{w['assignment'].pk}", None
    ),
    "admin_relationships_list": lambda w: ("get", GRAPH, None),
    # Writes that name no object make A's own data; they are the permission matrix's
    # (tests/test_api_permissions.py): here they must not touch B's.
    "customers_create": None,
    "webhook_registration_create": None,
    "admin_relationships_create": None,
}  # fmt: skip

GRAPH = "/v1.0/tenantRelationships/delegatedAdminRelationships"

#: Partner B's data that no answer to partner A may contain.
B_SECRETS = [
    "Bravo Secret Helpdesk",
    "Bravo Secret Group",
    "Bravo Secret Customer",
    "bravo@b.example",
    "Bravo Reseller",
    "bravo-psa.example",
    "bravo-contact@b.example",
    "bravo-acceptor@b.example",
    "Bravo nightly sync",
]


def test_every_api_operation_is_in_the_cross_partner_matrix(client):
    schema = client.get("/v1/openapi.json").json()
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operation_ids == set(API_CALLS)


@pytest.mark.parametrize("partner_key", ["a", "a_reseller"])
def test_no_api_token_of_another_partner_reaches_partner_bs_objects(client, world, partner_key):
    tokens = [
        token_create(user=UserFactory(partner=world[partner_key], roles=[role]), name=str(role))[1]
        for role in Role
    ]
    tokens.append(
        token_create(user=UserFactory(partner=world[partner_key], roles=list(Role)), name="all")[1]
    )
    for secret in tokens:  # first use is on the log before the snapshot
        client.get("/v1/agreements", headers={"Authorization": f"Bearer {secret}"})
    before = _snapshot()
    for secret in tokens:
        headers = {"Authorization": f"Bearer {secret}"}
        for operation_id, call in API_CALLS.items():
            if call is None:
                continue
            method, path, body = call(world)
            kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
            response = getattr(client, method)(path, headers=headers, **kwargs)
            text = response.content.decode()
            assert not any(secret_text in text for secret_text in B_SECRETS), (
                operation_id,
                text[:300],
            )
            if response.status_code == 200 and method == "get" and "items" in text:
                items = response.json()["items"]
                assert all(str(world["customer"].tenant_id) not in json.dumps(i) for i in items), (
                    operation_id
                )
            if operation_id in ("domains_check_availability", "domains_exists"):
                continue  # domains are global (a taken domain is taken for everyone)
            assert response.status_code in (200, 400, 403, 404, 405), (
                operation_id,
                response.status_code,
            )
            if response.status_code == 200:
                assert operation_id in {
                    "customers_list", "customer_agreement_records_list", "audit_records_list",
                    "admin_relationships_list",
                    "relationships_list", "offers_list", "agreements_list",
                    "agreement_documents_get", "webhook_events_list",
                }, (operation_id, text[:300])  # fmt: skip
    assert _snapshot() == before
