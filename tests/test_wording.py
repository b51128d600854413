"""Words a partner's agent reads are Partner Center's, and are words: agreement versions as
"Microsoft Customer Agreement (version 1)", events by name, errors beside named fields,
a queued email not called sent, a customer's email draft in the customer's language, and
Django admin's apps and fields by name (first use, English and Korean)."""

import re

import pytest
from django.urls import reverse

from partnercenter.tenant.roles import Role
from tests.factories import (
    AgreementAcceptanceFactory,
    PartnershipInvitationFactory,
    ResellerRelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _get(client, user, url, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Microsoft Customer Agreement (version 1)"), ("ko", "Microsoft 고객 계약 (버전 1)")],
)
def test_account_info_names_the_agreement_and_its_version_not_versionrank(
    client, admin_agent, language, shown
):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    AgreementAcceptanceFactory(partner=admin_agent.partner, customer=customer)
    page = _get(client, admin_agent, reverse("customers:detail", args=[customer.pk]), language)
    assert shown in page and "versionRank" not in page


@pytest.mark.parametrize(("language", "shown"), [("en", "Customer added"), ("ko", "고객 추가됨")])
def test_the_activity_log_names_event_types_instead_of_codes(client, make_user, language, shown):
    from customers.workflows import customer_create
    from tests.agreements.test_status_rows import account

    admin = make_user(Role.GLOBAL_ADMIN)
    customer_create(user=admin, account=account("named"))
    page = _get(client, admin, reverse("activity_log"), language)
    assert shown in page
    assert "customer.created" not in re.sub(r"<[^>]+>", " ", page)


def test_a_statement_tick_box_error_reads_as_a_sentence_in_the_summary(client):
    invitation = PartnershipInvitationFactory()
    reseller_admin = UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN])
    client.force_login(reseller_admin)
    url = reverse("relationships:partnership_invitation_review", args=[invitation.pk])
    page = client.post(url, {}).content.decode()
    summary = page.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Check the box to confirm the partnership." in summary
    assert ".: " not in summary, "no label ending in a period followed by a colon"


def test_a_queued_invitation_is_not_called_sent(client, make_user):
    from partnercenter.models import Partner
    from tests.factories import PartnerFactory

    provider = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_PROVIDER)
    reseller = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_RESELLER)
    agent = make_user(Role.ADMIN_AGENT, partner=provider)
    client.force_login(agent)
    response = client.post(
        reverse("relationships:partnership_invite"),
        {"reseller": reseller.mpn_id, "email": "ga@reseller.example"},
        follow=True,
    )
    page = response.content.decode()
    assert "is queued and goes out in a moment" in page and "was sent" not in page
    assert (
        "Queued" in page and "sent " not in re.sub(r"<[^>]+>", " ", page).split("Invitations")[-1]
    )


@pytest.mark.parametrize(
    ("culture", "first_subject_word", "other"),
    [
        ("ko-KR", "Microsoft 고객 계약", "Write it in English instead"),
        ("en-US", "invites you", "Write it in Korean instead"),
    ],
)
def test_the_option_2_email_is_drafted_in_the_customers_language_with_the_other_one_a_click_away(
    client, admin_agent, culture, first_subject_word, other
):
    from customers.workflows import customer_create
    from tests.agreements.test_status_rows import account

    created = customer_create(
        user=admin_agent, account={**account("draft"), "culture": culture}, attestation=None
    )
    page = _get(client, admin_agent, reverse("customers:created", args=[created.customer.pk]))
    first = page.split("data-invitation-subject")[0].rsplit('value="', 1)[1]
    assert first_subject_word in first
    assert other in page and page.count("data-invitation-subject") == 2


@pytest.mark.parametrize("language", ["en", "ko"])
def test_django_admin_names_apps_and_fields_in_words(admin_client, language):
    admin_client.cookies["django_language"] = language
    index = admin_client.get("/admin/").content.decode()
    for raw in ("Axes", "Otp_Static", "Otp_Totp", "Tasks Database Backend"):
        assert f">{raw}<" not in index, raw
    acceptance = AgreementAcceptanceFactory()
    form = admin_client.get(
        reverse("admin:agreements_agreementacceptance_change", args=[acceptance.pk])
    ).content.decode()
    assert "DateAgreed:" not in form
    if language == "en":
        assert "Sign-in attempts" in index and "MFA: recovery codes" in index
        assert "Date agreed (dateAgreed)" in form


def test_the_other_draft_is_offered_in_the_readers_words(client, make_user):
    from customers.workflows import customer_create
    from tests.agreements.test_status_rows import account

    agent = make_user(Role.ADMIN_AGENT, language="ko")
    created = customer_create(user=agent, account=account("kodraft"), attestation=None)
    page = _get(client, agent, reverse("customers:created", args=[created.customer.pk]), "ko")
    assert "대신 영어(으)로 작성" in page and "고객의 언어인 한국어(으)로 작성되었습니다." in page
