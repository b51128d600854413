"""Reseller relationships and indirect partnerships: pages, flows, bad input (docs/relationships.md, seed 004)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from partnercenter.models import Partner
from partnercenter.tenant.roles import Role
from partnercenter.web.sealing import token_digest
from relationships.models import (
    IndirectPartnership,
    Invitation,
    PartnershipInvitation,
    ResellerRelationship,
)
from tests.factories import (
    IndirectPartnershipFactory,
    PartnerFactory,
    PartnershipInvitationFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
MANAGE_PARTNERSHIPS = {Role.GLOBAL_ADMIN, Role.USER_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}
INVITE = {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}
REMOVE = {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT}
RESELLER = Partner.PartnerType.INDIRECT_RESELLER
PROVIDER = Partner.PartnerType.INDIRECT_PROVIDER


def _partnership_url(name, side):
    def build(partner):
        if side == "provider":
            partnership = IndirectPartnershipFactory(provider=partner)
        else:
            partnership = IndirectPartnershipFactory(reseller=partner)
        return reverse(name, args=[partnership.pk])

    return build


# --- permission matrices ---------------------------------------------------------------


def test_indirect_providers_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:indirect_providers"),
        allowed=MANAGE_PARTNERSHIPS,
        partner_type=RESELLER,
        scoped=False,
    )


def test_indirect_resellers_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:indirect_resellers"),
        allowed=MANAGE_PARTNERSHIPS,
        partner_type=PROVIDER,
        scoped=False,
    )


def test_request_a_reseller_relationship_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=lambda p: reverse("relationships:request"), allowed=INVITE, scoped=False
    )


def test_sending_an_invitation_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:request"),
        method="post",
        allowed=INVITE,
        scoped=False,
        data={"subject": "Hi", "text": "Hello", "to_email": "it@contoso.example"},
    )


def test_invite_new_customers_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=_partnership_url("relationships:invite_customers", "reseller"),
        allowed=INVITE,
        partner_type=RESELLER,
    )


def test_partnership_invite_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:partnership_invite"),
        allowed=MANAGE_PARTNERSHIPS,
        partner_type=PROVIDER,
        scoped=False,
    )


def test_view_customers_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=_partnership_url("relationships:partnership_customers", "provider"),
        allowed=set(Role),
        partner_type=PROVIDER,
    )


def test_end_partnership_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=_partnership_url("relationships:partnership_end", "reseller"),
        method="post",
        allowed=MANAGE_PARTNERSHIPS,
        partner_type=RESELLER,
    )


def test_remove_relationship_follows_the_permission_matrix(client):
    def build(partner):
        return reverse(
            "relationships:remove", args=[ResellerRelationshipFactory(partner=partner).customer.pk]
        )

    assert_permission_matrix(client, build_url=build, allowed=REMOVE)
    assert_permission_matrix(
        client, build_url=build, method="post", data={"confirm": "on"}, allowed=REMOVE
    )


def test_authorize_link_is_404_for_other_partners_and_403_for_non_global_admins(client, make_user):
    reseller = PartnerFactory(partner_type=RESELLER)
    invitation = PartnershipInvitationFactory(
        provider=PartnerFactory(partner_type=PROVIDER),
        reseller=reseller,
        email="a@b.example",
        token="t0k3n",
        sent_by=make_user(Role.GLOBAL_ADMIN),
    )
    url = reverse("relationships:authorize", args=[invitation.token])
    assert client.get(url).status_code == 302
    client.force_login(make_user(Role.GLOBAL_ADMIN, partner=PartnerFactory(partner_type=RESELLER)))
    assert client.get(url).status_code == 404
    assert client.get(reverse("relationships:authorize", args=["nope"])).status_code == 404
    for role in (Role.ADMIN_AGENT, Role.USER_ADMIN, Role.BILLING_ADMIN):
        client.force_login(make_user(role, partner=reseller))
        assert client.post(url, {"confirm": "on"}).status_code == 403
    assert not IndirectPartnership.objects.exists()


# --- Request a reseller relationship ---------------------------------------------------


def test_the_draft_carries_partner_centers_reseller_url(client, admin_agent, settings):
    client.force_login(admin_agent)
    page = client.get(reverse("relationships:request"))
    url = page.context["url"]
    parts = urlsplit(url)
    assert url.startswith(settings.ADMIN_CENTER_URL)
    assert parse_qs(parts.query) == {
        "invType": ["ResellerRelationship"],
        "partnerId": [str(admin_agent.partner.tenant_id)],
        "msppId": ["0"],
        "DAP": ["false"],
    }
    assert parts.fragment == "/BillingAccounts/partner-invitation"
    assert url in page.context["form"]["text"].value()
    assert page.context["url_dap"].endswith("DAP=true#/BillingAccounts/partner-invitation")


def test_sending_records_the_invitation_and_emails_after_commit(client, admin_agent, run_jobs):
    client.force_login(admin_agent)
    url = client.get(reverse("relationships:request")).context["url_dap"]
    response = client.post(
        reverse("relationships:request"),
        {
            "dap": "on",
            "subject": "Let's work together",
            "text": "Edited text without the link",
            "to_email": "it@contoso.example",
        },
    )
    run_jobs()
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (
        invitation.to_email,
        invitation.sent_by,
        invitation.delegated_admin,
        invitation.url,
    ) == ("it@contoso.example", admin_agent, True, url)
    assert (
        invitation.body == f"Edited text without the link\n\n{url}\n"
    )  # the link is always included
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["it@contoso.example"]
    assert url in mail.outbox[0].body
    page = client.get(reverse("relationships:request"))
    assert b"it@contoso.example" in page.content  # listed as sent


def test_switching_dap_replaces_the_link_in_the_edited_text(client, admin_agent):
    client.force_login(admin_agent)
    page = client.get(reverse("relationships:request"))
    no_dap, dap = page.context["url_no_dap"], page.context["url_dap"]
    client.post(
        reverse("relationships:request"),
        {"dap": "on", "subject": "S", "text": f"See {no_dap} please", "to_email": "a@b.example"},
    )
    body = Invitation.objects.get().body
    assert dap in body and no_dap not in body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "S", "text": "T", "to_email": "not-an-email"}, "to_email"),
        ({"subject": "S", "text": "T", "to_email": ""}, "to_email"),
        ({"subject": "", "text": "T", "to_email": "a@b.example"}, "subject"),
        ({"subject": "S", "text": "", "to_email": "a@b.example"}, "text"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_sent(
    client, admin_agent, data, field
):
    client.force_login(admin_agent)
    response = client.post(reverse("relationships:request"), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not Invitation.objects.exists() and not mail.outbox


def test_names_with_markup_are_escaped_in_html_and_intact_in_the_mailto(client, make_user):
    partner = PartnerFactory(name='Ha & "Sons" <script>alert(1)</script> #1\n한빛')
    agent = make_user(Role.SALES_AGENT, partner=partner, first_name="Jisoo", last_name="O'Neil")
    client.force_login(agent)
    page = client.get(reverse("relationships:request"))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    mailto = page.context["mailto"]
    body = parse_qs(urlsplit(mailto).query)["body"][0]
    assert partner.name.replace("\n", "\r\n") in body and page.context["url"] in body
    assert all(ch not in mailto for ch in ' \n<>"#')


# --- Indirect partnerships -------------------------------------------------------------


def test_a_provider_invites_a_reseller_who_authorizes_and_each_sees_the_other(
    client, make_user, run_jobs
):
    provider = PartnerFactory(partner_type=PROVIDER, name="Northwind Distribution")
    reseller = PartnerFactory(partner_type=RESELLER, name="Tailspin IT", mpn_id="2345678")
    client.force_login(make_user(Role.ADMIN_AGENT, partner=provider))
    response = client.post(
        reverse("relationships:partnership_invite"),
        {"reseller": "2345678", "email": "ga@tailspin.example"},
    )
    run_jobs()
    assert response.status_code == 302
    invitation = PartnershipInvitation.objects.get()
    link = re.search(r"https?://\S+(/indirect-providers/authorize/\S+/)", mail.outbox[0].body)[1]
    assert mail.outbox[0].to == ["ga@tailspin.example"]
    # Only the token's hash is kept: the database alone can't follow the link.
    assert invitation.token_hash == token_digest(link.rstrip("/").rsplit("/", 1)[1])
    assert invitation.token_hash not in mail.outbox[0].body

    reseller_admin = make_user(Role.GLOBAL_ADMIN, partner=reseller)
    client.force_login(reseller_admin)
    page = client.get(link)
    assert (
        b"Northwind Distribution" in page.content and b"Authorize indirect provider" in page.content
    )
    refused = client.post(link, {})
    assert refused.context["form"].errors["confirm"] and not IndirectPartnership.objects.exists()
    assert client.post(link, {"confirm": "on"}).url == reverse("relationships:indirect_providers")
    partnership = IndirectPartnership.objects.get()
    assert (partnership.provider, partnership.reseller, partnership.state) == (
        provider,
        reseller,
        "active",
    )
    assert (
        b"Northwind Distribution" in client.get(reverse("relationships:indirect_providers")).content
    )
    assert client.post(link, {"confirm": "on"}).status_code == 200  # used once only
    assert IndirectPartnership.objects.count() == 1

    client.force_login(make_user(Role.SALES_AGENT, partner=provider))
    assert b"Tailspin IT" in client.get(reverse("relationships:indirect_resellers")).content


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"reseller": "9999999", "email": "a@b.example"}, "reseller", "No indirect reseller has"),
        (
            {"reseller": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "email": "a@b.example"},
            "reseller",
            "No indirect",
        ),
        ({"reseller": "not an id", "email": "a@b.example"}, "reseller", "No indirect reseller has"),
        ({"reseller": "2345678", "email": "bad"}, "email", "valid email"),
    ],
)
def test_partnership_invite_bad_input_saves_nothing(client, make_user, data, field, text):
    provider = PartnerFactory(partner_type=PROVIDER)
    PartnerFactory(partner_type=RESELLER, mpn_id="2345678")
    client.force_login(make_user(Role.ADMIN_AGENT, partner=provider))
    response = client.post(reverse("relationships:partnership_invite"), data)
    assert any(text in e for e in response.context["form"].errors[field])
    assert not PartnershipInvitation.objects.exists() and not mail.outbox


def test_a_direct_bill_partner_cannot_be_invited_as_a_reseller(client, make_user):
    provider = PartnerFactory(partner_type=PROVIDER)
    direct = PartnerFactory(partner_type=Partner.PartnerType.DIRECT_BILL)
    client.force_login(make_user(Role.ADMIN_AGENT, partner=provider))
    response = client.post(
        reverse("relationships:partnership_invite"),
        {"reseller": direct.mpn_id, "email": "a@b.example"},
    )
    assert response.context["form"].errors["reseller"]


def test_view_customers_lists_the_customers_they_share(client, make_user):
    partnership = IndirectPartnershipFactory()
    shared = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    )
    ResellerRelationshipFactory(
        partner=partnership.reseller, customer__company_name="Reseller Only"
    )
    for partner in (partnership.provider, partnership.reseller):
        client.force_login(make_user(Role.ADMIN_AGENT, partner=partner))
        customers = list(
            client.get(
                reverse("relationships:partnership_customers", args=[partnership.pk])
            ).context["customers"]
        )
        assert customers == [shared.customer]


def test_either_side_ends_a_partnership_and_the_record_stays(client, make_user):
    partnership = IndirectPartnershipFactory()
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.provider))
    assert (
        client.post(reverse("relationships:partnership_end", args=[partnership.pk])).status_code
        == 302
    )
    partnership.refresh_from_db()
    assert partnership.state == "ended" and partnership.ended_at
    assert (
        client.post(reverse("relationships:partnership_end", args=[partnership.pk])).status_code
        == 404
    )


def test_invite_new_customers_carries_both_ids(client, make_user):
    partnership = IndirectPartnershipFactory(reseller__mpn_id="2345678")
    client.force_login(make_user(Role.SALES_AGENT, partner=partnership.reseller))
    page = client.get(reverse("relationships:invite_customers", args=[partnership.pk]))
    query = parse_qs(urlsplit(page.context["url"]).query)
    assert query == {
        "invType": ["IndirectResellerRelationship"],
        "partnerId": [str(partnership.reseller.tenant_id)],
        "msppId": ["2345678"],
        "indirectCSPId": [str(partnership.provider.tenant_id)],
        "DAP": ["false"],
    }


def test_invite_new_customers_needs_a_partnership_with_that_provider(client, make_user):
    partnership = IndirectPartnershipFactory()
    stranger = IndirectPartnershipFactory()
    client.force_login(make_user(Role.SALES_AGENT, partner=partnership.reseller))
    assert (
        client.get(reverse("relationships:invite_customers", args=[stranger.pk])).status_code == 404
    )
    # The provider's side of its own partnership has no such page either.
    client.force_login(make_user(Role.SALES_AGENT, partner=partnership.provider))
    assert (
        client.get(reverse("relationships:invite_customers", args=[partnership.pk])).status_code
        == 404
    )


def test_pages_of_the_other_partner_type_do_not_exist(client, make_user):
    client.force_login(make_user(Role.GLOBAL_ADMIN, partner=PartnerFactory(partner_type=RESELLER)))
    assert client.get(reverse("relationships:indirect_resellers")).status_code == 404
    assert client.get(reverse("relationships:partnership_invite")).status_code == 404
    client.force_login(make_user(Role.GLOBAL_ADMIN, partner=PartnerFactory(partner_type=PROVIDER)))
    assert client.get(reverse("relationships:indirect_providers")).status_code == 404


# --- Remove customer relationship ------------------------------------------------------


def test_removing_needs_the_statement_and_keeps_the_row_as_removed(client, admin_agent):
    relationship = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__company_name="Contoso"
    )
    url = reverse("relationships:remove", args=[relationship.customer.pk])
    client.force_login(admin_agent)
    page = client.get(url)
    assert b"in good faith, for a legitimate business purpose" in page.content
    refused = client.post(url, {})
    assert refused.context["form"].errors["confirm"]
    relationship.refresh_from_db()
    assert relationship.state == "active"
    response = client.post(url, {"confirm": "on"}, follow=True)
    assert b"Delegated admin privileges, if any, remain unchanged" in response.content
    assert b"no notice was sent to the customer" in response.content
    relationship.refresh_from_db()
    assert relationship.state == "removed" and relationship.removed_at
    assert b"Contoso" not in client.get(reverse("customers:list")).content
    assert client.post(url, {"confirm": "on"}).status_code == 404  # not active any more


def test_removing_is_refused_while_active_subscriptions_remain(client, admin_agent):
    relationship = ResellerRelationshipFactory(partner=admin_agent.partner)
    SubscriptionFactory(customer=relationship.customer, partner=admin_agent.partner)
    client.force_login(admin_agent)
    url = reverse("relationships:remove", args=[relationship.customer.pk])
    assert b"remove-blocked" in client.get(url).content
    response = client.post(url, {"confirm": "on"})
    assert "active subscriptions" in " ".join(response.context["form"].non_field_errors())
    relationship.refresh_from_db()
    assert relationship.state == "active"


def test_another_partners_subscriptions_do_not_block_removal(client, admin_agent, other_partner):
    relationship = ResellerRelationshipFactory(partner=admin_agent.partner)
    SubscriptionFactory(customer=relationship.customer, partner=other_partner)
    SubscriptionFactory(
        customer=relationship.customer, partner=admin_agent.partner, state="cancelled"
    )
    client.force_login(admin_agent)
    client.post(reverse("relationships:remove", args=[relationship.customer.pk]), {"confirm": "on"})
    relationship.refresh_from_db()
    assert relationship.state == "removed"


def test_a_provider_cannot_remove_its_resellers_relationship(client, make_user):
    partnership = IndirectPartnershipFactory()
    relationship = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    )
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.provider))
    assert (
        client.post(
            reverse("relationships:remove", args=[relationship.customer.pk]), {"confirm": "on"}
        ).status_code
        == 404
    )
    relationship.refresh_from_db()
    assert relationship.state == ResellerRelationship.State.ACTIVE


def test_after_send_the_page_keeps_the_delegated_admin_choice(client, admin_agent, run_jobs):
    """The link shown after **Send** is the one sent (DAP=true), not DAP=false."""
    client.force_login(admin_agent)
    response = client.post(
        reverse("relationships:request"),
        {"dap": "on", "subject": "S", "text": "Hello", "to_email": "it@contoso.example"},
        follow=True,
    )
    assert Invitation.objects.get().delegated_admin
    assert response.context["url"] == response.context["url_dap"]
    assert response.context["form"]["dap"].value() is True
