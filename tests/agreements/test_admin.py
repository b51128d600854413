"""Django admin for acceptances: evidence is read-only; new records go through the service."""

import pytest
from django.urls import reverse

from agreements.models import AgreementAcceptance, AgreementTemplate
from partnercenter.tenant.roles import Role
from tests.factories import AgreementAcceptanceFactory, ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(partner=None, is_staff=True, is_superuser=True))
    return client


def _form(customer, user, **overrides):
    data = {
        "customer": customer.pk,
        "recorded_by": user.pk,
        "template": AgreementTemplate.objects.current().pk,
        "date_agreed": "2026-11-01",
        "first_name": "Minji",
        "last_name": "Kang",
        "email": "minji@contoso.example",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_staff_record_a_confirmation_in_a_partner_users_name(staff_client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    response = staff_client.post(
        reverse("admin:agreements_agreementacceptance_add"), _form(customer, admin_agent)
    )
    assert response.status_code == 302
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.partner, acceptance.recorded_by, acceptance.method) == (
        admin_agent.partner,
        admin_agent,
        "partner_attestation",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"date_agreed": "2099-01-01"}, "date_agreed", "can't be in the future"),
        ({"date_agreed": "2019-01-01"}, "date_agreed", "came into force"),
        ({"email": "nope"}, "email", "valid email"),
    ],
)
def test_the_admin_form_applies_the_same_rules(staff_client, admin_agent, overrides, field, text):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    response = staff_client.post(
        reverse("admin:agreements_agreementacceptance_add"),
        _form(customer, admin_agent, **overrides),
    )
    assert response.status_code == 200
    assert any(text in e for e in response.context["adminform"].form.errors[field])
    assert not AgreementAcceptance.objects.exists()


def test_the_admin_refuses_a_user_who_may_not_attest(staff_client, make_user):
    helpdesk = make_user(Role.HELPDESK_AGENT)
    customer = ResellerRelationshipFactory(partner=helpdesk.partner).customer
    response = staff_client.post(
        reverse("admin:agreements_agreementacceptance_add"), _form(customer, helpdesk)
    )
    assert response.context["adminform"].form.errors["recorded_by"]
    assert not AgreementAcceptance.objects.exists()


def test_an_acceptance_can_be_viewed_but_not_changed_or_deleted(staff_client):
    acceptance = AgreementAcceptanceFactory(first_name="Original")
    change = reverse("admin:agreements_agreementacceptance_change", args=[acceptance.pk])
    assert staff_client.get(change).status_code == 200
    staff_client.post(change, {"first_name": "Edited"})
    acceptance.refresh_from_db()
    assert acceptance.first_name == "Original"
    delete = reverse("admin:agreements_agreementacceptance_delete", args=[acceptance.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert AgreementAcceptance.objects.filter(pk=acceptance.pk).exists()


def test_customers_filter_by_agreement_status(staff_client):
    confirmed = AgreementAcceptanceFactory(customer__company_name="Confirmed Co").customer
    ResellerRelationshipFactory(customer__company_name="Nothing Co")
    url = reverse("admin:customers_customer_changelist")
    assert (
        confirmed.company_name.encode() in staff_client.get(url, {"agreement": "confirmed"}).content
    )
    assert b"Nothing Co" not in staff_client.get(url, {"agreement": "confirmed"}).content
    none = staff_client.get(url, {"agreement": "none"}).content
    assert b"Nothing Co" in none and b"Confirmed Co" not in none
