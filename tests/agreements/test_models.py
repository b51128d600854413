"""Agreement templates come from a data migration with the real templateIds (docs/rules.md)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.forms import AcceptanceForm
from agreements.models import AgreementAcceptance, AgreementTemplate
from partnercenter.tenant.roles import Role
from tests.factories import ResellerRelationshipFactory

pytestmark = pytest.mark.django_db
MCA = AgreementTemplate.AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
MCLOUD = AgreementTemplate.AgreementType.MICROSOFT_CLOUD_AGREEMENT


def test_the_migration_loads_both_templates_with_their_real_template_ids():
    assert AgreementTemplate.objects.get(agreement_type=MCA).template_id == uuid.UUID(
        "117a77b0-9360-443b-8795-c6dedc750cf9"
    )
    assert AgreementTemplate.objects.get(agreement_type=MCLOUD).template_id == uuid.UUID(
        "998b88de-aa99-4388-a42c-1b3517d49490"
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2018, 8, 6), None),
        (datetime.date(2019, 9, 30), MCLOUD),
        (datetime.date(2019, 10, 1), MCA),
        (datetime.date(2020, 2, 1), MCA),
        (datetime.date(2026, 11, 21), MCA),
    ],
)
def test_the_current_agreement_is_the_newest_type_in_force(day, expected):
    current = AgreementTemplate.objects.current(day)
    assert (current.agreement_type if current else None) == expected


def test_a_newer_version_added_by_staff_becomes_current():
    old = AgreementTemplate.objects.get(agreement_type=MCA)
    newer = AgreementTemplate.objects.create(
        agreement_type=MCA,
        template_id=old.template_id,
        version_rank=2,
        link=old.link,
        in_force_from=old.in_force_from,
    )
    assert AgreementTemplate.objects.current(datetime.date(2026, 11, 21)) == newer


def test_the_document_link_follows_the_customers_country_and_language():
    from agreements.models import AgreementDocument

    mca = AgreementTemplate.objects.get(agreement_type=MCA)
    AgreementDocument.objects.create(
        template=mca, country="KR", language="ko-KR", url="https://example.com/kr-ko"
    )
    AgreementDocument.objects.create(
        template=mca, country="KR", language="en-US", url="https://example.com/kr-en"
    )
    assert mca.document_url(country="KR", language="ko-KR") == "https://example.com/kr-ko"
    assert mca.document_url(country="KR", language="EN-us") == "https://example.com/kr-en"
    assert mca.document_url(country="KR", language="ja-JP") in {
        "https://example.com/kr-ko",
        "https://example.com/kr-en",
    }
    assert mca.document_url(country="DE", language="de-DE") == mca.link
    assert mca.document_url() == mca.link


# --- The acceptance rules on the model: full_clean() alone refuses a bad record --------


def _unsaved(customer, user, **overrides) -> AgreementAcceptance:
    values = {
        "customer": customer,
        "partner": user.partner,
        "template": AgreementTemplate.objects.get(agreement_type=MCA),
        "date_agreed": datetime.date(2026, 11, 1),
        "first_name": "Minji",
        "last_name": "Kang",
        "email": "minji.kang@contoso.example",
        "phone": "",
        "method": AgreementAcceptance.Method.PARTNER_ATTESTATION,
        "recorded_by": user,
    }
    values.update(overrides)
    return AgreementAcceptance(**values)


def _refusal(acceptance) -> dict:
    with pytest.raises(ValidationError) as exc:
        acceptance.full_clean()
    return exc.value.message_dict


@pytest.fixture
def served_customer(admin_agent):
    return ResellerRelationshipFactory(partner=admin_agent.partner, customer__country="KR").customer


@pytest.mark.parametrize(
    ("zone", "utc_now", "valid"),
    [
        # 08:00 KST on 21 November is still 20 November in UTC: today in Seoul is valid.
        ("Asia/Seoul", (2026, 11, 20, 23, 0), True),
        ("UTC", (2026, 11, 20, 23, 0), False),
        # UTC+14: the first place where a new day starts.
        ("Pacific/Kiritimati", (2026, 11, 20, 10, 0), True),
        ("Pacific/Kiritimati", (2026, 11, 20, 9, 59), False),
    ],
)
def test_a1_full_clean_judges_the_date_in_the_recorders_time_zone(
    monkeypatch, make_user, zone, utc_now, valid
):
    user = make_user(Role.ADMIN_AGENT, time_zone=zone)
    customer = ResellerRelationshipFactory(partner=user.partner).customer
    moment = datetime.datetime(*utc_now, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    acceptance = _unsaved(customer, user, date_agreed=datetime.date(2026, 11, 21))
    if valid:
        acceptance.full_clean()
    else:
        assert _refusal(acceptance) == {
            "date_agreed": ["The agreement acceptance date can't be in the future."]
        }


def test_a2_full_clean_refuses_a_date_before_the_agreement_and_a_retired_agreement(
    admin_agent, served_customer
):
    early = _unsaved(served_customer, admin_agent, date_agreed=datetime.date(2019, 9, 30))
    assert _refusal(early) == {
        "date_agreed": [
            "The agreement acceptance date can't be before the Microsoft Customer Agreement "
            "came into force (Oct. 1, 2019)."
        ]
    }
    retired = _unsaved(
        served_customer,
        admin_agent,
        template=AgreementTemplate.objects.get(agreement_type=MCLOUD),
        date_agreed=datetime.date(2020, 1, 15),
    )
    assert _refusal(retired)["__all__"] == [
        "The Microsoft Cloud Agreement is no longer accepted after Jan. 31, 2020; confirm the "
        "current agreement."
    ]


def test_a3_full_clean_refuses_the_acceptor_with_the_forms_messages(admin_agent, served_customer):
    missing = _unsaved(served_customer, admin_agent, first_name="", last_name=" ", email="")
    assert _refusal(missing) == {
        "first_name": ["Enter the first name of the person who accepted."],
        "last_name": ["Enter the last name of the person who accepted."],
        "email": ["Enter the email address of the person who accepted."],
    }
    assert _refusal(_unsaved(served_customer, admin_agent, first_name="M" * 51)) == {
        "first_name": ["Enter at most 50 characters (this has 51)."]
    }
    assert _refusal(_unsaved(served_customer, admin_agent, email="not-an-address")) == {
        "email": ["Enter a valid email address."]
    }
    # A phone valid somewhere but not read as a number of the customer's country (Korea).
    assert _refusal(_unsaved(served_customer, admin_agent, phone="02-123")) == {
        "phone": ["Enter a valid phone number for South Korea."]
    }
    national = _unsaved(served_customer, admin_agent, phone="02-3456-7890")
    national.full_clean()
    assert national.phone.as_e164 == "+82234567890", "stored parsed, for the customer's country"


def test_a7_full_clean_refuses_a_national_cloud_customer(admin_agent):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__cloud_instance="us_government"
    ).customer
    assert _refusal(_unsaved(customer, admin_agent)) == {
        "__all__": [
            "Confirmation of customer acceptance isn't supported for customers in national "
            "clouds (US Government)."
        ]
    }


def test_the_update_form_and_full_clean_give_the_same_messages(admin_agent, served_customer):
    """One rule, one wording: what the page says beside a field is what the model says."""
    bad = {
        "date_agreed": "2019-09-30",
        "first_name": "",
        "last_name": "Kang",
        "email": "",
        "phone": "02-123",
    }
    form = AcceptanceForm(
        bad,
        user=admin_agent,
        customer_country=served_customer.country,
        template=AgreementTemplate.objects.get(agreement_type=MCA),
    )
    assert not form.is_valid()
    model = _refusal(
        _unsaved(
            served_customer,
            admin_agent,
            date_agreed=datetime.date(2019, 9, 30),
            first_name="",
            email="",
            phone="02-123",
        )
    )
    assert {k: list(v) for k, v in form.errors.items()} == model
