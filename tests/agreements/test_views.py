"""Account info → Microsoft Customer Agreement → Update (seed 000, existing customers)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementAcceptance
from partnercenter.tenant.roles import Role
from tests.factories import (
    AgreementAcceptanceFactory,
    IndirectPartnershipFactory,
    ResellerRelationshipFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
ATTEST = {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}
VALID = {
    "first_name": "Jiho",
    "last_name": "Lim",
    "email": "jiho.lim@contoso.example",
    "phone": "",
    "date_agreed": "2026-11-01",
}


def _update_url(partner):
    return reverse(
        "agreements:update", args=[ResellerRelationshipFactory(partner=partner).customer.pk]
    )


def test_update_page_follows_the_permission_matrix_a5(client):
    assert_permission_matrix(client, build_url=_update_url, allowed=ATTEST)


def test_update_post_follows_the_permission_matrix_a5(client):
    assert_permission_matrix(
        client, build_url=_update_url, method="post", data=VALID, allowed=ATTEST
    )


def test_the_form_starts_with_the_primary_contact_a4(client, admin_agent):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__contact_first_name="Minji",
        customer__contact_email="m@c.example",
    ).customer
    client.force_login(admin_agent)
    form = client.get(reverse("agreements:update", args=[customer.pk])).context["form"]
    assert form["first_name"].value() == "Minji" and form["email"].value() == "m@c.example"
    assert form["phone"].value() == "02-3456-7890"


def test_saving_records_a_new_confirmation_and_keeps_the_old_one_as_history(client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    old = AgreementAcceptanceFactory(customer=customer, partner=admin_agent.partner)
    client.force_login(admin_agent)
    response = client.post(reverse("agreements:update", args=[customer.pk]), VALID)
    assert response.url == reverse("customers:detail", args=[customer.pk])
    new = AgreementAcceptance.objects.exclude(pk=old.pk).get()
    assert (new.first_name, new.date_agreed, new.recorded_by) == (
        "Jiho",
        datetime.date(2026, 11, 1),
        admin_agent,
    )
    page = client.get(response.url)
    assert page.context["summary"].current == new
    assert page.context["summary"].history == [new, old]


def test_a1_today_in_seoul_is_accepted_at_8_am_kst(client, make_user, monkeypatch):
    user = make_user(Role.SALES_AGENT, time_zone="Asia/Seoul")
    customer = ResellerRelationshipFactory(partner=user.partner).customer
    moment = datetime.datetime(2026, 11, 20, 23, 0, tzinfo=datetime.UTC)  # 08:00 KST on the 21st
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client.force_login(user)
    response = client.post(
        reverse("agreements:update", args=[customer.pk]), {**VALID, "date_agreed": "2026-11-21"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("agreements:update", args=[customer.pk]), {**VALID, "date_agreed": "2026-11-22"}
    )
    assert response.context["form"].errors["date_agreed"] == [
        "The agreement acceptance date can't be in the future."
    ]
    assert AgreementAcceptance.objects.count() == 1


def test_a6_an_indirect_reseller_gets_403_naming_its_provider(client, make_user):
    partnership = IndirectPartnershipFactory(provider__name="Northwind Distribution")
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    client.force_login(make_user(Role.GLOBAL_ADMIN, partner=partnership.reseller))
    for response in (
        client.get(reverse("agreements:update", args=[customer.pk])),
        client.post(reverse("agreements:update", args=[customer.pk]), VALID),
    ):
        assert response.status_code == 403
        assert b"Ask your indirect provider (Northwind Distribution)" in response.content
        # The rule's reason alone: a reseller's Global admin can't ask for another role (#15).
        assert b"Your roles don&#x27;t allow" not in response.content
    assert not AgreementAcceptance.objects.exists()


def test_a7_a_national_cloud_customer_gets_a_clear_error_and_nothing_is_saved(client, admin_agent):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__cloud_instance="germany"
    ).customer
    client.force_login(admin_agent)
    response = client.post(reverse("agreements:update", args=[customer.pk]), VALID)
    assert response.status_code == 200
    assert "national clouds" in " ".join(response.context["form"].non_field_errors())
    assert not AgreementAcceptance.objects.exists()


def test_a12_an_identical_duplicate_is_refused_on_the_page(client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    client.post(reverse("agreements:update", args=[customer.pk]), VALID)
    response = client.post(reverse("agreements:update", args=[customer.pk]), VALID)
    assert response.context["form"].non_field_errors() == ["This confirmation already exists."]
    assert AgreementAcceptance.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**VALID, "first_name": ""}, "first_name"),
        ({**VALID, "last_name": ""}, "last_name"),
        ({**VALID, "email": "x@"}, "email"),
        ({**VALID, "phone": "+1 555"}, "phone"),
        ({**VALID, "date_agreed": ""}, "date_agreed"),
        ({**VALID, "date_agreed": "2019-01-01"}, "date_agreed"),
    ],
)
def test_a3_bad_input_is_refused_beside_the_field(client, admin_agent, data, field):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    response = client.post(reverse("agreements:update", args=[customer.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not AgreementAcceptance.objects.exists()


def test_another_partners_customer_is_404_and_unchanged(client, admin_agent, other_partner):
    stranger = ResellerRelationshipFactory(partner=other_partner).customer
    client.force_login(admin_agent)
    assert client.post(reverse("agreements:update", args=[stranger.pk]), VALID).status_code == 404
    assert not AgreementAcceptance.objects.exists()


def test_update_marks_what_a3_requires_and_has_cancel(client, admin_agent):
    """The Update form marks A3's fields required and offers **Cancel**."""
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    client.force_login(admin_agent)
    page = client.get(reverse("agreements:update", args=[customer.pk]))
    form = page.context["form"]
    required = [name for name, field in form.fields.items() if field.required]
    assert required == ["first_name", "last_name", "email", "date_agreed"]
    assert page.content.count(b"asteriskField") == 4
    detail = re.escape(reverse("customers:detail", args=[customer.pk]).encode())
    assert re.search(rb'<a class="btn btn-link" href="' + detail + rb'">Cancel</a>', page.content)
    blank = dict.fromkeys(["first_name", "last_name", "email", "phone", "date_agreed"], "")
    response = client.post(reverse("agreements:update", args=[customer.pk]), blank)
    errors = response.context["form"].errors
    assert errors["date_agreed"] == ["Enter the agreement acceptance date."], errors
