"""Dates in one format per language on every screen; a date agreed is never moved by a time
zone; times show in the viewer's zone — the customer's own in the admin center."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partnercenter.tenant.roles import Role
from relationships.invitations import InvitationKind, invitation_url
from tests.factories import AgreementAcceptanceFactory, ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\b20\d\d-\d\d?-\d\d?\b")
US = re.compile(r"\b\d\d?/\d\d?/20\d\d\b")


@pytest.mark.parametrize(("language", "shown"), [("en", "Nov. 1, 2026"), ("ko", "2026. 11. 1.")])
def test_account_info_shows_every_date_in_the_languages_one_format(
    client, make_user, language, shown
):
    agent = make_user(Role.ADMIN_AGENT, language=language, time_zone="Asia/Seoul")
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    AgreementAcceptanceFactory(
        partner=agent.partner, customer=customer, date_agreed=datetime.date(2026, 11, 1)
    )
    client.force_login(agent)
    client.cookies["django_language"] = language
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    body = page.split("<main", 1)[1]
    assert shown in body
    # No other date shape anywhere a person reads (attributes hold ISO for machines).
    visible = re.sub(r"<[^>]+>", " ", body)
    assert not ISO.search(visible) and not US.search(visible), (
        ISO.findall(visible),
        US.findall(visible),
    )


@pytest.mark.parametrize(("language", "shown"), [("en", "Dec. 7, 2026"), ("ko", "2026. 12. 7.")])
def test_a_korean_customer_accepting_at_8_am_on_7_december_sees_7_december(
    client, monkeypatch, language, shown
):
    """08:00 in Seoul is still 6 December in UTC: the admin center dates it the customer's way."""
    customer = ResellerRelationshipFactory(customer__country="KR").customer
    admin = UserFactory(
        partner=None, customer=customer, username="admin@seoul.example", language=language
    )
    admin.time_zone = "Asia/Seoul"  # as customer_tenant_create now gives a Korean customer's
    admin.save()
    moment = datetime.datetime(2026, 12, 6, 23, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client.force_login(admin)
    client.cookies["django_language"] = language
    url = invitation_url(InvitationKind.AGREEMENT, base_url="/admincenter/")
    client.post(url, {"accept_agreement": "on"})
    acceptance = customer.agreement_acceptances.get()
    assert acceptance.date_agreed == datetime.date(2026, 12, 7)
    assert shown in client.get(url).content.decode()


def test_a_new_customers_admin_account_takes_the_customers_time_zone(admin_agent):
    from customers.workflows import customer_create
    from tests.agreements.test_status_rows import account

    created = customer_create(user=admin_agent, account=account("zoned"))
    assert created.customer.country == "KR" and created.admin.time_zone == "Asia/Seoul"


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "on Nov. 1, 2026."), ("ko", "2026. 11. 1.")]
)
def test_the_activity_log_writes_the_date_agreed_in_the_languages_format(
    client, make_user, language, shown
):
    from agreements.services import acceptance_record

    admin = make_user(Role.GLOBAL_ADMIN, language=language)
    customer = ResellerRelationshipFactory(partner=admin.partner).customer
    acceptance_record(
        customer=customer,
        user=admin,
        date_agreed=datetime.date(2026, 11, 1),
        first_name="Minji",
        last_name="Kang",
        email="minji@contoso.example",
    )
    client.force_login(admin)
    client.cookies["django_language"] = language
    page = client.get(reverse("activity_log")).content.decode()
    assert shown in page and "2026-11-01" not in re.sub(r"<[^>]+>", " ", page)
