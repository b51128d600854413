"""Django admin for back-office staff: every list, search, filter and form answers."""

import pytest
from django.urls import reverse

from partnercenter.tenant.roles import Role
from tests.factories import (
    IndirectPartnershipFactory,
    ResellerRelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(partner=None, is_staff=True, is_superuser=True))
    return client


MODELS = [
    "partnercenter/partner",
    "partnercenter/user",
    "customers/customer",
    "relationships/resellerrelationship",
    "relationships/indirectpartnership",
    "agreements/agreementtemplate",
    "agreements/agreementdocument",
    "agreements/agreementacceptance",
    "customers/subscription",
    "relationships/invitation",
    "relationships/partnershipinvitation",
]
# Customers are created by partners through New customer, which also makes the
# admin account and the relationship; Django admin doesn't offer a bare "add".
NO_ADD = {"customers/customer", "relationships/invitation", "relationships/partnershipinvitation"}


@pytest.mark.parametrize("model", MODELS)
def test_each_changelist_add_form_and_search_answers(staff_client, model):
    ResellerRelationshipFactory()
    IndirectPartnershipFactory()
    base = f"/admin/{model}/"
    assert staff_client.get(base).status_code == 200
    assert staff_client.get(base, {"q": "contoso"}).status_code == 200
    assert staff_client.get(f"{base}add/").status_code == (403 if model in NO_ADD else 200)


def test_staff_see_and_edit_a_users_roles(staff_client):
    user = UserFactory(roles=[Role.SALES_AGENT])
    page = staff_client.get(reverse("admin:partnercenter_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert b"Roles" in page.content
    listing = staff_client.get(
        reverse("admin:partnercenter_user_changelist"), {"groups__id__exact": user.groups.get().pk}
    )
    assert user.email.encode() in listing.content


def test_partner_users_without_staff_flag_cannot_open_django_admin(client):
    client.force_login(UserFactory(roles=[Role.GLOBAL_ADMIN]))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
