"""Agreement status rows (issue: status as data): kept by every service path, provably derivable.

After each path that changes what the rows derive from, the rows the services
kept must equal what ``agreement_status_rebuild`` computes from scratch. These
tests create data through the services and views only (never factories for
relationships or records, which keep rows themselves), so a service that
forgot to sync fails here.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from agreements.models import AgreementStatusRow, AgreementTemplate
from agreements.services import (
    acceptance_record,
    agreement_status_sync,
    direct_acceptance_record,
)
from agreements.status import agreement_status_rebuild
from customers.models import Customer
from customers.workflows import customer_create
from partnercenter.tenant.roles import Role
from relationships.admincenter.workflows import invitation_accept
from relationships.invitations import InvitationKind
from relationships.models import ResellerRelationship
from relationships.selectors import ParsedInvitation
from relationships.workflows import relationship_remove
from tests.customers.test_wizard import ACCOUNT
from tests.factories import (
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ROW_FIELDS = [f.attname for f in AgreementStatusRow._meta.concrete_fields if f.name != "id"]


def snapshot():
    return sorted(AgreementStatusRow.objects.values_list(*ROW_FIELDS))


def assert_rows_are_derivable():
    kept = snapshot()
    agreement_status_rebuild()
    assert snapshot() == kept


def account(prefix):
    fields = {k: v for k, v in ACCOUNT.items() if k != "contact_phone"}
    return {**fields, "domain_prefix": prefix, "contact_phone": "+82 2 3456 7890"}


def attestation(**overrides):
    return {
        "date_agreed": datetime.date(2026, 11, 1),
        "first_name": "Minji",
        "last_name": "Kang",
        "email": "minji@contoso.example",
        "phone": "",
        **overrides,
    }


@pytest.fixture
def agent(make_user):
    return make_user(Role.ADMIN_AGENT)


def test_new_customer_with_and_without_attestation(agent):
    customer_create(user=agent, account=account("withattest"), attestation=attestation())
    customer_create(user=agent, account=account("invitelater"))
    statuses = dict(AgreementStatusRow.objects.values_list("domain_prefix", "status"))
    assert statuses == {"withattest": "confirmed", "invitelater": "not_confirmed"}
    assert_rows_are_derivable()


def test_attestations_and_history_move_the_partners_row_only_a8(agent, make_user, other_partner):
    created = customer_create(user=agent, account=account("shared"))
    other = UserFactory(partner=other_partner, roles=[Role.ADMIN_AGENT])
    ResellerRelationship.objects.create(partner=other_partner, customer=created.customer)
    agreement_status_sync(created.customer)  # as the relationship's own service would
    acceptance_record(customer=created.customer, user=other, **attestation())
    mine = AgreementStatusRow.objects.get(partner=agent.partner)
    assert mine.status == "not_confirmed"  # A8: another partner's confirmation doesn't count
    acceptance_record(customer=created.customer, user=agent, **attestation(first_name="Jiho"))
    mine.refresh_from_db()
    assert mine.status == "confirmed"
    assert_rows_are_derivable()


def test_a_direct_acceptance_moves_every_partners_row(agent):
    created = customer_create(user=agent, account=account("direct"))
    direct_acceptance_record(user=created.admin)
    row = AgreementStatusRow.objects.get(customer=created.customer)
    assert row.status == "accepted_by_customer" and row.agreement_accepted_at is not None
    assert_rows_are_derivable()


def test_accepting_invitations_creates_rows_for_reseller_and_provider():
    customer = CustomerFactory()
    admin = UserFactory(partner=None, customer=customer, username="admin@inv.example")
    direct_partner = PartnerFactory()
    partnership = IndirectPartnershipFactory()
    for invitation in (
        ParsedInvitation(InvitationKind.RESELLER, direct_partner, None, False),
        ParsedInvitation(
            InvitationKind.INDIRECT_RESELLER, partnership.reseller, partnership.provider, True
        ),
    ):
        invitation_accept(
            user=admin, invitation=invitation, accept_relationship=True, accept_agreement=True
        )
    rows = {r.partner_id: r for r in AgreementStatusRow.objects.filter(customer=customer)}
    assert set(rows) == {direct_partner.pk, partnership.reseller_id, partnership.provider_id}
    assert rows[partnership.reseller_id].provider_id == partnership.provider_id
    assert all(r.relationship_accepted_at for r in rows.values())
    assert_rows_are_derivable()


def test_removing_the_relationship_removes_the_row(agent):
    created = customer_create(user=agent, account=account("removed"), attestation=attestation())
    relationship_remove(user=agent, relationship=created.relationship, confirmed=True)
    assert not AgreementStatusRow.objects.filter(customer=created.customer).exists()
    assert_rows_are_derivable()


def add_mca_version_2(staff_client):
    """Add version 2 of the MCA in Django admin, as back-office staff; returns the response."""
    old = AgreementTemplate.objects.get(agreement_type="MicrosoftCustomerAgreement")
    return staff_client.post(
        reverse("admin:agreements_agreementtemplate_add"),
        {
            "agreement_type": old.agreement_type,
            "template_id": old.template_id,
            "version_rank": 2,
            "link": old.link,
            "in_force_from": old.in_force_from,
            "documents-TOTAL_FORMS": 0,
            "documents-INITIAL_FORMS": 0,
        },
    )


def test_a_template_version_added_by_staff_keeps_rows_in_step(agent, admin_client):
    customer_create(user=agent, account=account("versioned"), attestation=attestation())
    old = AgreementTemplate.objects.get(agreement_type="MicrosoftCustomerAgreement")
    assert add_mca_version_2(admin_client).status_code == 302
    # Confirmed by type: the record names version 1, the current agreement is version 2.
    row = AgreementStatusRow.objects.get()
    assert row.status == "confirmed" and row.attested_template_id == old.pk
    assert_rows_are_derivable()


def test_staff_edits_of_customers_and_relationships_keep_rows_in_step(agent, admin_client):
    created = customer_create(user=agent, account=account("renamed"))
    customer = created.customer
    data = {
        f.name: getattr(customer, f.attname)
        for f in Customer._meta.concrete_fields
        if f.editable and f.name not in {"id", "tenant_id"}
    }
    data.update({"company_name": "Zebra Renamed", "contact_phone": "+82 2 3456 7890"})
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    assert admin_client.post(url, {k: v or "" for k, v in data.items()}).status_code == 302
    assert AgreementStatusRow.objects.get().sort_name == "zebra renamed"
    relationship = created.relationship
    url = reverse("admin:relationships_resellerrelationship_change", args=[relationship.pk])
    response = admin_client.post(
        url,
        {
            "partner": relationship.partner_id,
            "customer": customer.pk,
            "state": "removed",
            "source": relationship.source,
            "since_0": "2026-01-01",
            "since_1": "00:00:00",
            "removed_at_0": "2026-11-01",
            "removed_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not AgreementStatusRow.objects.exists()
    assert_rows_are_derivable()


def test_the_rebuild_command_prints_what_it_did(agent, capsys):
    customer_create(user=agent, account=account("command"))
    AgreementStatusRow.objects.all().delete()
    call_command("rebuild_agreement_status")
    assert "1 status rows" in capsys.readouterr().out
    assert AgreementStatusRow.objects.count() == 1
