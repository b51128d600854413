"""The cross-partner matrix over every URL pattern (keep it at 0 leaks).

Every Partner Center URL that names an object is requested — GET and POST —
by every role of another partner, with partner B's objects in the URL: each
answer is a refusal (403/404/405/410) and nothing in the database changes. Every
page that names no object is read by partner A and must not show B's
customers, users or partners. A new URL pattern fails the test until it is
listed here, so the matrix can't silently fall behind.
"""

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
from partnercenter.models import AuditEvent, OutboundEmail, User, WebhookDelivery, WebhookEndpoint
from partnercenter.tenant.roles import Role
from relationships.models import IndirectPartnership, PartnershipInvitation, ResellerRelationship
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
    "agreements:compliance", "agreements:bulk_new",
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
            if pattern.namespace != "admin":
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
             *BulkAttestation.objects.values_list("pk", "state", "mode")))
        ),
        "invitation_links": sorted(PartnershipInvitation.objects.values_list("token_hash", flat=True)),
        "jobs": DBTaskResult.objects.count(),
    }  # fmt: skip


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
