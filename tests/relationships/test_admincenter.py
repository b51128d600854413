"""The customer's admin center (docs/admin-center.md): links, sign-in, acceptance, A9, partners, isolation."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from agreements.models import AgreementAcceptance
from partnercenter.models import Partner
from relationships.invitations import InvitationKind, invitation_url
from relationships.models import ResellerRelationship
from tests.factories import (
    TEST_PASSWORD,
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.relationships.test_pending_invitations import submission_key

pytestmark = pytest.mark.django_db
BASE = "/admincenter/"


@pytest.fixture
def customer_admin():
    customer = CustomerFactory(company_name="Contoso Korea", domain_prefix="contosokr")
    return UserFactory(
        partner=None,
        customer=customer,
        username="admin@contosokr.onmicrosoft.com",
        email="admin@contosokr.onmicrosoft.com",
        first_name="Minji",
        last_name="Kang",
    )


def link(kind=InvitationKind.RESELLER, **kwargs):
    url = invitation_url(kind, base_url="http://testserver" + BASE, **kwargs)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_an_unsigned_visitor_signs_in_and_comes_back_to_the_same_invitation(client, customer_admin):
    partner = PartnerFactory()
    url = link(partner=partner, dap=True)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("admincenter:login"))
    assert parse_qs(urlsplit(response.url).query)["next"] == [url]
    signed_in = client.post(
        response.url, {"username": customer_admin.username, "password": TEST_PASSWORD, "next": url}
    )
    assert signed_in.url == url
    assert partner.name.encode() in client.get(url).content


def test_a_temporary_password_is_changed_first_then_back_to_the_link(client, customer_admin):
    customer_admin.must_change_password = True
    customer_admin.save()
    client.force_login(customer_admin)
    url = link(InvitationKind.AGREEMENT)
    response = client.get(url)
    target = reverse("admincenter:password_change")
    assert response.url.startswith(target) and parse_qs(urlsplit(response.url).query)["next"] == [
        url
    ]
    changed = client.post(
        f"{target}?next={url}",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "N3w-pass-phrase!",
            "new_password2": "N3w-pass-phrase!",
            "next": url,
        },
    )
    assert changed.url == url
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "invType=ResellerRelationship&partnerId=not-a-uuid&msppId=0&DAP=false",
        f"invType=ResellerRelationship&partnerId={uuid.uuid4()}&msppId=0&DAP=false",
        "invType=Nope&partnerId={partner}&msppId=0&DAP=false",
        "invType=ResellerRelationship&partnerId={partner}&msppId=0&DAP=maybe",
        "invType=ResellerRelationship&partnerId={partner}&msppId=abc&DAP=false",
        "invType=ResellerRelationship&partnerId={partner}&msppId=0&DAP=false&indirectCSPId={partner}",
        "invType=IndirectResellerRelationship&partnerId={reseller}&msppId={mpn}&indirectCSPId={stranger}&DAP=false",
        "invType=IndirectResellerRelationship&partnerId={reseller}&msppId=1&indirectCSPId={provider}&DAP=false",
        "invType=IndirectResellerRelationship&partnerId={reseller}&msppId={mpn}&indirectCSPId=bad&DAP=false",
        "invType=ResellerRelationship&partnerId={reseller}&msppId=0&DAP=false",
        "ref=/BillingAccounts/elsewhere",
    ],
)
def test_an_invalid_invitation_link_gets_a_clear_404_page(client, customer_admin, query):
    partnership = IndirectPartnershipFactory()
    stranger = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_PROVIDER)
    query = query.format(
        partner=PartnerFactory().tenant_id,
        reseller=partnership.reseller.tenant_id,
        provider=partnership.provider.tenant_id,
        mpn=partnership.reseller.mpn_id,
        stranger=stranger.tenant_id,
    )
    client.force_login(customer_admin)
    for method in (client.get, client.post):
        response = method(f"{BASE}?{query}")
        assert response.status_code == 404
        assert "This invitation link isn't valid" in response.content.decode()
    assert not ResellerRelationship.objects.exists() and not AgreementAcceptance.objects.exists()


def test_accepting_activates_the_relationship_and_records_a_direct_acceptance_once(
    client, customer_admin
):
    partner = PartnerFactory(name="Fabrikam")
    url = link(partner=partner, dap=True)
    client.force_login(customer_admin)
    page = client.get(url)
    assert b"Fabrikam invites you to a reseller relationship" in page.content
    assert b"asks for delegated admin privileges" in page.content
    refused = client.post(url, {"accept_agreement": "on"})
    assert b"Check the box to accept the reseller relationship." in refused.content
    assert not ResellerRelationship.objects.exists() and not AgreementAcceptance.objects.exists()

    assert client.post(url, {"accept_relationship": "on", "accept_agreement": "on"}).url == reverse(
        "admincenter:partners"
    )
    relationship = ResellerRelationship.objects.get()
    assert (relationship.partner, relationship.customer, relationship.state) == (
        partner,
        customer_admin.customer,
        "active",
    )
    assert relationship.source == "invitation" and relationship.delegated_admin
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.method, acceptance.partner, acceptance.recorded_by) == (
        "customer_direct",
        partner,
        customer_admin,
    )
    client.post(url, {"accept_relationship": "on", "accept_agreement": "on"})
    assert ResellerRelationship.objects.count() == 1 and AgreementAcceptance.objects.count() == 1


def test_the_indirect_kind_authorizes_reseller_and_provider_at_once(client, customer_admin):
    partnership = IndirectPartnershipFactory(provider__name="Northwind", reseller__name="Tailspin")
    url = link(
        InvitationKind.INDIRECT_RESELLER,
        partner=partnership.reseller,
        provider=partnership.provider,
    )
    client.force_login(customer_admin)
    assert b"Tailspin and its indirect provider Northwind" in client.get(url).content
    client.post(url, {"accept_relationship": "on"})
    rows = {(r.partner, r.indirect_provider) for r in ResellerRelationship.objects.all()}
    assert rows == {(partnership.reseller, partnership.provider), (partnership.provider, None)}
    assert not AgreementAcceptance.objects.exists()  # the agreement box wasn't ticked


def test_a9_a_customer_with_purchases_is_told_to_ask_its_partner_but_can_accept_the_relationship(
    client, customer_admin
):
    SubscriptionFactory(customer=customer_admin.customer)
    new_partner = PartnerFactory()
    url = link(partner=new_partner)
    client.force_login(customer_admin)
    page = client.get(url)
    message = b"Please reach out to your Partner to confirm your acceptance of the Microsoft Customer Agreement."
    assert message in page.content and b'name="accept_agreement"' not in page.content
    client.post(url, {"accept_relationship": "on", "accept_agreement": "on"})
    assert ResellerRelationship.objects.filter(partner=new_partner).exists()
    assert not AgreementAcceptance.objects.exists()


def test_the_agreement_only_link_records_a_direct_acceptance(client, customer_admin):
    url = link(InvitationKind.AGREEMENT)
    client.force_login(customer_admin)
    assert b"I accept the Microsoft Customer Agreement" in client.get(url).content
    assert b"Check the box" in client.post(url, {}).content
    client.post(url, {"accept_agreement": "on"})
    acceptance = AgreementAcceptance.objects.get()
    assert acceptance.method == "customer_direct" and acceptance.partner is None
    assert b"You accepted the Microsoft Customer Agreement on" in client.get(url).content


def test_a9_the_agreement_only_link_is_refused_when_the_customer_has_purchases(
    client, customer_admin
):
    SubscriptionFactory(customer=customer_admin.customer)
    client.force_login(customer_admin)
    url = link(InvitationKind.AGREEMENT)
    assert b"Please reach out to your Partner" in client.get(url).content
    client.post(url, {"accept_agreement": "on"})
    assert not AgreementAcceptance.objects.exists()


def test_partners_lists_every_partner_with_type_since_and_agreement_status(client, customer_admin):
    customer = customer_admin.customer
    partnership = IndirectPartnershipFactory(provider__name="Northwind", reseller__name="Tailspin")
    ResellerRelationshipFactory(partner=PartnerFactory(name="Fabrikam"), customer=customer)
    ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider, customer=customer
    )
    ResellerRelationshipFactory(partner=partnership.provider, customer=customer)
    ResellerRelationshipFactory(
        partner=PartnerFactory(name="Gone"),
        customer=customer,
        state="removed",
        removed_at="2026-01-01T00:00Z",
    )
    client.force_login(customer_admin)
    rows = {
        r["partner"].name: str(r["kind"])
        for r in client.get(reverse("admincenter:partners")).context["rows"]
    }
    assert rows == {
        "Fabrikam": "Reseller",
        "Tailspin": "Indirect reseller",
        "Northwind": "Indirect provider",
    }
    detail = client.get(
        reverse("admincenter:partner_detail", args=[partnership.provider.tenant_id])
    )
    assert b"Tailspin" in detail.content  # serves the customer through the provider


def test_a_customer_account_reaches_only_its_own_admin_center(client, customer_admin):
    other = ResellerRelationshipFactory(partner=PartnerFactory(name="Secret Partner"))
    client.force_login(customer_admin)
    for url in (
        "/customers/",
        f"/customers/{other.customer.pk}/",
        "/settings/users/",
        "/indirect-providers/",
    ):
        assert client.get(url).url == reverse("admincenter:home")
    assert (
        client.get(
            reverse("admincenter:partner_detail", args=[other.partner.tenant_id])
        ).status_code
        == 404
    )
    assert b"Secret Partner" not in client.get(reverse("admincenter:partners")).content


def test_partner_users_cannot_act_as_customers_in_the_admin_center(client, admin_agent):
    client.force_login(admin_agent)
    for url in (BASE, link(partner=admin_agent.partner), reverse("admincenter:partners")):
        assert client.get(url).status_code == 403
    assert (
        client.post(link(partner=admin_agent.partner), {"accept_relationship": "on"}).status_code
        == 403
    )
    assert not ResellerRelationship.objects.exists()


def test_the_partner_sees_the_direct_acceptance_and_recent_acceptances(
    client, customer_admin, admin_agent
):
    url = link(partner=admin_agent.partner)
    client.force_login(customer_admin)
    client.post(url, {"accept_relationship": "on", "accept_agreement": "on"})
    client.force_login(admin_agent)
    listing = client.get(reverse("customers:list"))
    assert [c.agreement_status for c in listing.context["page_obj"]] == ["accepted_by_customer"]
    # Both happened in one transaction, at the same moment: compare without order.
    assert sorted(e["kind"] for e in listing.context["recent"]) == ["agreement", "relationship"]
    assert b"Recent acceptances" in listing.content
    detail = client.get(reverse("customers:detail", args=[customer_admin.customer.pk]))
    assert b"Accepted directly by the customer on" in detail.content
    assert b"admin@contosokr.onmicrosoft.com" in detail.content


def _in_place_page(client, customer_admin, partner, *, confirmed: bool, purchases: bool):
    import datetime

    from tests.factories import AgreementAcceptanceFactory

    customer = customer_admin.customer
    ResellerRelationshipFactory(partner=partner, customer=customer)
    if purchases:
        SubscriptionFactory(partner=partner, customer=customer)
    if confirmed:
        AgreementAcceptanceFactory(
            partner=partner, customer=customer, date_agreed=datetime.date(2026, 12, 7)
        )
    client.force_login(customer_admin)
    return client.get(link(partner=partner)).content.decode()


@pytest.mark.parametrize("purchases", [True, False])
def test_an_accepted_invitation_shows_what_is_in_place_and_no_form(
    client, customer_admin, purchases
):
    fabrikam = PartnerFactory(name="Fabrikam Cloud Solutions")
    page = _in_place_page(client, customer_admin, fabrikam, confirmed=True, purchases=purchases)
    assert "Reseller relationship with Fabrikam Cloud Solutions since" in page
    assert (
        "Fabrikam Cloud Solutions confirmed your acceptance of the Microsoft Customer "
        "Agreement on Dec. 7, 2026." in page
    )
    assert "<form" not in page.split("<main")[1] and "Accept</button>" not in page
    assert "reach out to your Partner" not in page, "A9 only when the partner hasn't confirmed"


def test_a9_shows_on_an_accepted_invitation_only_while_the_partner_hasnt_confirmed(
    client, customer_admin
):
    fabrikam = PartnerFactory(name="Fabrikam Cloud Solutions")
    page = _in_place_page(client, customer_admin, fabrikam, confirmed=False, purchases=True)
    assert "reach out to your Partner" in page and "<form" not in page.split("<main")[1]


def test_a_new_invitation_names_the_partners_confirmation_instead_of_a9(client, customer_admin):
    import datetime

    from tests.factories import AgreementAcceptanceFactory

    fabrikam, northwind = PartnerFactory(name="Fabrikam"), PartnerFactory(name="Northwind")
    customer = customer_admin.customer
    ResellerRelationshipFactory(partner=fabrikam, customer=customer)
    SubscriptionFactory(partner=fabrikam, customer=customer)
    AgreementAcceptanceFactory(
        partner=northwind, customer=customer, date_agreed=datetime.date(2026, 11, 2)
    )
    client.force_login(customer_admin)
    page = client.get(link(partner=northwind)).content.decode()
    assert "Northwind confirmed your acceptance" in page and "reach out to your Partner" not in page
    assert 'name="accept_relationship"' in page


def test_the_in_place_page_speaks_korean(client, customer_admin):
    customer_admin.language = "ko"
    customer_admin.save()
    client.cookies["django_language"] = "ko"
    page = _in_place_page(
        client, customer_admin, PartnerFactory(name="Fabrikam"), confirmed=True, purchases=False
    )
    assert "이 초대를 이미 수락했습니다" in page
    assert (
        "Fabrikam에서 2026. 12. 7.에 Microsoft 고객 계약에 대한 귀하의 동의를 확인했습니다." in page
    )


def test_a_second_tab_accepting_after_the_first_is_shown_what_is_in_place(client, customer_admin):
    """A tab that posts after another tab accepted gets what a reload gets, by redirect."""
    fabrikam = PartnerFactory(name="Fabrikam Cloud Solutions")
    client.force_login(customer_admin)
    url = link(partner=fabrikam)
    assert 'name="accept_relationship"' in client.get(url).content.decode()
    ResellerRelationshipFactory(partner=fabrikam, customer=customer_admin.customer)  # the other tab
    response = client.post(url, {**submission_key(), "accept_relationship": "on"})
    assert response.status_code == 302 and response.url == url
    page = client.get(response.url).content.decode()
    assert "You have already accepted this invitation" in page
    assert "Reseller relationship with Fabrikam Cloud Solutions since" in page
