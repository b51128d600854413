"""New order, Change seat count and renewals: rules A10 and A11 (seed 001, FAQ 003)."""

import datetime
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementAcceptance
from customers.models import Offer, Subscription
from partnercenter.tenant.roles import Role
from tests.factories import (
    AgreementAcceptanceFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
ORDER = {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT, Role.HELPDESK_AGENT}
CONFIRM = {
    "first_name": "Minji",
    "last_name": "Kang",
    "email": "m@c.example",
    "phone": "",
    "date_agreed": "2026-11-01",
}


def basic():
    return Offer.objects.get(name="Microsoft 365 Business Basic")


def confirmed_customer(partner):
    customer = ResellerRelationshipFactory(partner=partner).customer
    AgreementAcceptanceFactory(customer=customer, partner=partner)
    return customer


def test_new_order_follows_the_permission_matrix(client):
    def build(partner):
        return reverse("customers:order_new", args=[confirmed_customer(partner).pk])

    assert_permission_matrix(client, build_url=build, allowed=ORDER)
    assert_permission_matrix(
        client,
        build_url=build,
        method="post",
        data={"offer": basic().pk, "seats": 3},
        allowed=ORDER,
    )


def test_change_seat_count_follows_the_permission_matrix(client):
    def build(partner):
        customer = confirmed_customer(partner)
        subscription = SubscriptionFactory(customer=customer, partner=partner)
        return reverse("customers:seats", args=[customer.pk, subscription.pk])

    assert_permission_matrix(
        client, build_url=build, method="post", data={"seats": 12}, allowed=ORDER
    )


def test_an_order_with_a_current_confirmation_goes_through(client, admin_agent):
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    response = client.post(
        reverse("customers:order_new", args=[customer.pk]), {"offer": basic().pk, "seats": 25}
    )
    assert response.url == reverse("customers:detail", args=[customer.pk])
    subscription = Subscription.objects.get()
    assert (subscription.seats, subscription.partner, subscription.auto_renew) == (
        25,
        admin_agent.partner,
        True,
    )
    assert subscription.term_end == timezone.localdate() + relativedelta(months=12)


def test_a10_without_confirmation_the_order_prompts_then_returns_with_what_was_entered(
    client, admin_agent
):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    order_url = reverse("customers:order_new", args=[customer.pk])
    response = client.post(order_url, {"offer": basic().pk, "seats": 7})
    update_url = reverse("agreements:update", args=[customer.pk])
    assert response.url == f"{update_url}?next={order_url.replace('/', '%2F')}"
    assert not Subscription.objects.exists()

    back = client.post(response.url, CONFIRM)
    assert back.url == order_url
    form = client.get(order_url).context["form"]
    assert form["offer"].value() == basic().pk and form["seats"].value() == 7
    assert client.post(order_url, {"offer": basic().pk, "seats": 7}).status_code == 302
    assert Subscription.objects.get().seats == 7


def test_a10_changing_the_seat_count_needs_a_confirmation_too(client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner, seats=10)
    client.force_login(admin_agent)
    url = reverse("customers:seats", args=[customer.pk, subscription.pk])
    response = client.post(url, {"seats": 15})
    assert response.url.startswith(reverse("agreements:update", args=[customer.pk]))
    subscription.refresh_from_db()
    assert subscription.seats == 10
    client.post(response.url, CONFIRM)
    assert client.get(url).context["form"]["seats"].value() == 15
    client.post(url, {"seats": 15})
    subscription.refresh_from_db()
    assert subscription.seats == 15


def test_a10_a8_another_partners_confirmation_does_not_open_the_gate(
    client, admin_agent, other_partner
):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    ResellerRelationshipFactory(partner=other_partner, customer=customer)
    AgreementAcceptanceFactory(customer=customer, partner=other_partner)
    client.force_login(admin_agent)
    response = client.post(
        reverse("customers:order_new", args=[customer.pk]), {"offer": basic().pk, "seats": 1}
    )
    assert response.url.startswith(reverse("agreements:update", args=[customer.pk]))


def test_a10_an_old_microsoft_cloud_agreement_confirmation_is_not_current(client, admin_agent):
    from agreements.models import AgreementTemplate

    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    AgreementAcceptanceFactory(
        customer=customer,
        partner=admin_agent.partner,
        date_agreed="2019-06-01",
        template=AgreementTemplate.objects.get(agreement_type="MicrosoftCloudAgreement"),
    )
    client.force_login(admin_agent)
    response = client.post(
        reverse("customers:order_new", args=[customer.pk]), {"offer": basic().pk, "seats": 1}
    )
    assert response.status_code == 302 and "agreement/update" in response.url


def test_a10_a_helpdesk_agent_who_may_not_attest_is_told_why_and_nothing_is_ordered(
    client, make_user
):
    agent = make_user(Role.HELPDESK_AGENT)
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    client.force_login(agent)
    response = client.post(
        reverse("customers:order_new", args=[customer.pk]), {"offer": basic().pk, "seats": 1}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("needs a confirmation") == 1, "said once, not in a summary and again"
    assert "Ask a Global admin, Admin agent or Sales agent to confirm it." in page
    assert not Subscription.objects.exists()


def test_a9_a_helpdesk_agent_may_attest_on_behalf_when_the_customer_has_purchases(
    client, make_user
):
    agent = make_user(Role.HELPDESK_AGENT)
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    client.force_login(agent)
    assert client.get(reverse("agreements:update", args=[customer.pk])).status_code == 403
    SubscriptionFactory(customer=customer, partner=agent.partner)
    assert client.post(reverse("agreements:update", args=[customer.pk]), CONFIRM).status_code == 302
    assert AgreementAcceptance.objects.get().recorded_by == agent


def test_a11_a_new_customer_buys_nothing_until_it_accepts_and_then_without_prompt(
    client, admin_agent
):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    url = reverse("customers:order_new", args=[customer.pk])
    assert "agreement/update" in client.post(url, {"offer": basic().pk, "seats": 1}).url
    AgreementAcceptanceFactory(
        customer=customer, partner=None, method="customer_direct", recorded_by__partner=None
    )
    assert client.post(url, {"offer": basic().pk, "seats": 1}).url == reverse(
        "customers:detail", args=[customer.pk]
    )
    assert Subscription.objects.count() == 1


def test_auto_renewal_is_not_blocked_by_a_missing_confirmation(admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    today = timezone.localdate()
    due = SubscriptionFactory(
        customer=customer, partner=admin_agent.partner, term_end=today, auto_renew=True
    )
    lapsed = SubscriptionFactory(
        customer=customer,
        partner=admin_agent.partner,
        term_end=today - datetime.timedelta(days=1),
        auto_renew=False,
    )
    later = SubscriptionFactory(customer=customer, partner=admin_agent.partner)
    assert not AgreementAcceptance.objects.exists()
    out = StringIO()
    call_command("renew_subscriptions", stdout=out)
    assert "Renewed 1 subscription(s); 1 without auto-renew expired." in out.getvalue()
    due.refresh_from_db()
    lapsed.refresh_from_db()
    assert (
        due.term_end == today + relativedelta(months=12)
        and due.renewed_at
        and due.state == "active"
    )
    assert lapsed.state == "cancelled"
    assert Subscription.objects.get(pk=later.pk).renewed_at is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 21), 12, datetime.date(2027, 11, 21)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
    ],
)
def test_terms_add_calendar_months(day, months, expected):
    """Terms end a number of calendar months later, on the month's last day at most
    (dateutil's relativedelta, as the order workflow and renewals compute them)."""
    assert day + relativedelta(months=months) == expected


@pytest.mark.parametrize(
    ("seats", "field"), [("0", "seats"), ("-3", "seats"), ("x", "seats"), ("", "seats")]
)
def test_bad_seat_counts_are_refused_beside_the_field(client, admin_agent, seats, field):
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    response = client.post(
        reverse("customers:order_new", args=[customer.pk]), {"offer": basic().pk, "seats": seats}
    )
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not Subscription.objects.exists()


def test_another_partners_subscription_cannot_be_changed(client, admin_agent, other_partner):
    customer = confirmed_customer(admin_agent.partner)
    theirs = SubscriptionFactory(customer=customer, partner=other_partner, seats=4)
    client.force_login(admin_agent)
    assert (
        client.post(
            reverse("customers:seats", args=[customer.pk, theirs.pk]), {"seats": 9}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.seats == 4


def test_cancel_subscription_follows_the_permission_matrix(client):
    def build(partner):
        customer = confirmed_customer(partner)
        subscription = SubscriptionFactory(customer=customer, partner=partner)
        return reverse("customers:subscription_cancel", args=[customer.pk, subscription.pk])

    assert_permission_matrix(client, build_url=build, allowed=ORDER)
    assert_permission_matrix(client, build_url=build, method="post", allowed=ORDER)


def test_cancelling_keeps_the_subscription_with_who_and_when_then_removal_works(
    client, admin_agent
):
    """The dead end: removal says "cancel the subscriptions first"; now it can be done."""
    customer = confirmed_customer(admin_agent.partner)
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner)
    client.force_login(admin_agent)
    remove = reverse("relationships:remove", args=[customer.pk])
    assert b'data-testid="remove-blocked"' in client.get(remove).content

    detail = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    cancel = reverse("customers:subscription_cancel", args=[customer.pk, subscription.pk])
    assert cancel in detail and "Cancel subscription" in detail
    response = client.post(cancel)
    assert response.url == reverse("customers:detail", args=[customer.pk])
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.CANCELLED
    assert subscription.cancelled_by == admin_agent and subscription.cancelled_at is not None
    assert cancel not in client.get(response.url).content.decode()

    assert b'data-testid="remove-blocked"' not in client.get(remove).content
    assert client.post(remove, {"confirm": "on"}).url == reverse("customers:list")


def test_only_an_active_subscription_of_ones_own_can_be_cancelled(
    client, admin_agent, other_partner
):
    customer = confirmed_customer(admin_agent.partner)
    ResellerRelationshipFactory(partner=other_partner, customer=customer)
    theirs = SubscriptionFactory(customer=customer, partner=other_partner)
    cancelled = SubscriptionFactory(
        customer=customer, partner=admin_agent.partner, state=Subscription.State.CANCELLED
    )
    client.force_login(admin_agent)
    for subscription in (theirs, cancelled):
        url = reverse("customers:subscription_cancel", args=[customer.pk, subscription.pk])
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_cancelling_is_not_gated_by_the_agreement_a10(client, admin_agent):
    """A10 gates new orders and seat changes; a customer without a confirmation can still cancel."""
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    subscription = SubscriptionFactory(customer=customer, partner=admin_agent.partner)
    client.force_login(admin_agent)
    url = reverse("customers:subscription_cancel", args=[customer.pk, subscription.pk])
    assert client.post(url).status_code == 302
    subscription.refresh_from_db()
    assert not subscription.is_active


def test_a10_the_order_page_says_a_confirmation_is_needed_before_submit(client, admin_agent):
    """The agent learns about A10 before filling in the order, not after."""
    unconfirmed = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    confirmed = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    page = client.get(reverse("customers:order_new", args=[unconfirmed.pk]))
    assert b'data-testid="a10-notice"' in page.content
    page = client.get(reverse("customers:order_new", args=[confirmed.pk]))
    assert b'data-testid="a10-notice"' not in page.content


# --- A second subscription of an offer the customer already has --------------------------


def test_ordering_an_offer_the_customer_holds_asks_for_a_tick_first(client, admin_agent):
    """Back after an order, then Place order again, used to order a second subscription."""
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    url = reverse("customers:order_new", args=[customer.pk])
    client.post(url, {"offer": basic().pk, "seats": 12})
    assert Subscription.objects.filter(customer=customer).count() == 1

    page = client.get(url).content.decode()
    assert "Microsoft 365 Business Basic, 12 seats" in page and "Change seat count" in page
    again = client.post(url, {"offer": basic().pk, "seats": 1})
    assert again.status_code == 200
    errors = again.context["form"].errors["offer"]
    assert errors == [
        f"{customer.company_name} already has Microsoft 365 Business Basic, 12 seats. Change its "
        "seat count instead, or tick the box below to order a second subscription."
    ]
    assert Subscription.objects.filter(customer=customer).count() == 1

    ticked = client.post(url, {"offer": basic().pk, "seats": 1, "another": "on"})
    assert ticked.status_code == 302
    assert Subscription.objects.filter(customer=customer).count() == 2


def test_a_first_subscription_needs_no_tick_and_offers_none(client, admin_agent):
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    url = reverse("customers:order_new", args=[customer.pk])
    assert 'name="another"' not in client.get(url).content.decode()
    assert client.post(url, {"offer": basic().pk, "seats": 3}).status_code == 302


# --- A partner that can't confirm is told whom to ask, once, before it orders -----------


def test_an_indirect_reseller_is_told_before_ordering_that_its_provider_must_confirm(client):
    from partnercenter.models import Partner
    from tests.factories import IndirectPartnershipFactory, PartnerFactory, UserFactory

    partnership = IndirectPartnershipFactory(provider=PartnerFactory(name="Northwind Distribution"))
    reseller = partnership.reseller
    assert reseller.partner_type == Partner.PartnerType.INDIRECT_RESELLER
    agent = UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT])
    customer = ResellerRelationshipFactory(
        partner=reseller, indirect_provider=partnership.provider
    ).customer
    client.force_login(agent)
    url = reverse("customers:order_new", args=[customer.pk])
    page = client.get(url).content.decode()
    assert page.count("Ask your indirect provider (Northwind Distribution) to confirm it.") == 1
    assert "you&#x27;ll be asked to confirm it first" not in page
    assert "Place order" not in page
    stale = client.post(url, {"offer": basic().pk, "seats": 1})
    assert stale.content.decode().count("Northwind Distribution) to confirm it") == 1
    assert not Subscription.objects.filter(customer=customer).exists()


def test_a_helpdesk_agent_without_purchases_to_attest_for_is_told_whom_to_ask(client, make_user):
    agent = make_user(Role.HELPDESK_AGENT)
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    client.force_login(agent)
    page = client.get(reverse("customers:order_new", args=[customer.pk])).content.decode()
    assert "needs a confirmation of the customer's acceptance" in page
    assert "Ask a Global admin, Admin agent or Sales agent to confirm it." in page
    assert "Place order" not in page


def test_the_second_subscription_question_speaks_korean(client, admin_agent):
    admin_agent.language = "ko"
    admin_agent.save()
    customer = confirmed_customer(admin_agent.partner)
    client.force_login(admin_agent)
    client.cookies["django_language"] = "ko"
    url = reverse("customers:order_new", args=[customer.pk])
    client.post(url, {"offer": basic().pk, "seats": 12})
    again = client.post(url, {"offer": basic().pk, "seats": 1}).content.decode()
    assert "Microsoft 365 Business Basic(사용자 12명)이 있습니다" in again
    assert "예, 고객이 이미 보유한 제품의 구독을 하나 더 주문합니다" in again


def test_a8_an_indirect_resellers_order_passes_once_its_provider_has_confirmed(client):
    """The reseller is told to ask its provider; once the provider confirms, it orders."""
    from tests.factories import IndirectPartnershipFactory, PartnerFactory, UserFactory

    partnership = IndirectPartnershipFactory(provider=PartnerFactory(name="Northwind Distribution"))
    agent = UserFactory(partner=partnership.reseller, roles=[Role.ADMIN_AGENT])
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    client.force_login(agent)
    url = reverse("customers:order_new", args=[customer.pk])
    assert "Northwind Distribution) to confirm it" in client.get(url).content.decode()
    AgreementAcceptanceFactory(customer=customer, partner=partnership.provider)
    assert "Place order" in client.get(url).content.decode()
    assert client.post(url, {"offer": basic().pk, "seats": 2}).status_code == 302
    assert Subscription.objects.filter(customer=customer, partner=partnership.reseller).exists()


def test_a8_another_providers_or_partners_confirmation_does_not_count(client, make_user):
    agent = make_user(Role.ADMIN_AGENT)
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    AgreementAcceptanceFactory(customer=customer)  # by some other partner
    client.force_login(agent)
    response = client.post(
        reverse("customers:order_new", args=[customer.pk]), {"offer": basic().pk, "seats": 1}
    )
    assert response.status_code == 302 and "agreement" in response.url
    assert not Subscription.objects.exists()
