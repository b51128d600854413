"""New customer wizard: Account info → Microsoft agreement → Review → Confirmation (seed 000)."""

import datetime
import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from agreements.models import AgreementAcceptance
from customers.models import Customer
from partnercenter.models import User
from partnercenter.tenant.roles import Role
from relationships.models import ResellerRelationship
from tests.factories import CustomerFactory, IndirectPartnershipFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
ADD = {Role.GLOBAL_ADMIN, Role.USER_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}
ACCOUNT = {
    "company_name": "Contoso Korea",
    "domain_prefix": "ContosoKR",
    "country": "KR",
    "address_line1": "152 Teheran-ro",
    "address_line2": "",
    "city": "Seoul",
    "state": "Seoul",
    "postal_code": "06236",
    "culture": "ko-KR",
    "cloud_instance": "public",
    "contact_first_name": "Minji",
    "contact_last_name": "Kang",
    "contact_email": "minji.kang@contoso.example",
    "contact_phone": "02-3456-7890",
}
ATTEST = {
    "option": "attest",
    "date_agreed": "2026-11-01",
    "first_name": "Minji",
    "last_name": "Kang",
    "email": "minji.kang@contoso.example",
    "phone": "02-3456-7890",
}


def db_state():
    return (
        Customer.objects.count(),
        User.objects.count(),
        ResellerRelationship.objects.count(),
        AgreementAcceptance.objects.count(),
    )


def walk(client, account=None, agreement=None):
    """Post the first two steps; returns the response of the agreement step."""
    response = client.post(reverse("customers:new"), {**ACCOUNT, **(account or {})})
    assert response.status_code == 302, response.context["form"].errors
    return client.post(
        reverse("customers:new_agreement"), ATTEST if agreement is None else agreement
    )


@pytest.mark.parametrize(
    "name", ["customers:new", "customers:new_agreement", "customers:new_review"]
)
def test_each_wizard_step_follows_the_permission_matrix(client, name):
    assert_permission_matrix(client, build_url=lambda p: reverse(name), allowed=ADD, scoped=False)


def test_cancel_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("customers:new_cancel"),
        method="post",
        allowed=ADD,
        scoped=False,
    )


def test_confirmation_page_follows_the_permission_matrix(client):
    from tests.factories import ResellerRelationshipFactory

    def build_url(partner):
        return reverse(
            "customers:created", args=[ResellerRelationshipFactory(partner=partner).customer.pk]
        )

    assert_permission_matrix(client, build_url=build_url, allowed=set(Role))


def test_option_1_creates_everything_and_shows_the_password_once(client, admin_agent):
    client.force_login(admin_agent)
    assert walk(client).url == reverse("customers:new_review")
    review = client.get(reverse("customers:new_review"))
    assert b"Contoso Korea" in review.content and b"contosokr.onmicrosoft.com" in review.content
    response = client.post(reverse("customers:new_review"))
    customer = Customer.objects.get()
    assert response.url == reverse("customers:created", args=[customer.pk])
    assert customer.domain_prefix == "contosokr"
    assert str(customer.contact_phone) == "+82234567890"
    relationship = ResellerRelationship.objects.get()
    assert (relationship.partner, relationship.customer, relationship.state) == (
        admin_agent.partner,
        customer,
        "active",
    )
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.date_agreed, acceptance.recorded_by) == (
        datetime.date(2026, 11, 1),
        admin_agent,
    )

    sessions_before_shown = json.dumps([s.get_decoded() for s in Session.objects.all()])
    page = client.get(response.url)
    password = page.context["password"]
    # While it waited for this page, no session row held it readable.
    assert "new_customer_secrets" in sessions_before_shown
    assert password not in sessions_before_shown
    admin = User.objects.get(customer=customer)
    assert admin.username == "admin@contosokr.onmicrosoft.com" and admin.check_password(password)
    assert password.encode() in page.content and page.context["email"] is None
    again = client.get(response.url)
    assert again.context["password"] is None and password.encode() not in again.content
    assert b"Confirmed" in client.get(reverse("customers:list")).content


def test_option_2_offers_the_invitation_email_with_the_agreement_link_and_credentials(
    client, admin_agent
):
    client.force_login(admin_agent)
    walk(client, agreement={"option": "invite"})
    response = client.post(reverse("customers:new_review"))
    page = client.get(response.url)
    email = page.context["email"]
    password = page.context["password"]
    assert email.url == f"{settings.ADMIN_CENTER_URL}?ref=/BillingAccounts/agreement"
    assert (
        email.url in email.body
        and "admin@contosokr.onmicrosoft.com" in email.body
        and password in email.body
    )
    mailto = urlsplit(email.mailto)
    assert mailto.scheme == "mailto" and unquote(mailto.path) == "minji.kang@contoso.example"
    query = parse_qs(mailto.query)
    assert query["subject"] == [email.subject]
    assert query["body"] == [email.body.replace("\n", "\r\n")]
    assert " " not in email.mailto and "\n" not in email.mailto
    assert not AgreementAcceptance.objects.exists()
    # Later visits keep the email but never the password.
    later = client.get(response.url).context["email"]
    assert password not in later.body and "admin@contosokr.onmicrosoft.com" in later.body


def test_update_shows_the_acceptor_fields_prefilled_with_the_primary_contact_a4(
    client, admin_agent
):
    client.force_login(admin_agent)
    client.post(reverse("customers:new"), ACCOUNT)
    page = client.get(reverse("customers:new_agreement"))
    assert b"Minji Kang" in page.content and not page.context["show_acceptor"]
    page = client.post(
        reverse("customers:new_agreement"),
        {
            "option": "attest",
            "update_acceptor": "1",
            "first_name": "Minji",
            "last_name": "Kang",
            "email": "minji.kang@contoso.example",
        },
    )
    assert page.context["show_acceptor"] and page.context["form"]["first_name"].value() == "Minji"
    assert not page.context["form"].is_bound
    response = client.post(
        reverse("customers:new_agreement"),
        {
            **ATTEST,
            "first_name": "Jiho",
            "last_name": "Lim",
            "email": "jiho.lim@contoso.example",
            "phone": "",
            "acceptor_updated": "1",
        },
    )
    assert response.status_code == 302
    client.post(reverse("customers:new_review"))
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.first_name, acceptance.last_name, acceptance.email) == (
        "Jiho",
        "Lim",
        "jiho.lim@contoso.example",
    )


@pytest.mark.parametrize(
    ("account", "field", "message"),
    [
        ({"company_name": "Inc"}, "company_name", "not only a legal suffix"),
        ({"company_name": "!"}, "company_name", "longer than one character"),
        ({"company_name": "***"}, "company_name", "only special characters"),
        ({"domain_prefix": "contoso-kr"}, "domain_prefix", "1 to 27 lower-case letters"),
        ({"domain_prefix": "a" * 28}, "domain_prefix", "at most 27 characters"),
        ({"contact_email": "nope"}, "contact_email", "valid email"),
        ({"contact_phone": "123"}, "contact_phone", "valid phone number for South Korea"),
        (
            {"country": "PL", "contact_phone": "", "culture": "pl-PL"},
            "contact_phone",
            "phone number is required",
        ),
        ({"address_line1": ""}, "address_line1", "required"),
        ({"address_line1": "x" * 201}, "address_line1", "at most 200"),
        ({"country": "XX"}, "country", "valid choice"),
    ],
)
def test_account_info_bad_input_is_refused_beside_the_field(
    client, admin_agent, account, field, message
):
    client.force_login(admin_agent)
    before = db_state()
    response = client.post(reverse("customers:new"), {**ACCOUNT, **account})
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert db_state() == before


def test_a_taken_domain_is_refused_in_any_case(client, admin_agent):
    CustomerFactory(domain_prefix="contosokr")
    client.force_login(admin_agent)
    response = client.post(reverse("customers:new"), ACCOUNT)
    assert response.context["form"].errors["domain_prefix"] == ["This domain is already taken."]


def test_a_domain_taken_while_the_wizard_was_open_saves_nothing(client, admin_agent):
    client.force_login(admin_agent)
    walk(client)
    CustomerFactory(domain_prefix="contosokr")
    before = db_state()
    response = client.post(reverse("customers:new_review"))
    assert response.status_code == 302 and response.url == reverse("customers:new")
    assert db_state() == before


@pytest.mark.parametrize(
    ("agreement", "field", "message"),
    [
        ({}, "option", "Choose one of the two options."),
        ({**ATTEST, "date_agreed": "2099-01-01"}, "date_agreed", "can't be in the future"),
        ({**ATTEST, "date_agreed": "2019-09-30"}, "date_agreed", "came into force"),
        ({**ATTEST, "date_agreed": ""}, "date_agreed", "Enter the agreement acceptance date."),
        ({**ATTEST, "date_agreed": "31/31/2026"}, "date_agreed", "valid date"),
        ({**ATTEST, "first_name": ""}, "first_name", "Enter the first name"),
        ({**ATTEST, "email": "bad"}, "email", "valid email"),
        ({**ATTEST, "phone": "999"}, "phone", "valid phone number"),
    ],
)
def test_agreement_step_bad_input_is_refused_beside_the_field(
    client, admin_agent, agreement, field, message
):
    client.force_login(admin_agent)
    before = db_state()
    response = walk(client, agreement=agreement)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert db_state() == before


def test_a7_a_national_cloud_customer_cannot_take_option_1(client, admin_agent):
    client.force_login(admin_agent)
    response = walk(client, account={"cloud_instance": "us_government"})
    assert "national clouds" in response.context["form"].errors["option"][0]
    assert (
        walk(
            client, account={"cloud_instance": "us_government"}, agreement={"option": "invite"}
        ).status_code
        == 302
    )


def test_a6_an_indirect_reseller_gets_only_option_2_and_names_its_provider(client, make_user):
    partnership = IndirectPartnershipFactory(provider__name="Northwind Distribution")
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.reseller))
    response = client.post(
        reverse("customers:new"), {**ACCOUNT, "indirect_provider": partnership.provider.pk}
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:new_agreement"))
    assert [c[0] for c in page.context["form"].fields["option"].choices] == ["invite"]
    assert b"Ask your indirect provider (Northwind Distribution)" in page.content
    assert page.context["form"]["option"].value() == "invite"  # chosen, not a lone empty radio
    refused = client.post(reverse("customers:new_agreement"), ATTEST)
    assert refused.context["form"].errors["option"]
    client.post(reverse("customers:new_agreement"), {"option": "invite"})
    client.post(reverse("customers:new_review"))
    relationship = ResellerRelationship.objects.get()
    assert relationship.indirect_provider == partnership.provider
    assert not AgreementAcceptance.objects.exists()


def test_an_indirect_reseller_must_choose_one_of_its_own_providers(client, make_user):
    partnership = IndirectPartnershipFactory()
    stranger = IndirectPartnershipFactory().provider
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.reseller))
    response = client.post(reverse("customers:new"), {**ACCOUNT, "indirect_provider": stranger.pk})
    assert response.context["form"].errors["indirect_provider"]
    response = client.post(reverse("customers:new"), ACCOUNT)
    assert response.context["form"].errors["indirect_provider"]


def test_a5_a_user_admin_may_add_customers_but_not_attest(client, make_user):
    client.force_login(make_user(Role.USER_ADMIN))
    client.post(reverse("customers:new"), ACCOUNT)
    page = client.get(reverse("customers:new_agreement"))
    assert [c[0] for c in page.context["form"].fields["option"].choices] == ["invite"]


def test_skipping_ahead_sends_back_to_the_first_unfinished_step(client, admin_agent):
    client.force_login(admin_agent)
    assert client.get(reverse("customers:new_agreement")).url == reverse("customers:new")
    assert client.get(reverse("customers:new_review")).url == reverse("customers:new")
    client.post(reverse("customers:new"), ACCOUNT)
    assert client.get(reverse("customers:new_review")).url == reverse("customers:new_agreement")


def test_cancel_forgets_the_wizard(client, admin_agent):
    client.force_login(admin_agent)
    client.post(reverse("customers:new"), ACCOUNT)
    assert client.post(reverse("customers:new_cancel")).url == reverse("customers:list")
    assert client.get(reverse("customers:new_agreement")).url == reverse("customers:new")
    assert client.get(reverse("customers:new_cancel")).status_code == 405


@pytest.mark.parametrize(("language", "country"), [("en", "South Korea"), ("ko", "대한민국")])
def test_review_shows_every_field_entered_with_the_country(client, admin_agent, language, country):
    """Review lists what Account info will: the address ends with the country/region."""
    admin_agent.language = language
    admin_agent.save()
    client.force_login(admin_agent)
    client.cookies["django_language"] = language
    walk(client, account={"address_line2": "12th floor", "state": "Gangnam-gu"})
    page = client.get(reverse("customers:new_review")).content.decode()
    for shown in (
        ACCOUNT["company_name"],
        f"{ACCOUNT['domain_prefix'].lower()}.onmicrosoft.com",
        ACCOUNT["address_line1"],
        "12th floor",
        ACCOUNT["city"],
        "Gangnam-gu",
        ACCOUNT["postal_code"],
        country,
        ACCOUNT["culture"],
        ACCOUNT["contact_first_name"],
        ACCOUNT["contact_email"],
    ):
        assert shown in page, shown
