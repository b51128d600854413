"""Indirect providers / Indirect resellers pages (seed 004)."""

import pytest
from django.urls import reverse

from partnercenter.models import Partner
from partnercenter.roles import Role
from tests.factories import IndirectPartnershipFactory, PartnerFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
MANAGE_PARTNERSHIPS = {Role.GLOBAL_ADMIN, Role.USER_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}


def test_indirect_providers_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:indirect_providers"),
        allowed=MANAGE_PARTNERSHIPS,
        partner_type=Partner.PartnerType.INDIRECT_RESELLER,
        scoped=False,
    )


def test_indirect_resellers_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("relationships:indirect_resellers"),
        allowed=MANAGE_PARTNERSHIPS,
        partner_type=Partner.PartnerType.INDIRECT_PROVIDER,
        scoped=False,
    )


@pytest.mark.parametrize(
    ("partner_type", "page"),
    [
        (Partner.PartnerType.DIRECT_BILL, "relationships:indirect_providers"),
        (Partner.PartnerType.DIRECT_BILL, "relationships:indirect_resellers"),
        (Partner.PartnerType.INDIRECT_PROVIDER, "relationships:indirect_providers"),
        (Partner.PartnerType.INDIRECT_RESELLER, "relationships:indirect_resellers"),
    ],
)
def test_the_page_of_the_other_partner_type_does_not_exist(client, make_user, partner_type, page):
    user = make_user(Role.GLOBAL_ADMIN, partner=PartnerFactory(partner_type=partner_type))
    client.force_login(user)
    assert client.get(reverse(page)).status_code == 404


def test_each_side_sees_only_its_own_active_partners(client, make_user):
    partnership = IndirectPartnershipFactory(
        provider__name="Northwind Distribution", reseller__name="Tailspin IT"
    )
    IndirectPartnershipFactory(
        provider=partnership.provider,
        reseller__name="Ended Reseller",
        state="ended",
        ended_at="2026-01-01T00:00Z",
    )
    IndirectPartnershipFactory(reseller__name="Someone Elses Reseller")

    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.provider))
    page = client.get(reverse("relationships:indirect_resellers")).content
    assert b"Tailspin IT" in page
    assert b"Ended Reseller" not in page and b"Someone Elses Reseller" not in page

    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.reseller))
    page = client.get(reverse("relationships:indirect_providers")).content
    assert b"Northwind Distribution" in page
    assert str(partnership.provider.tenant_id).encode() in page


def test_the_navigation_offers_the_page_for_the_partner_type(client, make_user):
    partnership = IndirectPartnershipFactory()
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.reseller))
    page = client.get(reverse("customers:list")).content
    assert b"Indirect providers" in page and b"Indirect resellers" not in page
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.provider))
    page = client.get(reverse("customers:list")).content
    assert b"Indirect resellers" in page and b"Indirect providers" not in page
