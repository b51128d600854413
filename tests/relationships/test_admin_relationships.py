"""GDAP admin relationships: rules G1–G9, the lifecycle, webhooks and audit events, and
the Microsoft Graph API (docs/relationships.md)."""

import datetime
import threading
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from partnercenter.audit.events import EventType
from partnercenter.models import AuditEvent, OutboundEmail, User, WebhookDelivery
from partnercenter.tenant.roles import Role
from relationships.adminrelationships import (
    StateConflict,
    access_assignment_create,
    admin_relationship_approve,
    admin_relationship_create,
    admin_relationship_lock,
    admin_relationship_terminate,
    admin_relationships_auto_extend,
    admin_relationships_lifecycle,
    security_group_create,
)
from relationships.entraroles import GLOBAL_ADMINISTRATOR
from relationships.models import AccessAssignment, AdminRelationship
from tests.api import ApiClient
from tests.factories import (
    CustomerFactory,
    ResellerRelationshipFactory,
    UserFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

EXCHANGE = "29232cdf-9323-42fd-ade2-1d097af3e4de"
INTUNE = "3a2c62db-5318-420d-8d74-23affee5d9d5"
READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
GRAPH = "/v1.0/tenantRelationships/delegatedAdminRelationships"


@pytest.fixture
def customer(admin_agent):
    customer = CustomerFactory(company_name="Contoso Ltd")
    ResellerRelationshipFactory(partner=admin_agent.partner, customer=customer)
    return customer


@pytest.fixture
def customer_admin(customer):
    return UserFactory(
        partner=None, customer=customer, username=f"admin@{customer.domain}", roles=[]
    )


def request(user, customer=None, **changes):
    values = {"display_name": "Contoso helpdesk", "duration_days": 730, "roles": [EXCHANGE, INTUNE]}
    values.update(changes)
    return admin_relationship_create(user=user, customer=customer, **values)


def active(user, customer, customer_admin, **changes):
    relationship = request(user, customer, **changes)
    admin_relationship_lock(user=user, relationship=relationship)
    return admin_relationship_approve(user=customer_admin, relationship=relationship)


# --- Rules G1–G4 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 51}, "display_name"),
        ({"duration_days": 0}, "duration_days"),
        ({"duration_days": 731}, "duration_days"),
        ({"roles": []}, "roles"),
        ({"roles": ["00000000-0000-0000-0000-000000000000"]}, "roles"),
        ({"auto_extend_days": 90}, "auto_extend_days"),
        ({"auto_extend_days": 180, "roles": [GLOBAL_ADMINISTRATOR]}, "auto_extend_days"),
    ],
)
def test_rules_g1_to_g4_refuse_beside_the_field_and_save_nothing(
    admin_agent, customer, changes, field
):
    with pytest.raises(ValidationError) as raised:
        request(admin_agent, customer, **changes)
    assert field in raised.value.message_dict
    assert not AdminRelationship.objects.exists()


def test_rule_g1_names_are_unique_per_partner_in_any_case(admin_agent, customer, other_partner):
    request(admin_agent, customer)
    with pytest.raises(ValidationError) as raised:
        request(admin_agent, customer, display_name="CONTOSO HELPDESK")
    assert "display_name" in raised.value.message_dict
    other = UserFactory(partner=other_partner, roles=[Role.ADMIN_AGENT])
    request(other, None)  # another partner may use the name
    assert AdminRelationship.objects.count() == 2


def test_rule_g9_only_admin_agents_and_global_admins_request(make_user, customer):
    for role in (Role.SALES_AGENT, Role.HELPDESK_AGENT, Role.BILLING_ADMIN, Role.USER_ADMIN):
        with pytest.raises(PermissionError.__mro__[0] if False else Exception):
            request(make_user(role), customer)
    assert not AdminRelationship.objects.exists()
    request(make_user(Role.GLOBAL_ADMIN), customer)


# --- The lifecycle (G4, G6, G8) -------------------------------------------------------------


def test_created_to_active_to_expired(admin_agent, customer, customer_admin, run_jobs):
    endpoint = WebhookEndpointFactory(partner=admin_agent.partner)
    relationship = active(admin_agent, customer, customer_admin, duration_days=30)
    assert relationship.status == "active"
    assert relationship.end_at - relationship.activated_at == datetime.timedelta(days=30)
    assert relationship.id.count("-") == 9 and len(relationship.id) == 73
    events = list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("pk")
        .values_list("event_name", flat=True)
    )
    assert events == [
        "granular-admin-relationship-approved",
        "granular-admin-relationship-activated",
    ]
    group = security_group_create(user=admin_agent, name="Helpdesk tier 1", members=[admin_agent])
    assignment = access_assignment_create(
        user=admin_agent, relationship=relationship, security_group=group, roles=[EXCHANGE]
    )
    assert assignment.status == "active"

    counts = admin_relationships_lifecycle(now=relationship.end_at + datetime.timedelta(seconds=1))
    relationship.refresh_from_db()
    assignment.refresh_from_db()
    assert counts["expired"] == 1 and relationship.status == "expired"
    assert assignment.status == AccessAssignment.Status.DELETED
    assert "granular-admin-relationship-expired" in set(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_name", flat=True)
    )
    # Idempotent: a second run moves nothing.
    again = admin_relationships_lifecycle(now=relationship.end_at + datetime.timedelta(days=1))
    assert again == {"requests_expired": 0, "extended": 0, "expired": 0, "notices": 0}
    assert AuditEvent.objects.filter(event_type=EventType.ADMIN_RELATIONSHIP_EXPIRED).count() == 1


def test_rule_g4_auto_extend_adds_180_days_at_the_end_date(admin_agent, customer, customer_admin):
    relationship = active(
        admin_agent, customer, customer_admin, duration_days=10, auto_extend_days=180
    )
    end = relationship.end_at
    counts = admin_relationships_lifecycle(now=end + datetime.timedelta(hours=1))
    relationship.refresh_from_db()
    assert counts["extended"] == 1 and relationship.status == "active"
    assert relationship.end_at == end + datetime.timedelta(days=180)
    assert AuditEvent.objects.filter(event_type=EventType.ADMIN_RELATIONSHIP_EXTENDED).count() == 1


def test_rule_g8_requests_not_approved_in_90_days_expire(admin_agent, customer):
    relationship = request(admin_agent, customer)
    admin_relationship_lock(user=admin_agent, relationship=relationship)
    relationship.refresh_from_db()
    assert (
        admin_relationships_lifecycle(
            now=relationship.last_modified_at + datetime.timedelta(days=89)
        )["requests_expired"]
        == 0
    )
    counts = admin_relationships_lifecycle(
        now=relationship.last_modified_at + datetime.timedelta(days=91)
    )
    relationship.refresh_from_db()
    assert counts["requests_expired"] == 1 and relationship.status == "expired"


def test_rule_g8_notices_30_7_and_1_days_before_an_expiry_auto_extend_wont_prevent(
    admin_agent, customer, customer_admin, global_admin
):
    relationship = active(admin_agent, customer, customer_admin, duration_days=60)
    extended = active(admin_agent, customer, customer_admin, display_name="Renews", auto_extend_days=180,
                      duration_days=60)  # fmt: skip
    end = relationship.end_at
    sent = []
    for days_before in (45, 29, 20, 6, 6, 0.5):
        admin_relationships_lifecycle(now=end - datetime.timedelta(days=days_before))
        sent.append(OutboundEmail.objects.filter(kind="admin_relationship_notice").count())
    # Two admins (the Admin agent and the Global admin) get each notice once.
    assert sent == [0, 2, 2, 4, 4, 6]
    assert not OutboundEmail.objects.filter(about_id=extended.pk).exists()


def test_rule_g6_actions_only_from_their_state(admin_agent, customer, customer_admin):
    relationship = request(admin_agent, customer)
    with pytest.raises(StateConflict):
        admin_relationship_terminate(user=admin_agent, relationship=relationship)
    with pytest.raises(StateConflict):
        admin_relationship_approve(user=customer_admin, relationship=relationship)
    admin_relationship_lock(user=admin_agent, relationship=relationship)
    with pytest.raises(StateConflict):
        admin_relationship_lock(user=admin_agent, relationship=relationship)
    with pytest.raises(StateConflict):
        admin_relationship_terminate(user=admin_agent, relationship=relationship)  # approvalPending
    admin_relationship_approve(user=customer_admin, relationship=relationship)
    with pytest.raises(StateConflict):
        admin_relationship_approve(user=customer_admin, relationship=relationship)  # twice
    assert AuditEvent.objects.filter(event_type=EventType.ADMIN_RELATIONSHIP_APPROVED).count() == 1


def test_rule_g6_another_tenant_cant_approve(admin_agent, customer):
    relationship = request(admin_agent, customer)
    admin_relationship_lock(user=admin_agent, relationship=relationship)
    stranger = UserFactory(
        partner=None, customer=CustomerFactory(), username="admin@x.example", roles=[]
    )
    from django.http import Http404

    with pytest.raises(Http404):
        admin_relationship_approve(user=stranger, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == "approvalPending"


def test_termination_from_either_side_ends_access(admin_agent, customer, customer_admin):
    group = security_group_create(user=admin_agent, name="Tier 2")
    by_partner = active(admin_agent, customer, customer_admin)
    access_assignment_create(
        user=admin_agent, relationship=by_partner, security_group=group, roles=[INTUNE]
    )
    admin_relationship_terminate(user=admin_agent, relationship=by_partner)
    by_customer = active(admin_agent, customer, customer_admin, display_name="Second")
    admin_relationship_terminate(user=customer_admin, relationship=by_customer)
    assert set(AdminRelationship.objects.values_list("status", flat=True)) == {"terminated"}
    assert set(AccessAssignment.objects.values_list("status", flat=True)) == {"deleted"}


def test_rule_g7_an_assignment_gives_only_approved_roles_on_an_active_relationship(
    admin_agent, customer, customer_admin
):
    group = security_group_create(user=admin_agent, name="Tier 3")
    pending = request(admin_agent, customer)
    with pytest.raises(StateConflict):
        access_assignment_create(
            user=admin_agent, relationship=pending, security_group=group, roles=[EXCHANGE]
        )
    relationship = active(admin_agent, customer, customer_admin, display_name="Active one")
    with pytest.raises(ValidationError) as raised:
        access_assignment_create(
            user=admin_agent, relationship=relationship, security_group=group, roles=[READERS]
        )
    assert "roles" in raised.value.message_dict
    access_assignment_create(
        user=admin_agent, relationship=relationship, security_group=group, roles=[EXCHANGE]
    )
    with pytest.raises(ValidationError):  # one live assignment per group
        access_assignment_create(
            user=admin_agent, relationship=relationship, security_group=group, roles=[INTUNE]
        )
    assert AccessAssignment.objects.count() == 1


def test_auto_extend_for_up_to_25_at_once_never_with_global_administrator(admin_agent, customer):
    plain = [request(admin_agent, customer, display_name=f"R{n}") for n in range(3)]
    changed = admin_relationships_auto_extend(user=admin_agent, relationships=plain, enabled=True)
    assert len(changed) == 3 and set(
        AdminRelationship.objects.values_list("auto_extend_days", flat=True)
    ) == {180}
    ga = request(admin_agent, customer, display_name="Full", roles=[GLOBAL_ADMINISTRATOR])
    with pytest.raises(ValidationError):
        admin_relationships_auto_extend(user=admin_agent, relationships=[*plain, ga], enabled=True)
    many = [request(admin_agent, customer, display_name=f"M{n}") for n in range(26)]
    with pytest.raises(ValidationError):
        admin_relationships_auto_extend(user=admin_agent, relationships=many, enabled=True)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_make_one_activation(data_migration_rows, partner, make_user):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs parallel transactions (SQLite runs one writer at a time); CI's PostgreSQL pass runs it"
        )
    agent = make_user(Role.ADMIN_AGENT)
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=partner, customer=customer)
    admin = UserFactory(partner=None, customer=customer, username="admin@c.example", roles=[])
    relationship = request(agent, customer)
    admin_relationship_lock(user=agent, relationship=relationship)
    outcomes, barrier = [], threading.Barrier(20)

    def approve():
        try:
            barrier.wait()
            admin_relationship_approve(
                user=User.objects.get(pk=admin.pk), relationship=relationship
            )
            outcomes.append("approved")
        except StateConflict:
            outcomes.append("conflict")
        except Exception as exc:  # any other error is a failure of the test
            outcomes.append(repr(exc))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=approve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved"] + ["conflict"] * 19
    assert AuditEvent.objects.filter(event_type=EventType.ADMIN_RELATIONSHIP_APPROVED).count() == 1


# --- Microsoft Graph --------------------------------------------------------------------------


def test_graph_create_example_then_lock_patch_and_etags(client, admin_agent, customer):
    api = ApiClient(client, admin_agent)
    # Microsoft Graph's published example body for "Create delegatedAdminRelationship".
    body = {
        "displayName": "Contoso admin relationship",
        "duration": "P730D",
        "customer": {"tenantId": str(customer.tenant_id), "displayName": "Contoso Ltd"},
        "accessDetails": {
            "unifiedRoles": [{"roleDefinitionId": EXCHANGE}, {"roleDefinitionId": INTUNE}]
        },
        "autoExtendDuration": "P180D",
    }
    response = api.post(GRAPH, body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert response["Location"].endswith(f"{GRAPH}/{made['id']}")
    assert made["@odata.type"] == "#microsoft.graph.delegatedAdminRelationship"
    assert made["status"] == "created" and made["duration"] == "P730D"
    assert made["autoExtendDuration"] == "P180D" and made["@odata.etag"]
    assert made["customer"] == {"tenantId": str(customer.tenant_id), "displayName": "Contoso Ltd"}
    assert made["activatedDateTime"] is None and made["endDateTime"] is None
    path = f"{GRAPH}/{made['id']}"
    # PATCH needs the current ETag.
    assert api.patch(path, {"displayName": "Renamed"}).status_code == 412
    assert api.patch(path, {"displayName": "Renamed"}, headers={"If-Match": 'W/"99"'}).json()[
        "error"
    ]["code"] == ("PreconditionFailed")
    renamed = api.patch(path, {"displayName": "Renamed"}, headers={"If-Match": made["@odata.etag"]})
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Renamed"
    assert renamed.json()["@odata.etag"] != made["@odata.etag"]
    locked = api.post(f"{path}/requests", {"action": "lockForApproval"})
    assert locked.status_code == 201 and locked.json()["status"] == "succeeded"
    assert api.get(path).json()["status"] == "approvalPending"
    # Not while approvalPending.
    late = api.patch(
        path, {"displayName": "Late"}, headers={"If-Match": api.get(path).json()["@odata.etag"]}
    )
    assert late.status_code == 400 and "error" in late.json()
    assert api.delete(path).status_code == 400
    terminate = api.post(f"{path}/requests", {"action": "terminate"})
    assert terminate.status_code == 400 and terminate.json()["error"]["code"] == "BadRequest"


def test_graph_errors_are_in_graphs_shape(client, admin_agent):
    api = ApiClient(client, admin_agent)
    bad = api.post(
        GRAPH, {"displayName": "", "duration": "P900D", "accessDetails": {"unifiedRoles": []}}
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "BadRequest" and error["message"]
    assert {d["target"] for d in error["details"]} >= {"displayName", "duration"}
    assert api.get(f"{GRAPH}/nope").json() == {
        "error": {
            "code": "NotFound",
            "message": api.get(f"{GRAPH}/nope").json()["error"]["message"],
        }
    }
    assert api.get("/v1.0/nothing").status_code == 404
    assert client.get(GRAPH).json()["error"]["code"] == "Unauthorized"
    wordy = {"displayName": "x", "duration": "thirty days",
             "accessDetails": {"unifiedRoles": [{"roleDefinitionId": EXCHANGE}]}}  # fmt: skip
    assert api.post(GRAPH, wordy).status_code == 400


def test_graph_list_pages_with_top_and_next_link(client, admin_agent, customer):
    for n in range(5):
        request(admin_agent, customer, display_name=f"R{n}")
    api = ApiClient(client, admin_agent)
    page = api.get(GRAPH, {"$top": 2}).json()
    names = [r["displayName"] for r in page["value"]]
    while "@odata.nextLink" in page:
        link = urlsplit(page["@odata.nextLink"])
        page = api.get(f"{link.path}?{link.query}").json()
        names += [r["displayName"] for r in page["value"]]
    assert sorted(names) == [f"R{n}" for n in range(5)]
    assert api.get(GRAPH, {"$top": 0}).status_code == 400
    assert api.get(GRAPH, {"$skiptoken": "forged"}).status_code == 400


def test_graph_access_assignments_crud(client, admin_agent, customer, customer_admin):
    relationship = active(admin_agent, customer, customer_admin)
    group = security_group_create(user=admin_agent, name="Helpdesk")
    api = ApiClient(client, admin_agent)
    base = f"{GRAPH}/{relationship.pk}/accessAssignments"
    body = {
        "accessContainer": {
            "accessContainerId": str(group.pk),
            "accessContainerType": "securityGroup",
        },
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": EXCHANGE}]},
    }
    made = api.post(base, body)
    assert made.status_code == 201, made.content
    assignment = made.json()
    assert assignment["status"] == "active" and assignment["accessContainer"][
        "accessContainerId"
    ] == str(group.pk)
    path = f"{base}/{assignment['id']}"
    refused = api.patch(path, {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": READERS}]}},
                        headers={"If-Match": assignment["@odata.etag"]})  # fmt: skip
    assert refused.status_code == 400
    both = {
        "accessDetails": {
            "unifiedRoles": [{"roleDefinitionId": EXCHANGE}, {"roleDefinitionId": INTUNE}]
        }
    }
    assert api.patch(path, both).status_code == 412
    changed = api.patch(path, both, headers={"If-Match": assignment["@odata.etag"]})
    assert changed.status_code == 200 and len(changed.json()["accessDetails"]["unifiedRoles"]) == 2
    assert [a["id"] for a in api.get(base).json()["value"]] == [assignment["id"]]
    assert api.delete(path, headers={"If-Match": changed.json()["@odata.etag"]}).status_code == 204
    assert api.get(path).json()["status"] == "deleted"


def test_a_relationship_first_seen_close_to_its_end_gets_only_the_most_urgent_notice(
    admin_agent, customer, customer_admin
):
    relationship = active(admin_agent, customer, customer_admin, duration_days=60)
    admin_relationships_lifecycle(now=relationship.end_at - datetime.timedelta(days=5))
    subjects = set(
        OutboundEmail.objects.filter(kind="admin_relationship_notice").values_list(
            "subject", flat=True
        )
    )
    assert subjects == {"Admin relationships expire within 7 days"}
