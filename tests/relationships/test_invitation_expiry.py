"""Partnership invitation links expire and can be resent with a fresh link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnercenter.tenant.roles import MATRIX, Action, Role
from relationships.models import IndirectPartnership, PartnershipInvitation
from tests.factories import PartnershipInvitationFactory, UserFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db


def may_role(role, action):
    return action in MATRIX[role]


def _link(invitation):
    return reverse("relationships:authorize", args=[invitation.token])


def test_an_invitation_expires_after_the_configured_days(client, settings, run_jobs):
    settings.INVITATION_EXPIRY_DAYS = 30
    provider_agent = UserFactory(
        partner__partner_type="indirect_provider", roles=[Role.ADMIN_AGENT]
    )
    reseller = UserFactory(partner__partner_type="indirect_reseller", roles=[Role.GLOBAL_ADMIN])
    client.force_login(provider_agent)
    client.post(
        reverse("relationships:partnership_invite"),
        {"reseller": reseller.partner.mpn_id, "email": "ga@r.example"},
    )
    run_jobs()
    invitation = PartnershipInvitation.objects.get()
    assert abs(invitation.expires_at - (invitation.sent_at + timedelta(days=30))) < timedelta(
        seconds=5
    )
    assert "The link works until" in mail.outbox[0].body


def test_an_expired_link_says_so_and_authorizes_nothing(client):
    invitation = PartnershipInvitationFactory(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]))
    page = client.get(_link(invitation))
    assert page.status_code == 410
    assert "This invitation has expired — ask for a new one." in page.content.decode()
    assert client.post(_link(invitation), {"confirm": "on"}).status_code == 410
    assert not IndirectPartnership.objects.exists()


def test_a_1100_day_old_link_no_longer_works(client):
    sent = timezone.now() - timedelta(days=1100)
    invitation = PartnershipInvitationFactory(sent_at=sent, expires_at=sent + timedelta(days=30))
    client.force_login(UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]))
    assert client.post(_link(invitation), {"confirm": "on"}).status_code == 410
    assert not IndirectPartnership.objects.exists()


def test_the_sender_resends_a_fresh_link_and_the_old_one_stops_working(client, run_jobs):
    invitation = PartnershipInvitationFactory(expires_at=timezone.now() - timedelta(days=1))
    old_link = _link(invitation)
    provider_admin = UserFactory(partner=invitation.provider, roles=[Role.ADMIN_AGENT])
    client.force_login(provider_admin)
    page = client.get(reverse("relationships:indirect_resellers")).content.decode()
    assert "Expired" in page and "Resend" in page
    response = client.post(
        reverse("relationships:partnership_invitation_resend", args=[invitation.pk])
    )
    run_jobs()
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=29)
    new_link = re.search(r"(/indirect-providers/authorize/\S+/)", mail.outbox[0].body)[1]
    assert new_link != old_link

    reseller_admin = UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN])
    client.force_login(reseller_admin)
    assert client.get(old_link).status_code == 404
    response = client.post(new_link, {"confirm": "on"})
    assert response.status_code == 302
    assert IndirectPartnership.objects.filter(
        provider=invitation.provider, reseller=invitation.reseller
    ).exists()
    # Single use: the link doesn't authorize twice, and an accepted one isn't resent.
    invitation.refresh_from_db()
    assert invitation.state == PartnershipInvitation.State.ACCEPTED
    client.force_login(provider_admin)
    resend = reverse("relationships:partnership_invitation_resend", args=[invitation.pk])
    assert client.post(resend).status_code == 404


def test_resend_follows_the_permission_matrix(client):
    def build(partner):
        invitation = PartnershipInvitationFactory(provider=partner)
        return reverse("relationships:partnership_invitation_resend", args=[invitation.pk])

    assert_permission_matrix(
        client,
        build_url=build,
        method="post",
        allowed={role for role in Role if may_role(role, Action.MANAGE_PARTNERSHIPS)},
        partner_type="indirect_provider",
    )
