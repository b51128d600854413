"""The activity log: one event per change, written by the service, append-only.

Each test calls a real service (or page) and checks that it wrote exactly one
event of its type — right actor, partners, customer, before/after — and that
nothing is written when the transaction rolls back.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from agreements.models import AgreementTemplate
from agreements.services import acceptance_record, agreement_template_save, direct_acceptance_record
from customers.models import Offer
from customers.services import customer_update, subscription_cancel
from customers.workflows import customer_create, order_place, subscription_change_seats
from partnercenter.audit.events import EventType
from partnercenter.audit.read import events_for_partner, events_page
from partnercenter.audit.words import describe
from partnercenter.delivery.webhooks import endpoint_create, endpoint_delete
from partnercenter.models import AppendOnlyError, AuditEvent
from partnercenter.signin.services import mfa_reset
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import (
    partner_user_create,
    partner_user_remove,
    partner_user_update_roles,
)
from partnercenter.web.csvfiles import csv_safe
from relationships.admincenter.workflows import invitation_accept
from relationships.invitations import InvitationKind
from relationships.selectors import ParsedInvitation
from relationships.services import (
    invitation_send,
    partnership_authorize,
    partnership_end,
    partnership_invite,
    relationship_remove,
)
from tests.agreements.test_status_rows import account, attestation
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class Written(list):
    """The events a block wrote; with exactly one, its attributes read as the event's."""

    def __getattr__(self, name):
        (only,) = self
        return getattr(only, name)


@contextmanager
def records(*event_types):
    """Assert the block writes exactly these events, in order; yields the list they fill."""
    seen = set(AuditEvent.objects.values_list("pk", flat=True))
    written = Written()
    yield written
    new = list(AuditEvent.objects.exclude(pk__in=seen).order_by("id"))
    assert [e.event_type for e in new] == list(event_types)
    written.extend(new)


@pytest.fixture
def served(admin_agent):
    return ResellerRelationshipFactory(partner=admin_agent.partner).customer


# --- One event per service call -------------------------------------------------------


def test_new_customer_records_customer_relationship_and_confirmation(admin_agent):
    with records(
        EventType.CUSTOMER_CREATED, EventType.RELATIONSHIP_ACTIVATED, EventType.AGREEMENT_CONFIRMED
    ) as events:
        created = customer_create(
            user=admin_agent, account=account("auditco"), attestation=attestation()
        )
    for event in events:
        assert event.actor == admin_agent and event.actor_kind == "partner_user"
        assert event.partner == admin_agent.partner and event.customer == created.customer
        assert event.created_at is not None
    assert events[0].after["domain"] == "auditco.onmicrosoft.com"
    assert events[2].after["date_agreed"] == "2026-11-01" and events[2].before == {}


def test_a_confirmation_records_the_one_it_replaced(admin_agent, served):
    kwargs = {"customer": served, "user": admin_agent, **attestation()}
    acceptance_record(**kwargs)
    with records(EventType.AGREEMENT_CONFIRMED) as event:
        acceptance_record(**{**kwargs, "email": "new@contoso.example"})
    assert event.before["email"] == "minji@contoso.example"
    assert event.after["email"] == "new@contoso.example"


def test_contact_change_records_only_the_changed_fields(admin_agent, served):
    old_email = served.contact_email
    with records(EventType.CUSTOMER_CONTACT_CHANGED) as event:
        customer_update(
            user=admin_agent,
            customer=served,
            values={
                "contact_email": "adam@new.example",
                "contact_first_name": served.contact_first_name,
            },
        )
    assert event.before == {"contact_email": old_email}
    assert event.after == {"contact_email": "adam@new.example"}
    assert event.object_type == "customer" and event.object_id == str(served.pk)


def test_nothing_changed_records_nothing(admin_agent, served):
    with records():
        customer_update(
            user=admin_agent, customer=served, values={"contact_email": served.contact_email}
        )


def test_a_rolled_back_change_leaves_no_event(admin_agent, served):
    with records(), pytest.raises(RuntimeError), transaction.atomic():
        customer_update(user=admin_agent, customer=served, values={"contact_email": "x@y.example"})
        raise RuntimeError("the request failed after the service")
    served.refresh_from_db()
    assert served.contact_email != "x@y.example"


def test_a_refused_change_leaves_no_event(admin_agent, served):
    SubscriptionFactory(customer=served, partner=admin_agent.partner)
    relationship = served.reseller_relationships.get()
    with records(), pytest.raises(ValidationError):
        relationship_remove(user=admin_agent, relationship=relationship, confirmed=True)


def test_an_indirect_resellers_event_names_its_provider(make_user):
    partnership = IndirectPartnershipFactory()
    agent = make_user(Role.ADMIN_AGENT, partner=partnership.reseller)
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    with records(EventType.CUSTOMER_CONTACT_CHANGED) as event:
        customer_update(user=agent, customer=customer, values={"contact_last_name": "Park"})
    assert event.partner == partnership.reseller
    assert event.related_partner == partnership.provider


def test_customer_acceptance_and_invitation_acceptance():
    customer = CustomerFactory()
    admin = UserFactory(partner=None, customer=customer, username="admin@audit.example")
    partner = PartnerFactory()
    with records(EventType.RELATIONSHIP_ACTIVATED, EventType.AGREEMENT_ACCEPTED_BY_CUSTOMER) as ev:
        invitation_accept(
            user=admin,
            invitation=ParsedInvitation(InvitationKind.RESELLER, partner, None, False),
            accept_relationship=True,
            accept_agreement=True,
        )
    assert all(e.actor == admin and e.actor_kind == "customer" for e in ev)
    assert all(e.partner == partner and e.customer == customer for e in ev)
    assert ev[0].after["source"] == "invitation"


def test_direct_acceptance_without_an_invitation_has_no_partner():
    customer = ResellerRelationshipFactory().customer
    admin = UserFactory(partner=None, customer=customer, username="admin@direct.example")
    with records(EventType.AGREEMENT_ACCEPTED_BY_CUSTOMER) as event:
        direct_acceptance_record(user=admin)
    assert event.partner is None and event.customer == customer


def test_relationship_removed(admin_agent, served):
    relationship = served.reseller_relationships.get()
    with records(EventType.RELATIONSHIP_REMOVED) as event:
        relationship_remove(user=admin_agent, relationship=relationship, confirmed=True)
    assert event.before == {"state": "active"} and event.after["state"] == "removed"


def test_partnership_invited_authorized_and_ended(make_user):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    provider_admin = make_user(Role.GLOBAL_ADMIN, partner=provider)
    reseller_admin = make_user(Role.GLOBAL_ADMIN, partner=reseller)
    with records(EventType.PARTNERSHIP_INVITED) as invited:
        invitation = partnership_invite(
            user=provider_admin, reseller_key=reseller.mpn_id, email="it@reseller.example"
        )
    assert (invited.partner, invited.related_partner) == (provider, reseller)
    with records(EventType.PARTNERSHIP_AUTHORIZED) as authorized:
        partnership = partnership_authorize(
            user=reseller_admin, invitation=invitation, confirmed=True
        )
    assert (authorized.partner, authorized.related_partner) == (reseller, provider)
    with records(EventType.PARTNERSHIP_ENDED) as ended:
        partnership_end(user=reseller_admin, partnership=partnership)
    assert (ended.partner, ended.related_partner) == (reseller, provider)
    assert ended.after["state"] == "ended"


def test_user_events(global_admin, make_user):
    with records(EventType.USER_ADDED) as added:
        user, _ = partner_user_create(
            partner=global_admin.partner,
            first_name="Adam",
            last_name="Park",
            email="adam@fabrikam.example",
            roles=[Role.SALES_AGENT],
            acting_user=global_admin,
        )
    assert added.after == {"email": "adam@fabrikam.example", "roles": ["Sales agent"]}
    with records(EventType.USER_ROLES_CHANGED) as changed:
        partner_user_update_roles(
            user=user, roles=[Role.ADMIN_AGENT, Role.SALES_AGENT], acting_user=global_admin
        )
    assert changed.before == {"roles": ["Sales agent"]}
    assert changed.after == {"roles": ["Admin agent", "Sales agent"]}
    with records(EventType.USER_MFA_RESET) as reset:
        mfa_reset(user=user, acting_user=global_admin)
    with records(EventType.USER_REMOVED) as removed:
        partner_user_remove(user=user, acting_user=global_admin)
    for event in (added, changed, reset, removed):
        assert event.actor == global_admin and event.object_id == str(user.pk)


def test_subscription_events(admin_agent, served):
    AgreementAcceptanceFactory(customer=served, partner=admin_agent.partner)
    offer = Offer.objects.filter(seat_based=True, is_active=True).first()
    with records(EventType.SUBSCRIPTION_ORDERED) as ordered:
        subscription = order_place(user=admin_agent, customer=served, offer=offer, seats=5)
    assert ordered.after == {"offer": offer.name, "seats": 5}
    with records(EventType.SUBSCRIPTION_SEATS_CHANGED) as seats:
        subscription_change_seats(user=admin_agent, subscription=subscription, seats=7)
    assert (seats.before, seats.after) == ({"seats": 5}, {"seats": 7})
    with records(EventType.SUBSCRIPTION_CANCELLED) as cancelled:
        subscription_cancel(user=admin_agent, subscription=subscription)
    assert cancelled.after == {"state": "cancelled"}


def test_invitation_sent(admin_agent):
    with records(EventType.INVITATION_SENT) as event:
        invitation_send(
            user=admin_agent, to_email="it@contoso.example", subject="Hi", text="", dap=False
        )
    assert event.after["email"] == "it@contoso.example"


def test_template_version_added_by_back_office():
    staff = UserFactory(partner=None, is_staff=True, username="staff@back.example")
    current = AgreementTemplate.objects.current()
    template = AgreementTemplate(
        agreement_type=current.agreement_type,
        version_rank=current.version_rank + 1,
        template_id="a1b2c3d4-0000-4000-8000-000000000001",
        in_force_from=datetime.date(2026, 1, 1),
        link="https://www.microsoft.com/licensing/docs/customeragreement",
    )
    with records(EventType.TEMPLATE_VERSION_ADDED) as event:
        agreement_template_save(user=staff, template=template)
    assert event.actor_kind == "back_office" and event.partner is None
    assert event.after["version_rank"] == current.version_rank + 1


def test_webhook_added_and_removed(global_admin, webhook_receiver):
    with records(EventType.WEBHOOK_ADDED):
        endpoint, _ = endpoint_create(
            user=global_admin, url=webhook_receiver.url, events=["customer-created"]
        )
    with records(EventType.WEBHOOK_REMOVED) as event:
        endpoint_delete(endpoint=endpoint, user=global_admin)
    assert event.before["url"] == webhook_receiver.url


def test_sign_in_succeeded_and_failed_carry_the_request(client, make_user, settings):
    settings.MFA_REQUIRED = False
    user = make_user(Role.SALES_AGENT, username="sam@fabrikam.example", password="Right-pass-1")
    with records(EventType.SIGNIN_FAILED) as failed:
        client.post(
            reverse("login"),
            {"username": "sam@fabrikam.example", "password": "wrong"},
            HTTP_USER_AGENT="AuditTest/1.0",
        )
    assert failed.partner == user.partner and failed.actor is None
    assert failed.actor_name == "sam@fabrikam.example" and failed.after == {"reason": "password"}
    assert failed.ip_address == "127.0.0.1" and failed.user_agent == "AuditTest/1.0"
    with records(EventType.SIGNIN_SUCCEEDED) as succeeded:
        response = client.post(
            reverse("login"), {"username": "sam@fabrikam.example", "password": "Right-pass-1"}
        )
    assert succeeded.actor == user
    assert str(succeeded.request_id) == response["X-Request-ID"]


def test_events_of_one_request_share_its_request_id(client, admin_agent):
    client.force_login(admin_agent)
    with records(EventType.CUSTOMER_CREATED, EventType.RELATIONSHIP_ACTIVATED) as events:
        response = _post_new_customer(client)
    assert events[0].request_id == events[1].request_id
    assert str(events[0].request_id) == response["X-Request-ID"]


def _post_new_customer(client):
    from tests.customers.test_wizard import ACCOUNT

    client.post(reverse("customers:new"), {**ACCOUNT, "domain_prefix": "requestid"})
    client.post(reverse("customers:new_agreement"), {"option": "invite"})
    key = client.get(reverse("customers:new_review")).context["submission_key"]
    return client.post(reverse("customers:new_review"), {"submission_key": str(key)})


# --- Append-only ----------------------------------------------------------------------------


def test_events_and_acceptances_refuse_change_and_deletion(admin_agent, served):
    customer_update(user=admin_agent, customer=served, values={"contact_last_name": "Lee"})
    event = AuditEvent.objects.get()
    acceptance = AgreementAcceptanceFactory(customer=served, partner=admin_agent.partner)
    for record in (event, acceptance):
        model = type(record)
        with pytest.raises(AppendOnlyError):
            record.save()
        with pytest.raises(AppendOnlyError):
            record.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=record.pk).update(pk=record.pk)
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=record.pk).delete()
        assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger is PostgreSQL's (CI's PostgreSQL pass); SQLite has the model's guard",
)
@pytest.mark.parametrize("table", ["partnercenter_auditevent", "agreements_agreementacceptance"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_postgresql_trigger_refuses_update_and_delete(admin_agent, served, table, statement):
    from django.db import IntegrityError

    customer_update(user=admin_agent, customer=served, values={"contact_last_name": "Lee"})
    AgreementAcceptanceFactory(customer=served, partner=admin_agent.partner)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert AuditEvent.objects.exists()


# --- Who sees what ---------------------------------------------------------------------------


def _visible(partner):
    return {e.pk for e in events_page(events_for_partner(partner), cursor=None, per_page=500)}


def test_a_provider_sees_its_resellers_events_and_a_reseller_never_another_resellers(make_user):
    provider = PartnerFactory(partner_type="indirect_provider")
    one, two = (
        IndirectPartnershipFactory(provider=provider).reseller,
        IndirectPartnershipFactory(provider=provider).reseller,
    )
    events = {}
    for reseller in (one, two):
        agent = make_user(Role.ADMIN_AGENT, partner=reseller)
        customer = ResellerRelationshipFactory(
            partner=reseller, indirect_provider=provider
        ).customer
        customer_update(user=agent, customer=customer, values={"contact_last_name": "Changed"})
        events[reseller] = AuditEvent.objects.latest("id").pk
    assert _visible(provider) == set(events.values())
    assert _visible(one) == {events[one]}
    assert _visible(two) == {events[two]}
    assert _visible(PartnerFactory()) == set()


def test_the_history_tab_shows_the_partners_events_and_the_customers_own(client, make_user):
    agent = make_user(Role.SALES_AGENT)
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    other = make_user(Role.ADMIN_AGENT, partner=PartnerFactory())
    ResellerRelationshipFactory(partner=other.partner, customer=customer)
    customer_update(
        user=make_user(Role.ADMIN_AGENT), customer=customer, values={"contact_last_name": "Mine"}
    )
    customer_update(user=other, customer=customer, values={"contact_last_name": "Theirs"})
    admin = UserFactory(partner=None, customer=customer, username="admin@hist.example")
    direct_acceptance_record(user=admin)
    client.force_login(agent)
    response = client.get(reverse("customers:history", args=[customer.pk]))
    sentences = [sentence for _, sentence in response.context["rows"]]
    assert len(sentences) == 2, sentences
    assert "“Mine”" in sentences[1] and "Theirs" not in " ".join(sentences)
    assert "(the customer)" in sentences[0]


# --- In words, filtered, exported ------------------------------------------------------------


def test_the_sentence_in_english_and_korean(make_user, served):
    agent = make_user(Role.ADMIN_AGENT, first_name="Adam", last_name="Park")
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    customer_update(
        user=agent, customer=customer, values={"contact_email": "adam.park@contoso.example"}
    )
    event = AuditEvent.objects.get()
    old = event.before["contact_email"]
    with translation.override("en"):
        assert describe(event) == (
            f"Adam Park changed the primary contact's email from “{old}” to "
            "“adam.park@contoso.example”."
        )
    with translation.override("ko"):
        korean = describe(event)
    assert "Adam Park" in korean and "adam.park@contoso.example" in korean
    assert "changed" not in korean


def test_every_event_type_has_a_label_and_a_sentence_in_both_languages():
    for code, label in EventType.choices():
        event = AuditEvent(event_type=code, actor_kind="system", after={}, before={})
        for language in ("en", "ko"):
            with translation.override(language):
                assert str(label) and describe(event)


@pytest.mark.parametrize(
    "value,cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Adam", "Adam"),
        ("", ""),
    ],
)
def test_csv_cells_never_start_a_formula(value, cell):
    assert csv_safe(value) == cell


def test_the_activity_log_filters_pages_and_exports(client, global_admin, make_user):
    agent = make_user(Role.ADMIN_AGENT, first_name="=cmd|' /C calc'!A0", last_name="Park")
    customer = ResellerRelationshipFactory(
        partner=global_admin.partner, customer__domain_prefix="filterco"
    ).customer
    for n in range(60):
        customer_update(user=agent, customer=customer, values={"contact_last_name": f"N{n}"})
    customer_update(
        user=agent, customer=customer, values={"contact_first_name": "=cmd|' /C calc'!A0"}
    )
    client.force_login(global_admin)
    url = reverse("activity_log")
    first = client.get(url, {"customer": "filterco.onmicrosoft.com", "user": agent.pk})
    assert first.status_code == 200 and len(first.context["rows"]) == 50
    second = client.get(
        url,
        {
            "customer": "filterco",
            "user": agent.pk,
            "cursor": first.context["page_obj"].next_cursor,
        },
    )
    assert len(second.context["rows"]) == 11
    assert not client.get(url, {"customer": "nosuch"}).context["rows"]
    assert not client.get(url, {"event_type": EventType.USER_ADDED}).context["rows"]
    bad = client.get(url, {"date_from": "2026-11-02", "date_to": "2026-11-01"})
    assert bad.context["form"].errors["date_to"] == ["The end date can't be before the start date."]
    assert "The end date can&#x27;t be before the start date." in bad.content.decode()

    csv_text = b"".join(
        client.get(
            reverse("activity_export", args=["csv"]), {"customer": "filterco"}
        ).streaming_content
    ).decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("time_utc,event_type,description")
    assert len(lines) == 1 + 61
    # The actor cell (and the sentence, which starts with the name) would run as a formula.
    assert ",'=cmd" in csv_text and ",=cmd" not in csv_text
    jsonl = b"".join(
        client.get(reverse("activity_export", args=["jsonl"])).streaming_content
    ).decode()
    import json

    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert len(rows) == 61 and rows[0]["after"] == {"contact_first_name": "=cmd|' /C calc'!A0"}
    assert client.get(reverse("activity_export", args=["xlsx"])).status_code == 404


def test_the_activity_log_is_for_global_admins_only(client):
    from tests.permissions import assert_permission_matrix

    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("activity_log"),
        allowed=[Role.GLOBAL_ADMIN],
        scoped=False,
    )
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("activity_export", args=["csv"]),
        allowed=[Role.GLOBAL_ADMIN],
        scoped=False,
    )


def test_the_history_tab_follows_the_permission_matrix(client):
    from tests.permissions import assert_permission_matrix

    def url(partner):
        customer = ResellerRelationshipFactory(partner=partner).customer
        return reverse("customers:history", args=[customer.pk])

    assert_permission_matrix(client, build_url=url, allowed=list(Role))


# --- Django admin ----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True, username="ops@back.example")
    client.force_login(staff)
    client.staff = staff
    return client


def test_the_admin_lists_events_read_only(staff_client, admin_agent, served):
    customer_update(user=admin_agent, customer=served, values={"contact_last_name": "Lee"})
    event = AuditEvent.objects.get()
    changelist = staff_client.get(reverse("admin:partnercenter_auditevent_changelist"))
    assert changelist.status_code == 200 and b"changed the primary contact" in changelist.content
    assert staff_client.get(reverse("admin:partnercenter_auditevent_add")).status_code == 403
    assert (
        staff_client.post(
            reverse("admin:partnercenter_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    view = staff_client.post(
        reverse("admin:partnercenter_auditevent_change", args=[event.pk]), {"event_type": "x"}
    )
    assert view.status_code == 403
    assert AuditEvent.objects.get().event_type == EventType.CUSTOMER_CONTACT_CHANGED


def test_a_back_office_correction_is_recorded(staff_client, served):
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(served).items() if v is not None}
    data.update(company_name="Corrected Co", contact_phone=str(served.contact_phone or ""))
    with records(EventType.CUSTOMER_DETAILS_CHANGED) as event:
        response = staff_client.post(
            reverse("admin:customers_customer_change", args=[served.pk]), data
        )
        assert response.status_code == 302, response.context["adminform"].errors
    assert event.actor == staff_client.staff and event.actor_kind == "back_office"
    assert event.after == {"company_name": "Corrected Co"}


def test_a_role_given_in_django_admin_is_recorded(staff_client, make_user):
    from django.contrib.auth.models import Group

    user = make_user(Role.SALES_AGENT, username="sales@fabrikam.example")
    page = staff_client.get(reverse("admin:partnercenter_user_change", args=[user.pk]))
    data = {
        k: v
        for k, v in page.context["adminform"].form.initial.items()
        if v is not None
        and k
        not in {
            "password",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
            "mfa_reset_by",
            "mfa_reset_at",
        }
    }
    data["groups"] = [Group.objects.get(name=Role.ADMIN_AGENT).pk]
    data["partner"] = user.partner_id
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "00:00:00"
    with records(EventType.USER_ROLES_CHANGED) as event:
        response = staff_client.post(
            reverse("admin:partnercenter_user_change", args=[user.pk]), data
        )
        assert response.status_code == 302, response.context["adminform"].errors
    assert event.actor == staff_client.staff
    assert (event.before, event.after) == ({"roles": ["Sales agent"]}, {"roles": ["Admin agent"]})


def test_the_contact_page_changes_the_contact_and_says_errors_beside_the_field(
    client, admin_agent, served
):
    client.force_login(admin_agent)
    url = reverse("customers:contact", args=[served.pk])
    data = {
        "contact_first_name": "Adam",
        "contact_last_name": "Park",
        "contact_email": "not-an-email",
        "contact_phone": "",
    }
    with records():
        response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["contact_email"]
    with records(EventType.CUSTOMER_CONTACT_CHANGED):
        response = client.post(url, {**data, "contact_email": "adam@contoso.example"})
    assert response.status_code == 302
    served.refresh_from_db()
    assert served.contact_email == "adam@contoso.example"


def test_the_contact_page_follows_the_permission_matrix(client):
    from tests.permissions import assert_permission_matrix

    def url(partner):
        customer = ResellerRelationshipFactory(partner=partner).customer
        return reverse("customers:contact", args=[customer.pk])

    assert_permission_matrix(
        client, build_url=url, allowed=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT]
    )


def test_a_provider_cannot_edit_a_resellers_customer(client, make_user):
    partnership = IndirectPartnershipFactory()
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.provider))
    response = client.post(
        reverse("customers:contact", args=[customer.pk]),
        {"contact_first_name": "A", "contact_last_name": "B", "contact_email": "a@b.example"},
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_a_term_that_ended_without_renewal_is_recorded_as_the_systems(admin_agent, served):
    from customers.services import subscriptions_renew

    subscription = SubscriptionFactory(
        customer=served,
        partner=admin_agent.partner,
        auto_renew=False,
        term_end=datetime.date(2026, 1, 1),
    )
    with records(EventType.SUBSCRIPTION_CANCELLED) as event:
        subscriptions_renew(today=datetime.date(2026, 6, 1))
    assert event.actor is None and event.actor_kind == "system"
    assert event.partner == admin_agent.partner and event.object_id == str(subscription.pk)
    assert event.after == {"state": "cancelled", "reason": "term_ended"}
    with translation.override("en"):
        assert describe(event).startswith("The system cancelled the subscription")


def test_a_batch_of_events_is_written_as_bulk_create_writes_it(admin_agent, served, rf):
    # Bulk confirmation writes its thousands of events through audit_record_batch (one
    # prepared INSERT, executemany): every column as bulk_create would write it.
    from partnercenter.audit.context import request_context_enter, request_context_exit
    from partnercenter.audit.record import audit_event, audit_record_batch
    from partnercenter.models import database_now

    request = rf.get("/", HTTP_USER_AGENT="Edge", REMOTE_ADDR="203.0.113.9")
    now = database_now()
    fields = {
        "actor": admin_agent,
        "customer": served,
        "obj": served,
        "object_type": "acceptance",
        "before": {"email": "old@contoso.example"},
        "after": {"email": "미래@contoso.example", "version_rank": 2},
        "created_at": now,
    }
    token = request_context_enter(request)
    batch = [audit_event(EventType.AGREEMENT_CONFIRMED, **fields) for _ in range(3)]
    one = audit_event(EventType.AGREEMENT_CONFIRMED, **fields)
    request_context_exit(token)
    assert audit_record_batch(batch) == 3
    AuditEvent.objects.bulk_create([one])
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    written = list(AuditEvent.objects.order_by("id").values_list(*columns))
    assert len(written) == 4 and all(row == written[0] for row in written)
    event = AuditEvent.objects.first()
    assert event.created_at == now and event.ip_address == "203.0.113.9"
    assert event.after == {"email": "미래@contoso.example", "version_rank": 2}
    assert audit_record_batch([]) == 0


def test_a_batch_of_events_needs_their_time(admin_agent, served):
    from partnercenter.audit.record import audit_event, audit_record_batch

    event = audit_event(EventType.AGREEMENT_CONFIRMED, actor=admin_agent, customer=served)
    with pytest.raises(ValueError, match="created_at"):
        audit_record_batch([event])
    assert not AuditEvent.objects.exists()
