"""GDAP pages: the partner's (request, finalize, email, access assignments, terminate,
auto-extend, expiring, coverage, security groups) and the customer's (approve, remove
roles), with the permission matrix of each (docs/relationships.md, G9)."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.statusrows import agreement_status_gdap
from partnercenter.models import OutboundEmail
from partnercenter.tenant.roles import MATRIX, Action, Role
from relationships.adminrelationships import approval_url
from relationships.models import AccessAssignment, AdminRelationship, SecurityGroup
from tests.factories import CustomerFactory, ResellerRelationshipFactory, UserFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db

EXCHANGE = "29232cdf-9323-42fd-ade2-1d097af3e4de"
INTUNE = "3a2c62db-5318-420d-8d74-23affee5d9d5"
ACTORS = [r for r in Role if Action.MANAGE_ADMIN_RELATIONSHIPS in MATRIX[r]]
VIEWERS = [r for r in Role if Action.VIEW_CUSTOMERS in MATRIX[r]]
_n = itertools.count()


def _relationship(partner, *, status="created", customer=None, **fields):
    now = timezone.now()
    values = {
        "display_name": f"Relationship {next(_n)}",
        "duration_days": 30,
        "roles": [EXCHANGE, INTUNE],
        "status": status,
        "customer": customer,
        "customer_display_name": customer.company_name if customer else "",
        "customer_tenant_id": customer.tenant_id if customer else None,
    }
    if status in ("active", "expired"):
        values.update(
            activated_at=now - datetime.timedelta(days=1), end_at=now + datetime.timedelta(days=29)
        )
    values.update(fields)
    return AdminRelationship.objects.create(partner=partner, **values)


def _served(partner):
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=partner, customer=customer)
    return customer


# --- Permission matrices (G9) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("relationships:admin_relationships", VIEWERS),
        ("relationships:admin_relationships_expiring", VIEWERS),
        ("relationships:admin_relationships_coverage", VIEWERS),
        ("relationships:security_groups", VIEWERS),
        ("relationships:admin_relationship_new", ACTORS),
    ],
)
def test_list_pages_follow_the_matrix(client, name, allowed):
    assert_permission_matrix(
        client, build_url=lambda p: reverse(name), allowed=allowed, scoped=False
    )


def test_a_relationships_page_follows_the_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:admin_relationship", args=[_relationship(p).pk]),
        allowed=VIEWERS,
    )


def test_the_customer_tab_follows_the_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse(
            "relationships:customer_admin_relationships", args=[_served(p).pk]
        ),
        allowed=VIEWERS,
    )


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("relationships:admin_relationship_finalize", "created"),
        ("relationships:admin_relationship_terminate", "active"),
        ("relationships:access_assignment_add", "active"),
    ],
)
def test_actions_follow_the_matrix(client, name, status):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse(name, args=[_relationship(p, status=status).pk]),
        allowed=ACTORS,
        method="post",
    )


def test_malformed_and_unknown_ids_are_404(client, admin_agent):
    client.force_login(admin_agent)
    for pk in ("nope", "x" * 73, f"{'0' * 36}-{'0' * 36}"):
        assert client.get(f"/admin-relationships/{pk}/").status_code == 404


# --- The partner's pages ---------------------------------------------------------------------


def test_request_finalize_send_then_the_customer_approves(client, admin_agent):
    customer = _served(admin_agent.partner)
    client.force_login(admin_agent)
    page = client.get(reverse("relationships:admin_relationship_new"), {"customer": customer.pk})
    assert "Select Microsoft Entra roles" in page.content.decode()
    key = page.context["submission_key"]
    response = client.post(
        reverse("relationships:admin_relationship_new") + f"?customer={customer.pk}",
        {"display_name": "Contoso helpdesk", "duration_days": 180, "roles": [EXCHANGE, INTUNE],
         "submission_key": key},
    )  # fmt: skip
    relationship = AdminRelationship.objects.get()
    assert response.url == reverse("relationships:admin_relationship", args=[relationship.pk])
    assert relationship.customer == customer and relationship.status == "created"
    client.post(reverse("relationships:admin_relationship_finalize", args=[relationship.pk]))
    relationship.refresh_from_db()
    assert relationship.status == "approvalPending"
    detail = client.get(response.url).content.decode()
    assert (
        approval_url(relationship) in detail
        and "Copy to clipboard" in detail
        and "Open in email" in detail
    )
    assert approval_url(relationship).endswith(
        f"/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{relationship.pk}"
    )
    form = client.get(response.url).context["email_form"]
    client.post(
        reverse("relationships:admin_relationship_send", args=[relationship.pk]),
        {"to_email": "admin@contoso.example", "subject": form["subject"].value(), "text": form["text"].value()},
    )  # fmt: skip
    assert (
        OutboundEmail.objects.get(kind="admin_relationship_request").to_email
        == "admin@contoso.example"
    )

    # The customer's admin: the link's page, Approve partner roles, Approve all.
    admin = UserFactory(
        partner=None, customer=customer, username=f"admin@{customer.domain}", roles=[]
    )
    client.force_login(admin)
    assert client.get("/admincenter/AdminPortal/Home").status_code == 200
    approve = reverse("admincenter:admin_relationship", args=[relationship.pk])
    page = client.get(approve)
    assert (
        "Exchange Administrator" in page.content.decode() and "Approve all" in page.content.decode()
    )
    client.post(approve)
    relationship.refresh_from_db()
    assert relationship.status == "active" and relationship.approved_by == admin
    # A second approval (another tab) says what is in place, never a 500.
    again = client.post(approve)
    assert again.status_code == 200 and "approved and active" in again.content.decode()
    partners_page = client.get(reverse("admincenter:partners")).content.decode()
    assert "Contoso helpdesk" in partners_page and "Remove roles" in partners_page


def test_request_refusals_are_beside_the_field(client, admin_agent):
    client.force_login(admin_agent)
    response = client.post(
        reverse("relationships:admin_relationship_new"),
        {"display_name": "x" * 51, "duration_days": 800, "customer_tenant_id": "not-a-guid", "customer_name": ""},
    )  # fmt: skip
    errors = response.context["form"].errors
    assert {"display_name", "duration_days", "roles", "customer_tenant_id", "customer_name"} <= set(
        errors
    )
    response = client.post(
        reverse("relationships:admin_relationship_new"),
        {"display_name": "GA", "duration_days": 30, "roles": ["62e90394-69f5-4237-9190-012177145e10"],
         "auto_extend": "on", "customer_tenant_id": "4eb2b6ff-95d7-4a41-9f6b-c5e0c0d13d7e", "customer_name": "X"},
    )  # fmt: skip
    assert "Global Administrator" in response.context["form"].errors["auto_extend"][0]
    assert not AdminRelationship.objects.exists()


def test_an_assignment_added_and_removed_then_terminate(client, admin_agent):
    customer = _served(admin_agent.partner)
    relationship = _relationship(admin_agent.partner, status="active", customer=customer)
    group = SecurityGroup.objects.create(partner=admin_agent.partner, name="Tier 1")
    client.force_login(admin_agent)
    client.post(reverse("relationships:access_assignment_add", args=[relationship.pk]),
                {"security_group": str(group.pk), "roles": [EXCHANGE]})  # fmt: skip
    assignment = AccessAssignment.objects.get()
    assert assignment.roles == [EXCHANGE] and assignment.status == "active"
    client.post(
        reverse("relationships:access_assignment_remove", args=[relationship.pk, assignment.pk])
    )
    assignment.refresh_from_db()
    assert assignment.status == "deleted"
    assert (
        "Terminate relationship"
        in client.get(
            reverse("relationships:admin_relationship_terminate", args=[relationship.pk])
        ).content.decode()
    )
    client.post(reverse("relationships:admin_relationship_terminate", args=[relationship.pk]))
    relationship.refresh_from_db()
    assert relationship.status == "terminated"


def test_auto_extend_for_selected_relationships(client, admin_agent):
    chosen = [_relationship(admin_agent.partner) for _ in range(3)]
    client.force_login(admin_agent)
    client.post(reverse("relationships:admin_relationships_auto_extend"),
                {"relationship": [r.pk for r in chosen], "auto_extend": "on"})  # fmt: skip
    assert set(AdminRelationship.objects.values_list("auto_extend_days", flat=True)) == {180}
    client.post(reverse("relationships:admin_relationships_auto_extend"),
                {"relationship": [chosen[0].pk], "auto_extend": "off"})  # fmt: skip
    assert AdminRelationship.objects.get(pk=chosen[0].pk).auto_extend_days == 0


def test_expiring_counts_lists_search_and_download(client, admin_agent):
    now = timezone.now()
    partner = admin_agent.partner
    for days, name in ((0.5, "Soon"), (5, "This week"), (20, "This month"), (200, "Later")):
        _relationship(
            partner, status="active", display_name=name, end_at=now + datetime.timedelta(days=days)
        )
    _relationship(
        partner, status="expired", display_name="Gone", end_at=now - datetime.timedelta(days=10)
    )
    client.force_login(admin_agent)
    page = client.get(reverse("relationships:admin_relationships_expiring"), {"bucket": "7"})
    counts = {key: count.count for key, _label, count in page.context["counts"]}
    assert counts == {"1": 1, "7": 2, "30": 3, "later": 1, "expired": 1}
    assert [r.display_name for r in page.context["relationships"]] == ["Soon", "This week"]
    searched = client.get(
        reverse("relationships:admin_relationships_expiring"), {"bucket": "30", "q": "this"}
    )
    assert [r.display_name for r in searched.context["relationships"]] == [
        "This week",
        "This month",
    ]
    download = client.get(
        reverse("relationships:admin_relationships_expiring"),
        {"bucket": "later", "download": "csv"},
    )
    text = b"".join(download.streaming_content).decode()
    assert "Later" in text and "Soon" not in text


def test_coverage_reports_no_gdap_and_dap_only(client, admin_agent):
    partner = admin_agent.partner
    covered, bare = _served(partner), _served(partner)
    dap_only = CustomerFactory()
    ResellerRelationshipFactory(partner=partner, customer=dap_only, delegated_admin=True)
    _relationship(partner, status="active", customer=covered)
    # Written directly, as factories do: bring the status rows in step as the services do.
    agreement_status_gdap([covered.pk, bare.pk, dap_only.pk])
    client.force_login(admin_agent)
    none = client.get(reverse("relationships:admin_relationships_coverage"))
    assert {r.customer_id for r in none.context["rows"]} == {bare.pk, dap_only.pk}
    dap = client.get(reverse("relationships:admin_relationships_coverage"), {"report": "dap"})
    assert [r.customer_id for r in dap.context["rows"]] == [dap_only.pk]
    text = b"".join(client.get(reverse("relationships:admin_relationships_coverage"),
                               {"report": "dap", "download": "csv"}).streaming_content).decode()  # fmt: skip
    assert dap_only.company_name in text and bare.company_name not in text


def test_security_groups_are_added_with_the_partners_own_users(client, admin_agent, other_partner):
    stranger = UserFactory(partner=other_partner)
    client.force_login(admin_agent)
    page = client.get(reverse("relationships:security_groups"))
    assert str(stranger.pk) not in [c[0] for c in page.context["form"].fields["members"].choices]
    client.post(
        reverse("relationships:security_groups"),
        {"name": "Tier 2", "members": [str(admin_agent.pk)]},
    )
    group = SecurityGroup.objects.get()
    assert list(group.members.all()) == [admin_agent]


def test_the_customers_link_for_another_tenant_is_the_invalid_link_page(client, admin_agent):
    customer = _served(admin_agent.partner)
    relationship = _relationship(admin_agent.partner, status="approvalPending", customer=customer)
    other = UserFactory(
        partner=None, customer=CustomerFactory(), username="admin@other.example", roles=[]
    )
    client.force_login(other)
    response = client.post(reverse("admincenter:admin_relationship", args=[relationship.pk]))
    assert response.status_code == 404
    relationship.refresh_from_db()
    assert relationship.status == "approvalPending"


def test_the_customer_removes_roles(client, admin_agent):
    customer = _served(admin_agent.partner)
    relationship = _relationship(admin_agent.partner, status="active", customer=customer)
    admin = UserFactory(
        partner=None, customer=customer, username=f"admin@{customer.domain}", roles=[]
    )
    client.force_login(admin)
    client.post(reverse("admincenter:admin_relationship_remove", args=[relationship.pk]))
    relationship.refresh_from_db()
    assert relationship.status == "terminated"


@pytest.mark.parametrize("status", ["expired", "terminated", "created"])
def test_ended_or_unfinished_requests_get_a_clear_page(client, admin_agent, status):
    customer = _served(admin_agent.partner)
    relationship = _relationship(admin_agent.partner, status=status, customer=customer)
    admin = UserFactory(
        partner=None, customer=customer, username=f"admin@{customer.domain}", roles=[]
    )
    client.force_login(admin)
    page = client.post(reverse("admincenter:admin_relationship", args=[relationship.pk]))
    assert page.status_code == 200 and page.context["relationship"].status == status
    assert "Approve all" not in page.content.decode()


def test_send_remove_and_auto_extend_follow_the_matrix(client):
    def send_url(p):
        return reverse(
            "relationships:admin_relationship_send",
            args=[_relationship(p, status="approvalPending").pk],
        )

    assert_permission_matrix(client, build_url=send_url, allowed=ACTORS, method="post",
                             data={"to_email": "a@b.example", "subject": "s", "text": "t"})  # fmt: skip

    def remove_url(p):
        relationship = _relationship(p, status="active")
        group = SecurityGroup.objects.create(partner=p, name=f"G{next(_n)}")
        assignment = AccessAssignment.objects.create(
            relationship=relationship, security_group=group, roles=[EXCHANGE], status="active"
        )
        return reverse(
            "relationships:access_assignment_remove", args=[relationship.pk, assignment.pk]
        )

    assert_permission_matrix(client, build_url=remove_url, allowed=ACTORS, method="post")
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:admin_relationships_auto_extend"),
        allowed=ACTORS,
        method="post",
        data=lambda p: {"relationship": [_relationship(p).pk], "auto_extend": "on"},
        scoped=False,
    )


def test_partner_users_get_403_on_the_customers_approval_pages(client, admin_agent):
    relationship = _relationship(admin_agent.partner, status="approvalPending")
    client.force_login(admin_agent)
    assert (
        client.get(reverse("admincenter:admin_relationship", args=[relationship.pk])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admincenter:admin_relationship_remove", args=[relationship.pk])
        ).status_code
        == 403
    )
