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

from agreements.models import AgreementStatusRow, AgreementTemplate, BulkAttestation
from agreements.services import acceptance_record, direct_acceptance_record
from agreements.status import agreement_status_rebuild
from agreements.statusrows import agreement_status_sync
from customers.models import Customer
from customers.workflows import customer_create
from partnercenter.tenant.roles import Role
from relationships.admincenter.workflows import invitation_accept
from relationships.invitations import InvitationKind
from relationships.models import ResellerRelationship
from relationships.selectors import ParsedInvitation
from relationships.services import relationship_remove
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


# --- Every public writer keeps the rows in step itself ----------------------------------

#: The modules whose public functions write relationships, acceptance records or customers.
WRITER_MODULES = [
    "customers.services",
    "customers.workflows",
    "relationships.services",
    "relationships.admincenter.workflows",
    "agreements.services",
    "agreements.bulk.jobs",
]
#: Public functions that match the scan below but write none of the three: why not.
NOT_WRITERS = {
    # Builds and validates an unsaved record; acceptance_record saves it.
    "agreements.services.acceptance_build",
    # Writes the problems of a file, not records.
    "agreements.bulk.jobs.bulk_validate",
}


def _writes(source: str) -> bool:
    import re

    return bool(
        re.search(
            r"\b(ResellerRelationship|AgreementAcceptance|Customer)\(|"
            r"\b(relationship|acceptance|customer)\.save\(|"
            r"validated_save\((relationship|acceptance|customer)\b|"
            r"\b(ResellerRelationship|AgreementAcceptance|Customer)\.objects\S*\."
            r"(create|update|bulk_create|update_or_create)\(|"
            r"\bbulk_create\(",
            source,
        )
    )


def _scenario_world(agent):
    created = customer_create(user=agent, account=account("writer"))
    return created


def _bulk_record(agent):
    from agreements.bulk.jobs import bulk_confirm, bulk_record, bulk_start, bulk_validate

    created = _scenario_world(agent)
    header = "domain,tenant_id,company_name,first_name,last_name,email,phone,date_agreed"
    text = f"{header}\nwriter,,,Minji,Kang,it@writer.example,,2026-11-01\n"
    job = bulk_start(user=agent, file_name="f.csv", text=text, rows=1)
    bulk_validate(job)
    job.refresh_from_db()
    bulk_record(bulk_confirm(job=job, mode=BulkAttestation.Mode.ALL_OR_NOTHING))
    assert created.customer.agreement_acceptances.count() == 1


def _invitation_accept(agent):
    customer = CustomerFactory()
    admin = UserFactory(partner=None, customer=customer, username="admin@w.example")
    invitation_accept(
        user=admin,
        invitation=ParsedInvitation(InvitationKind.RESELLER, agent.partner, None, False),
        accept_relationship=True,
        accept_agreement=True,
    )


def _invitation_relationships_activate(agent):
    from relationships.services import invitation_relationships_activate

    customer = CustomerFactory()
    invitation_relationships_activate(
        customer=customer,
        invitation=ParsedInvitation(InvitationKind.RESELLER, agent.partner, None, False),
    )


def _relationship_create(agent):
    from relationships.services import relationship_create

    relationship_create(partner=agent.partner, customer=CustomerFactory(), user=agent)


def _customer_tenant_create(agent):
    from customers.services import customer_tenant_create

    customer_tenant_create(account=account("tenantonly"), user=agent)


def _customer_update(agent):
    from customers.services import customer_update

    created = _scenario_world(agent)
    staff = UserFactory(partner=None, is_staff=True)
    customer_update(user=staff, customer=created.customer, values={"company_name": "Renamed"})
    row = AgreementStatusRow.objects.get(customer=created.customer)
    assert row.sort_name.lower() == "renamed", "the list row moved with the company name"


#: Every public writer, and a scenario that calls it the way its callers do.
WRITERS = {
    "customers.services.customer_tenant_create": _customer_tenant_create,
    "customers.services.customer_update": _customer_update,
    "customers.workflows.customer_create": lambda agent: customer_create(
        user=agent, account=account("created"), attestation=attestation()
    ),
    "relationships.services.relationship_create": _relationship_create,
    "relationships.services.relationship_remove": lambda agent: relationship_remove(
        user=agent, relationship=_scenario_world(agent).relationship, confirmed=True
    ),
    "relationships.services.invitation_relationships_activate": _invitation_relationships_activate,
    "relationships.admincenter.workflows.invitation_accept": _invitation_accept,
    "agreements.services.acceptance_record": lambda agent: acceptance_record(
        customer=_scenario_world(agent).customer, user=agent, **attestation()
    ),
    "agreements.services.direct_acceptance_record": lambda agent: direct_acceptance_record(
        user=_scenario_world(agent).admin
    ),
    "agreements.bulk.jobs.bulk_record": _bulk_record,
}


def test_every_public_writer_of_relationships_records_and_customers_is_listed():
    """A new writer fails here until it is in WRITERS (and so proven to keep the rows)."""
    import importlib
    import inspect

    found = set()
    for module_name in WRITER_MODULES:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            ours = function.__module__ == module_name and not name.startswith("_")
            if ours and _writes(inspect.getsource(function)):
                found.add(f"{module_name}.{name}")
    assert found - NOT_WRITERS <= set(WRITERS), found - NOT_WRITERS - set(WRITERS)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_after_each_writer_the_rows_equal_a_rebuild(agent, writer):
    WRITERS[writer](agent)
    assert_rows_are_derivable()
