"""acceptance_record and customer_create: rules A1–A8, A12, A13 (docs/rules.md)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements.models import AgreementAcceptance, AgreementTemplate
from agreements.selectors import agreement_summary
from agreements.services import (
    AttestationNotAllowed,
    acceptance_record,
    direct_acceptance_record,
)
from customers.models import Customer
from customers.workflows import customer_create
from partnercenter.models import User
from partnercenter.tenant.roles import Role
from relationships.models import ResellerRelationship
from tests.factories import (
    AgreementAcceptanceFactory,
    IndirectPartnershipFactory,
    ResellerRelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def served(admin_agent):
    """A customer the Admin agent's partner serves."""
    return ResellerRelationshipFactory(partner=admin_agent.partner).customer


def record(customer, user, **overrides):
    values = {
        "date_agreed": datetime.date(2026, 11, 1),
        "first_name": "Minji",
        "last_name": "Kang",
        "email": "minji.kang@contoso.example",
        "phone": "",
    }
    values.update(overrides)
    return acceptance_record(customer=customer, user=user, **values)


def at_utc(monkeypatch, *args):
    moment = datetime.datetime(*args, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_it_records_a_confirmation_of_the_current_agreement(served, admin_agent):
    acceptance = record(served, admin_agent)
    assert acceptance.pk
    assert acceptance.template == AgreementTemplate.objects.current()
    assert acceptance.method == AgreementAcceptance.Method.PARTNER_ATTESTATION
    assert (acceptance.partner, acceptance.recorded_by) == (admin_agent.partner, admin_agent)


# --- A1: not in the future, judged in the user's own time zone -------------------------


@pytest.mark.parametrize(
    ("zone", "utc_now", "date_agreed", "valid"),
    [
        # 08:00 KST on 21 November is still 20 November in UTC: today in Seoul is valid.
        ("Asia/Seoul", (2026, 11, 20, 23, 0), datetime.date(2026, 11, 21), True),
        ("UTC", (2026, 11, 20, 23, 0), datetime.date(2026, 11, 21), False),
        # UTC+14: the first place where a new day starts.
        ("Pacific/Kiritimati", (2026, 11, 20, 10, 0), datetime.date(2026, 11, 21), True),
        ("Pacific/Kiritimati", (2026, 11, 20, 9, 59), datetime.date(2026, 11, 21), False),
        # UTC-12 (Etc/GMT+12): the last place where a day ends.
        ("Etc/GMT+12", (2026, 11, 21, 11, 0), datetime.date(2026, 11, 21), False),
        ("Etc/GMT+12", (2026, 11, 21, 12, 0), datetime.date(2026, 11, 21), True),
    ],
)
def test_a1_the_acceptance_date_may_not_be_in_the_future_in_the_users_time_zone(
    monkeypatch, make_user, zone, utc_now, date_agreed, valid
):
    user = make_user(Role.ADMIN_AGENT, time_zone=zone)
    customer = ResellerRelationshipFactory(partner=user.partner).customer
    at_utc(monkeypatch, *utc_now)
    if valid:
        assert record(customer, user, date_agreed=date_agreed).date_agreed == date_agreed
    else:
        with pytest.raises(ValidationError) as exc:
            record(customer, user, date_agreed=date_agreed)
        assert exc.value.message_dict["date_agreed"] == [
            "The agreement acceptance date can't be in the future."
        ]
        assert not AgreementAcceptance.objects.exists()


# --- A2: not before the agreement came into force; MCloudA not after 2020-01-31 ---------


def test_a2_a_date_before_the_mca_came_into_force_is_refused(served, admin_agent):
    with pytest.raises(ValidationError) as exc:
        record(served, admin_agent, date_agreed=datetime.date(2019, 9, 30))
    assert "came into force" in exc.value.message_dict["date_agreed"][0]
    assert record(served, admin_agent, date_agreed=datetime.date(2019, 10, 1)).pk


def test_a2_the_microsoft_cloud_agreement_is_no_longer_recorded(served, admin_agent):
    mcloud = AgreementTemplate.objects.get(agreement_type="MicrosoftCloudAgreement")
    with pytest.raises(ValidationError) as exc:
        record(served, admin_agent, template=mcloud, date_agreed=datetime.date(2020, 2, 1))
    assert "no longer accepted" in " ".join(exc.value.messages)
    assert "can't be confirmed for dates after" in exc.value.message_dict["date_agreed"][0]
    assert not AgreementAcceptance.objects.exists()


# --- A3: names and email required, email and phone valid ------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "  "}, "last_name"),
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": "x" * 51}, "first_name"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+82 10"}, "phone"),
    ],
)
def test_a3_the_acceptor_needs_names_a_valid_email_and_a_valid_phone_if_any(
    served, admin_agent, overrides, field
):
    with pytest.raises(ValidationError) as exc:
        record(served, admin_agent, **overrides)
    assert field in exc.value.message_dict
    assert not AgreementAcceptance.objects.exists()


def test_a3_a_national_phone_number_is_read_for_the_customers_country(served, admin_agent):
    acceptance = record(served, admin_agent, phone="02-3456-7890")
    assert acceptance.phone.as_e164 == "+82234567890"


# --- A5: only the roles of docs/roles.md ----------------------------------------------------


@pytest.mark.parametrize("role", [Role.USER_ADMIN, Role.HELPDESK_AGENT, Role.BILLING_ADMIN])
def test_a5_roles_that_may_not_attest_are_refused(make_user, role):
    user = make_user(role)
    customer = ResellerRelationshipFactory(partner=user.partner).customer
    with pytest.raises(PermissionDenied):
        record(customer, user)
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT])
def test_a5_global_admins_admin_agents_and_sales_agents_may_attest(make_user, role):
    user = make_user(role)
    assert record(ResellerRelationshipFactory(partner=user.partner).customer, user).pk


# --- A6: indirect resellers never attest ----------------------------------------------


def test_a6_an_indirect_reseller_is_told_to_ask_its_provider_by_name(make_user):
    partnership = IndirectPartnershipFactory(provider__name="Northwind Distribution")
    user = make_user(Role.GLOBAL_ADMIN, partner=partnership.reseller)
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    with pytest.raises(AttestationNotAllowed) as exc:
        record(customer, user)
    assert "Ask your indirect provider (Northwind Distribution)" in str(exc.value)
    assert not AgreementAcceptance.objects.exists()


# --- A7: no confirmation in national clouds -------------------------------------------


@pytest.mark.parametrize(
    "cloud", [Customer.CloudInstance.US_GOVERNMENT, Customer.CloudInstance.GERMANY]
)
def test_a7_national_cloud_customers_cannot_be_confirmed(admin_agent, cloud):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__cloud_instance=cloud
    ).customer
    with pytest.raises(ValidationError) as exc:
        record(customer, admin_agent)
    assert "national clouds" in exc.value.messages[0]
    assert not AgreementAcceptance.objects.exists()


# --- A8: each partner confirms for itself ---------------------------------------------


def test_a8_a_partner_without_a_relationship_cannot_confirm(admin_agent, other_partner):
    stranger = ResellerRelationshipFactory(partner=other_partner).customer
    with pytest.raises(PermissionDenied):
        record(stranger, admin_agent)


def test_a8_an_indirect_provider_confirms_for_customers_it_shares_with_its_resellers(make_user):
    partnership = IndirectPartnershipFactory()
    provider_agent = make_user(Role.ADMIN_AGENT, partner=partnership.provider)
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    assert record(customer, provider_agent).partner == partnership.provider


def test_a8_each_partner_records_its_own_confirmation(admin_agent, make_user, other_partner):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    ResellerRelationshipFactory(partner=other_partner, customer=customer)
    other_agent = make_user(Role.ADMIN_AGENT, partner=other_partner)
    record(customer, admin_agent)
    record(customer, other_agent)
    assert set(AgreementAcceptance.objects.values_list("partner", flat=True)) == {
        admin_agent.partner_id,
        other_partner.pk,
    }


# --- A12: an identical duplicate is refused -------------------------------------------


def test_a12_an_identical_duplicate_is_refused(served, admin_agent):
    record(served, admin_agent, phone="+82 2 3456 7890")
    with pytest.raises(ValidationError) as exc:
        record(served, admin_agent, phone="02-3456-7890")  # the same number, written another way
    assert "This confirmation already exists." in exc.value.messages
    assert AgreementAcceptance.objects.count() == 1


def test_a12_a_confirmation_that_differs_in_anything_is_a_new_record(served, admin_agent):
    record(served, admin_agent)
    record(served, admin_agent, date_agreed=datetime.date(2026, 11, 2))
    record(served, admin_agent, email="someone.else@contoso.example")
    assert AgreementAcceptance.objects.count() == 3


# --- A13: all or nothing --------------------------------------------------------------

ACCOUNT = {
    "company_name": "Contoso Korea",
    "domain_prefix": "contosokr",
    "country": "KR",
    "address_line1": "152 Teheran-ro",
    "city": "Seoul",
    "state": "Seoul",
    "postal_code": "06236",
    "culture": "ko-KR",
    "cloud_instance": "public",
    "contact_first_name": "Minji",
    "contact_last_name": "Kang",
    "contact_email": "minji.kang@contoso.example",
    "contact_phone": "+82 2 3456 7890",
}


def test_a13_a_failed_attestation_saves_no_customer_account_or_relationship(admin_agent):
    counts = (Customer.objects.count(), User.objects.count(), ResellerRelationship.objects.count())
    with pytest.raises(ValidationError):
        customer_create(
            user=admin_agent,
            account=ACCOUNT,
            attestation={
                "date_agreed": datetime.date(2099, 1, 1),
                "first_name": "Minji",
                "last_name": "Kang",
                "email": "minji.kang@contoso.example",
                "phone": "",
            },
        )
    assert (
        Customer.objects.count(),
        User.objects.count(),
        ResellerRelationship.objects.count(),
    ) == counts
    assert not AgreementAcceptance.objects.exists()


def test_creating_a_customer_makes_its_admin_account_and_an_active_relationship(admin_agent):
    created = customer_create(user=admin_agent, account=ACCOUNT)
    assert created.admin.username == "admin@contosokr.onmicrosoft.com"
    assert created.admin.customer == created.customer and created.admin.partner is None
    assert created.admin.check_password(created.temporary_password)
    assert created.temporary_password not in created.admin.password
    assert created.admin.must_change_password
    assert (
        created.relationship.state == "active"
        and created.relationship.partner == admin_agent.partner
    )
    assert created.acceptance is None


# --- "Current" is the last one committed; a direct acceptance once (docs/rules.md, §6) -------


def test_created_at_comes_from_the_database_clock_not_the_app_server(
    served, admin_agent, monkeypatch
):
    """An app server with a wrong clock can't reorder history: the database sets created_at."""
    at_utc(monkeypatch, 2031, 1, 1, 0, 0)  # this app server's clock runs years ahead
    acceptance = record(served, admin_agent)
    assert acceptance.created_at.year < 2031
    acceptance.refresh_from_db()
    assert acceptance.created_at.year < 2031


def test_the_current_confirmation_is_the_last_one_recorded_with_the_id_as_tiebreak(
    served, admin_agent
):
    first = record(served, admin_agent, first_name="First")
    # Same database timestamp (as two inserts in one clock tick would have): the id decides.
    # Records are append-only, so the tie is written at the insert.
    second = AgreementAcceptanceFactory(
        customer=served,
        partner=admin_agent.partner,
        first_name="Second",
        created_at=first.created_at,
    )
    assert agreement_summary(served, partner=admin_agent.partner).current == second
    assert AgreementAcceptance.objects.filter(customer=served).latest() == second


def test_a_customer_accepts_one_agreement_version_directly_at_most_once(served):
    admin = UserFactory(partner=None, customer=served, username="admin@once.example")
    first = direct_acceptance_record(user=admin)
    assert direct_acceptance_record(user=admin) == first
    duplicate = AgreementAcceptance(
        customer=served, template=first.template, date_agreed=first.date_agreed,
        first_name="X", last_name="Y", email="x@y.example",
        method=AgreementAcceptance.Method.CUSTOMER_DIRECT, recorded_by=admin,
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"You already accepted this agreement\."):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()  # the database says so too, whoever writes
    assert AgreementAcceptance.objects.filter(customer=served).count() == 1
