"""Pending partnership invitations finished from the UI, on both sides.

The reseller's **Indirect providers** page lists the invitations addressed to
it, and a signed-in Global admin authorizes one without the emailed link; the
provider gets a fresh link to copy (**Get link**) when it sends its own email.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnercenter.models import Partner
from partnercenter.tenant.roles import Role
from partnercenter.web.sealing import token_digest
from relationships.models import IndirectPartnership, PartnershipInvitation
from tests.factories import PartnerFactory, PartnershipInvitationFactory, UserFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
MANAGE_PARTNERSHIPS = {Role.GLOBAL_ADMIN, Role.USER_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}
RESELLER = Partner.PartnerType.INDIRECT_RESELLER
PROVIDER = Partner.PartnerType.INDIRECT_PROVIDER
PROVIDERS_PAGE = reverse("relationships:indirect_providers")


def submission_key():
    """A form's hidden double-submit key (partnercenter.web.pages.SUBMISSION_KEY)."""
    return {"submission_key": str(uuid.uuid4())}


def _review(invitation):
    return reverse("relationships:partnership_invitation_review", args=[invitation.pk])


def _get_link(invitation):
    return reverse("relationships:partnership_invitation_link", args=[invitation.pk])


# --- The reseller's side ---------------------------------------------------------------


def test_the_indirect_providers_page_lists_invitations_addressed_to_the_partner(client):
    reseller = PartnerFactory(partner_type=RESELLER)
    waiting = PartnershipInvitationFactory(reseller=reseller, provider__name="Northwind Dist")
    expired = PartnershipInvitationFactory(
        reseller=reseller,
        provider__name="Litware Dist",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    PartnershipInvitationFactory(
        reseller=reseller,
        provider__name="Accepted Dist",
        state=PartnershipInvitation.State.ACCEPTED,
        accepted_at=timezone.now(),
    )
    PartnershipInvitationFactory(provider__name="Someone Elses Dist")  # to another reseller
    client.force_login(UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]))
    html = client.get(PROVIDERS_PAGE).content.decode()
    listed = html.split('data-testid="received-invitations"')[1].split("</ul>")[0]
    assert "Northwind Dist" in listed and f'href="{_review(waiting)}"' in listed
    assert "Litware Dist" in listed and "Expired" in listed
    assert f'href="{_review(expired)}"' not in listed  # only the provider can renew it
    assert "Ask Litware Dist for a new one." in listed
    assert "Accepted Dist" not in html and "Someone Elses Dist" not in html


def test_a_signed_in_global_admin_authorizes_a_listed_invitation_without_the_link(client):
    invitation = PartnershipInvitationFactory(provider__name="Northwind Dist")
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]))
    page = client.get(_review(invitation))
    assert page.status_code == 200
    assert b"Northwind Dist invites" in page.content
    refused = client.post(_review(invitation), {})
    assert refused.status_code == 200
    assert refused.context["form"].errors["confirm"] == [
        "Check the box to confirm the partnership."
    ]
    assert not IndirectPartnership.objects.exists()

    response = client.post(_review(invitation), {"confirm": "on"})
    assert response.status_code == 302 and response.url == PROVIDERS_PAGE
    partnership = IndirectPartnership.objects.get()
    assert (partnership.provider, partnership.reseller) == (
        invitation.provider,
        invitation.reseller,
    )
    invitation.refresh_from_db()
    assert invitation.state == PartnershipInvitation.State.ACCEPTED
    html = client.get(PROVIDERS_PAGE).content.decode()
    assert "received-invitations" not in html and "Northwind Dist" in html
    # Accepted: the page says so, and a second authorization adds nothing.
    assert b"This invitation was already accepted." in client.get(_review(invitation)).content
    client.post(_review(invitation), {"confirm": "on"})
    assert IndirectPartnership.objects.count() == 1


def test_a_double_click_on_authorize_lands_where_the_first_did(client):
    invitation = PartnershipInvitationFactory()
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]))
    data = {"confirm": "on", **submission_key()}
    first = client.post(_review(invitation), data)
    second = client.post(_review(invitation), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert IndirectPartnership.objects.count() == 1


def test_other_roles_see_who_can_authorize_and_are_refused(client):
    invitation = PartnershipInvitationFactory()
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.ADMIN_AGENT]))
    page = client.get(_review(invitation)).content.decode()
    assert 'data-testid="needs-global-admin"' in page
    assert "Only a Global admin of the invited reseller can authorize" in page
    assert 'name="confirm"' not in page
    assert client.post(_review(invitation), {"confirm": "on"}).status_code == 403
    assert not IndirectPartnership.objects.exists()


def test_an_expired_listed_invitation_authorizes_nothing(client):
    invitation = PartnershipInvitationFactory(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]))
    assert client.get(_review(invitation)).status_code == 410
    assert client.post(_review(invitation), {"confirm": "on"}).status_code == 410
    assert not IndirectPartnership.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "0", "-1", "abc", "1%00"])
def test_tampered_invitation_ids_are_404(client, pk):
    invitation = PartnershipInvitationFactory()
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]))
    url = f"/indirect-providers/invitations/{pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404


def test_an_invitation_to_another_reseller_is_404_even_for_its_provider(client):
    invitation = PartnershipInvitationFactory()
    for partner in (PartnerFactory(partner_type=RESELLER), invitation.provider):
        client.force_login(UserFactory(partner=partner, roles=list(Role)))
        assert client.get(_review(invitation)).status_code == 404
        assert client.post(_review(invitation), {"confirm": "on"}).status_code == 404
    assert not IndirectPartnership.objects.exists()


def test_review_follows_the_permission_matrix(client):
    def build(partner):
        return _review(PartnershipInvitationFactory(reseller=partner))

    # Any user of the invited reseller reads it, as with the emailed link;
    # only a Global admin authorizes.
    assert_permission_matrix(client, build_url=build, allowed=set(Role), partner_type=RESELLER)
    assert_permission_matrix(
        client,
        build_url=build,
        method="post",
        data={"confirm": "on"},
        allowed={Role.GLOBAL_ADMIN},
        partner_type=RESELLER,
    )


# --- The provider's side ---------------------------------------------------------------


def test_get_link_shows_a_fresh_link_once_and_emails_nothing(client, run_jobs):
    invitation = PartnershipInvitationFactory(
        provider__name="Northwind Dist", reseller__name="Tailspin IT", email="ga@tailspin.example"
    )
    old_link = reverse("relationships:authorize", args=[invitation.token])
    provider_agent = UserFactory(partner=invitation.provider, roles=[Role.SALES_AGENT])
    client.force_login(provider_agent)
    resellers = client.get(reverse("relationships:indirect_resellers")).content.decode()
    assert f'action="{_get_link(invitation)}"' in resellers

    response = client.post(_get_link(invitation), submission_key())
    assert response.status_code == 302 and response.url == _get_link(invitation)
    page = client.get(response.url)
    html = page.content.decode()
    email = page.context["email"]
    assert "Copy to clipboard" in html and "Open in email" in html
    assert email.to == "ga@tailspin.example"
    assert "Northwind Dist invites Tailspin IT" in email.body and email.url in email.body
    assert email.url in html and "mailto:ga@tailspin.example?subject=" in html
    new_link = re.search(r"(/indirect-providers/authorize/[^/]+/)", email.url)[1]
    invitation.refresh_from_db()
    assert invitation.token_hash == token_digest(new_link.rstrip("/").rsplit("/", 1)[1])
    assert invitation.sent_by == provider_agent
    run_jobs()
    assert mail.outbox == []  # the provider sends it from its own email app

    # Shown once: a reload explains and offers a new link instead.
    again = client.get(_get_link(invitation)).content.decode()
    assert 'data-testid="link-shown"' in again and email.url not in again

    reseller_admin = UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN])
    client.force_login(reseller_admin)
    assert client.get(old_link).status_code == 404  # the earlier link stopped working
    assert client.post(new_link, {"confirm": "on"}).status_code == 302
    assert IndirectPartnership.objects.filter(provider=invitation.provider).exists()

    client.force_login(provider_agent)  # accepted: nothing to renew any more
    assert client.post(_get_link(invitation)).status_code == 404


def test_get_link_renews_an_expired_invitation(client):
    invitation = PartnershipInvitationFactory(
        expires_at=timezone.now() - timedelta(days=1), state=PartnershipInvitation.State.EXPIRED
    )
    client.force_login(UserFactory(partner=invitation.provider, roles=[Role.ADMIN_AGENT]))
    client.post(_get_link(invitation))
    invitation.refresh_from_db()
    assert invitation.state == PartnershipInvitation.State.PENDING
    assert invitation.expires_at > timezone.now() + timedelta(days=29)


def test_a_double_click_on_get_link_makes_one_link(client):
    invitation = PartnershipInvitationFactory()
    client.force_login(UserFactory(partner=invitation.provider, roles=[Role.ADMIN_AGENT]))
    key = submission_key()
    first = client.post(_get_link(invitation), key)
    invitation.refresh_from_db()
    made = invitation.token_hash
    second = client.post(_get_link(invitation), key)
    invitation.refresh_from_db()
    assert first.url == second.url and invitation.token_hash == made
    assert client.get(first.url).context["email"] is not None


def test_get_link_is_404_for_other_partners_and_tampered_ids(client):
    invitation = PartnershipInvitationFactory()
    before = invitation.token_hash
    for partner in (PartnerFactory(partner_type=PROVIDER), invitation.reseller):
        client.force_login(UserFactory(partner=partner, roles=list(Role)))
        assert client.get(_get_link(invitation)).status_code == 404
        assert client.post(_get_link(invitation)).status_code == 404
    client.force_login(UserFactory(partner=invitation.provider, roles=[Role.ADMIN_AGENT]))
    for pk in ("999999", "abc"):
        assert client.post(f"/indirect-resellers/invitations/{pk}/link/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.token_hash == before


def test_get_link_follows_the_permission_matrix(client):
    def build(partner):
        return _get_link(PartnershipInvitationFactory(provider=partner))

    for method in ("get", "post"):
        assert_permission_matrix(
            client,
            build_url=build,
            method=method,
            allowed=MANAGE_PARTNERSHIPS,
            partner_type=PROVIDER,
        )


@pytest.mark.parametrize("name", ["partnership_invitation_link", "partnership_invitation_resend"])
def test_an_invitation_accepted_during_get_link_or_resend_is_404_not_500(client, monkeypatch, name):
    # The race: the view found it pending, then the reseller accepted before the lock.
    from relationships import views

    invitation = PartnershipInvitationFactory(
        state=PartnershipInvitation.State.ACCEPTED, accepted_at=timezone.now()
    )
    monkeypatch.setattr(
        views, "pending_partnership_invitations", lambda partner: PartnershipInvitation.objects
    )
    client.force_login(UserFactory(partner=invitation.provider, roles=[Role.ADMIN_AGENT]))
    before = invitation.token_hash
    url = reverse(f"relationships:{name}", args=[invitation.pk])
    assert client.post(url, submission_key()).status_code == 404
    invitation.refresh_from_db()
    assert invitation.token_hash == before
