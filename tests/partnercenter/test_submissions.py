"""Exactly once (docs/qualities.md, Integrity): every create-or-send POST, repeated with its form key.

A repeated request — a resubmitted tab, a retry, the second half of a
double-click that arrives after the first committed — carries the same hidden
``submission_key``. It must create nothing more, send nothing more, and land on
the first request's result page with the first request's message. The
truly concurrent case runs on PostgreSQL in tests/test_concurrency.py.
"""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements.models import AgreementAcceptance
from customers.models import Customer, Offer, Subscription
from partnercenter.models import Submission, User
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import validated_save
from relationships.invitations import InvitationKind, invitation_url
from relationships.models import (
    IndirectPartnership,
    Invitation,
    PartnershipInvitation,
    ResellerRelationship,
)
from tests.customers.test_wizard import ACCOUNT, ATTEST
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    PartnerFactory,
    PartnershipInvitationFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def twice(client, url, data):
    """POST ``data`` twice with one form key; return both responses."""
    data = {**data, "submission_key": str(uuid.uuid4())}
    client.cookies.pop("messages", None)  # as if the earlier messages had been read
    return client.post(url, data), client.post(url, data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_same_result(first, second):
    """Same page and same message; the second also carries the first's unread message cookie."""
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert messages_of(second)[len(messages_of(first)) :] == messages_of(first)


def confirmed_customer(partner):
    customer = ResellerRelationshipFactory(partner=partner).customer
    AgreementAcceptanceFactory(customer=customer, partner=partner)
    return customer


def test_a_repeated_new_order_creates_one_subscription(client, admin_agent):
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    first, second = twice(
        client, reverse("customers:order_new", args=[customer.pk]), {"offer": offer.pk, "seats": 5}
    )
    assert_same_result(first, second)
    assert messages_of(first) == ["Microsoft 365 Business Basic was ordered."]
    assert Subscription.objects.count() == 1


def test_two_orders_with_their_own_keys_are_two_orders(client, admin_agent):
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    url = reverse("customers:order_new", args=[customer.pk])
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    # The second is meant: a second subscription of one offer is ticked as such.
    twice(client, url, {"offer": offer.pk, "seats": 5})
    twice(client, url, {"offer": offer.pk, "seats": 5, "another": "on"})
    assert Subscription.objects.count() == 2


def test_a_repeated_seat_change_and_cancel_land_on_the_first_result(client, admin_agent):
    customer = confirmed_customer(admin_agent.partner)
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner, seats=3)
    client.force_login(admin_agent)
    seats = reverse("customers:seats", args=[customer.pk, subscription.pk])
    assert_same_result(*twice(client, seats, {"seats": 9}))
    cancel = reverse("customers:subscription_cancel", args=[customer.pk, subscription.pk])
    first, second = twice(client, cancel, {})
    # The second would find no active subscription (404) if it ran again.
    assert_same_result(first, second)
    subscription.refresh_from_db()
    assert (subscription.seats, subscription.state) == (9, Subscription.State.CANCELLED)


def test_a_repeated_send_records_one_invitation_and_sends_one_email(
    client, admin_agent, mailoutbox, run_jobs
):
    client.force_login(admin_agent)
    first, second = twice(
        client,
        reverse("relationships:request"),
        {"subject": "Hi", "text": "Hello", "to_email": "it@contoso.example"},
    )
    run_jobs()
    assert_same_result(first, second)
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_repeated_partnership_invitation_is_sent_once(client, make_user, mailoutbox, run_jobs):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    client.force_login(make_user(Role.ADMIN_AGENT, partner=provider))
    first, second = twice(
        client,
        reverse("relationships:partnership_invite"),
        {"reseller": reseller.mpn_id, "email": "owner@reseller.example"},
    )
    run_jobs()
    assert_same_result(first, second)
    assert PartnershipInvitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_repeated_authorize_and_end_land_on_the_first_result(client, make_user):
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    invitation = PartnershipInvitationFactory(
        provider=provider, reseller=reseller, email="o@r.example", token="t" * 43,
        sent_by=make_user(Role.GLOBAL_ADMIN, partner=provider),
    )  # fmt: skip
    client.force_login(make_user(Role.GLOBAL_ADMIN, partner=reseller))
    url = reverse("relationships:authorize", args=[invitation.token])
    assert_same_result(*twice(client, url, {"confirm": "on"}))
    partnership = IndirectPartnership.objects.get()
    end = reverse("relationships:partnership_end", args=[partnership.pk])
    assert_same_result(*twice(client, end, {}))
    partnership.refresh_from_db()
    assert partnership.state == IndirectPartnership.State.ENDED


def test_a_repeated_wizard_final_step_creates_one_customer_and_keeps_the_password(
    client, admin_agent
):
    client.force_login(admin_agent)
    client.post(reverse("customers:new"), ACCOUNT)
    client.post(reverse("customers:new_agreement"), ATTEST)
    first, second = twice(client, reverse("customers:new_review"), {})
    # The wizard's data is gone after the first, yet the second lands on its Confirmation.
    assert_same_result(first, second)
    assert Customer.objects.count() == 1 and AgreementAcceptance.objects.count() == 1
    page = client.get(second.url)
    assert page.context["password"], "the Confirmation page must still show the password once"


def test_a_repeated_add_user_creates_one_user(client, global_admin):
    client.force_login(global_admin)
    data = {"first_name": "Ada", "last_name": "Park", "email": "ada@fabrikam.example"}
    first, second = twice(client, reverse("users:add"), {**data, "roles": ["Admin agent"]})
    assert_same_result(first, second)
    assert User.objects.filter(email="ada@fabrikam.example").count() == 1
    assert client.get(second.url).context["password"]


def test_a_repeated_remove_user_lands_on_the_list_not_a_404(client, global_admin, make_user):
    user = make_user(Role.SALES_AGENT)
    client.force_login(global_admin)
    assert_same_result(*twice(client, reverse("users:remove", args=[user.pk]), {}))


def test_a_repeated_update_records_one_confirmation_and_says_saved_both_times(client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    data = {k: v for k, v in ATTEST.items() if k != "option"}
    first, second = twice(client, reverse("agreements:update", args=[customer.pk]), data)
    assert_same_result(first, second)
    assert messages_of(first) == ["The confirmation of customer acceptance was saved."]
    assert AgreementAcceptance.objects.count() == 1


def test_the_same_confirmation_from_two_tabs_says_it_already_exists_a12(client, admin_agent):
    """A12: two tabs have two keys; the second identical confirmation is the rule's message."""
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    data = {k: v for k, v in ATTEST.items() if k != "option"}
    url = reverse("agreements:update", args=[customer.pk])
    twice(client, url, data)
    again = client.post(url, {**data, "submission_key": str(uuid.uuid4())})
    assert again.status_code == 200
    assert "This confirmation already exists." in again.content.decode()
    assert AgreementAcceptance.objects.count() == 1


def test_a_repeated_remove_relationship_lands_on_the_customers_page(client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    url = reverse("relationships:remove", args=[customer.pk])
    assert_same_result(*twice(client, url, {"confirm": "on"}))
    assert ResellerRelationship.objects.get().state == ResellerRelationship.State.REMOVED


def test_a_repeated_admin_center_accept_creates_one_of_each(client):
    customer = CustomerFactory(domain_prefix="contosokr")
    admin = UserFactory(partner=None, customer=customer, username="admin@contosokr.example")
    partner = PartnerFactory()
    url = invitation_url(InvitationKind.RESELLER, partner=partner, base_url="/admincenter/")
    client.force_login(admin)
    first, second = twice(
        client, url.split("#")[0], {"accept_relationship": "on", "accept_agreement": "on"}
    )
    assert_same_result(first, second)
    assert ResellerRelationship.objects.filter(customer=customer).count() == 1
    assert AgreementAcceptance.objects.filter(customer=customer).count() == 1


def test_another_users_key_counts_as_no_key(client, admin_agent, make_user):
    """A key is one user's: replaying someone else's doesn't reach their result."""
    customer = confirmed_customer(admin_agent.partner)
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    url = reverse("customers:order_new", args=[customer.pk])
    key = str(uuid.uuid4())
    client.force_login(admin_agent)
    client.post(url, {"offer": offer.pk, "seats": 1, "submission_key": key})
    client.force_login(make_user(Role.SALES_AGENT))
    # A second subscription of the offer is ticked as meant (New order asks).
    client.post(url, {"offer": offer.pk, "seats": 1, "submission_key": key, "another": "on"})
    assert Subscription.objects.count() == 2
    assert Submission.objects.filter(key=key).count() == 1


def test_a_failed_submission_leaves_its_key_free(client, admin_agent):
    """Nothing half-saved (A13): the key goes with the rolled-back record, so a fix can retry."""
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    url = reverse("agreements:update", args=[customer.pk])
    data = {k: v for k, v in ATTEST.items() if k != "option"}
    key = str(uuid.uuid4())
    refused = client.post(url, {**data, "date_agreed": "2099-01-01", "submission_key": key})
    assert refused.status_code == 200 and not Submission.objects.exists()
    saved = client.post(url, {**data, "submission_key": key})
    assert saved.status_code == 302 and AgreementAcceptance.objects.count() == 2


def test_a_constraint_lost_to_a_concurrent_commit_gives_the_rules_message(monkeypatch):
    """validated_save: between our check and our insert, another transaction takes the domain."""
    customer = CustomerFactory.build(domain_prefix="race")
    original = Customer.full_clean
    calls = []

    def full_clean_then_lose_the_race(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not calls:
            # The competitor commits right after our check passed.
            CustomerFactory(domain_prefix="race")
        calls.append(1)

    monkeypatch.setattr(Customer, "full_clean", full_clean_then_lose_the_race)
    with pytest.raises(ValidationError) as exc:
        validated_save(customer)
    assert exc.value.messages == ["This domain is already taken."]
    assert Customer.objects.filter(domain_prefix="race").count() == 1
