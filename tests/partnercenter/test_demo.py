"""``manage.py seed_demo``: idempotent, realistic, and every printed sign-in works."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import RequestFactory

from agreements.models import AgreementAcceptance, AgreementStatusRow
from agreements.status import agreement_status_rebuild
from customers.models import Customer
from partnercenter.management.demo import DEMO_PASSWORD, demo_bulk_customers
from partnercenter.models import Partner, User
from partnercenter.tenant.roles import Role
from relationships.models import IndirectPartnership, ResellerRelationship

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (Partner, User, Customer, ResellerRelationship, IndirectPartnership)
    ]


def test_seed_demo_is_idempotent_and_prints_every_sign_in(client, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    types = set(Partner.objects.values_list("partner_type", flat=True))
    assert types == set(Partner.PartnerType.values)
    assert (
        IndirectPartnership.objects.filter(reseller__partner_type="indirect_reseller").count() == 2
    )
    for partner in Partner.objects.all():
        held = {name for user in partner.users.all() for name in user.role_names}
        assert held == set(Role.values), partner

    printed = [line.split()[0] for line in out.getvalue().splitlines()[1:]]
    assert len(printed) == User.objects.count()
    for email in printed:
        # django-axes checks every authentication against the request it came with.
        assert client.login(
            request=RequestFactory().post("/"), username=email, password=DEMO_PASSWORD
        ), email
    assert User.objects.filter(customer__isnull=False).count() == 2


def test_demo_customers_pass_every_model_rule_and_cover_every_status():
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    assert Customer.objects.count() >= 40
    assert {"KR", "US", "DE", "JP", "GB"} <= set(Customer.objects.values_list("country", flat=True))
    for customer in Customer.objects.all():
        customer.full_clean()
    for acceptance in AgreementAcceptance.objects.all():
        acceptance.full_clean()
    confirmed = set(AgreementAcceptance.objects.values_list("customer", flat=True))
    assert 0 < len(confirmed) < Customer.objects.count()
    with_history = (
        AgreementAcceptance.objects.values("customer").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert with_history.exists()
    # Resellers' customers are confirmed by their indirect provider (A6, A8).
    assert not AgreementAcceptance.objects.filter(
        partner__partner_type="indirect_reseller"
    ).exists()
    assert Customer.objects.filter(cloud_instance="us_government").exists()


def test_seed_demo_customers_bulk_creates_more_for_benchmarks(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    before = Customer.objects.count()
    out = io.StringIO()
    call_command("seed_demo", "--customers", "120", stdout=out)
    call_command("seed_demo", "--customers", "30", stdout=io.StringIO())
    assert Customer.objects.count() == before + 150
    assert "Added 120 benchmark customers" in out.getvalue()
    assert "120 / 120 customers (100%)" in out.getvalue()  # progress, with a rate
    bulk = Customer.objects.filter(domain_prefix__startswith="bulk")
    assert ResellerRelationship.objects.filter(customer__in=bulk, state="active").count() == 150
    # One in three is a reseller's, shared with (and attested by) the indirect provider.
    shared = ResellerRelationship.objects.filter(customer__in=bulk, indirect_provider__isnull=False)
    assert shared.count() == 50
    # Several agreement states, history included, and the status rows to show them.
    rows = AgreementStatusRow.objects.filter(customer__in=bulk)
    assert rows.count() == 200  # 150 own rows + 50 provider rows
    assert set(rows.values_list("status", flat=True)) == set(AgreementStatusRow.Status.values)
    history = AgreementAcceptance.objects.filter(customer__in=bulk).values("customer")
    assert history.annotate(n=Count("pk")).filter(n__gt=1).exists()
    maintained = set(rows.values_list("customer_id", "partner_id", "status"))
    agreement_status_rebuild()
    assert set(rows.values_list("customer_id", "partner_id", "status")) == maintained
    bulk.order_by("?").first().full_clean()


def test_bulk_customers_renew_the_listing_of_the_partners_they_go_to(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    versions = dict(Partner.objects.values_list("pk", "customers_version"))
    with django_capture_on_commit_callbacks(execute=True):
        demo_bulk_customers(12)
    changed = {pk for pk, v in Partner.objects.values_list("pk", "customers_version")
               if v != versions[pk]}  # fmt: skip
    listing_bulk = AgreementStatusRow.objects.filter(customer__domain_prefix__startswith="bulk")
    assert changed == set(listing_bulk.values_list("partner_id", flat=True))
    assert len(changed) == 3


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Partner.objects.count() == 0


def test_every_demo_person_has_their_own_name(settings):
    """No two demo users share a name (every Global admin was once "Grace Kim")."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    names = [
        u.get_full_name() for u in User.objects.exclude(first_name="").filter(partner__isnull=False)
    ]
    assert len(names) == 30 and len(set(names)) == len(names), names


def test_a_users_own_language_survives_seed_demo(settings):
    """Fabrikam's users start in Korean; one who switched to English stays English."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    agent = User.objects.get(username="adminagent@fabrikam.example")
    assert agent.language == "ko"
    agent.language, agent.time_zone = "en", "Europe/London"
    agent.save()
    call_command("seed_demo", stdout=io.StringIO())
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone) == ("en", "Europe/London")


def test_the_printed_sign_ins_say_who_sees_korean(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[1:]}
    assert lines["globaladmin@fabrikam.example"].endswith("한국어 (Korean)")
    assert lines["globaladmin@northwind.example"].endswith("English")
    assert "language menu" in out.getvalue().splitlines()[0]


def test_the_provider_can_invite_a_demo_reseller_it_has_no_partnership_with(settings):
    """Both partnered resellers can't be invited again; Litware can, right away."""
    from relationships.models import PartnershipInvitation
    from relationships.services import partnership_invite

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    litware = Partner.objects.get(name="Litware Solutions")
    assert litware.partner_type == Partner.PartnerType.INDIRECT_RESELLER
    assert not IndirectPartnership.objects.filter(reseller=litware).exists()
    assert not Customer.objects.filter(reseller_relationships__partner=litware).exists()
    provider_agent = User.objects.get(username="adminagent@northwind.example")
    invitation = partnership_invite(
        user=provider_agent, reseller_key=litware.mpn_id, email="globaladmin@litware.example"
    )
    assert PartnershipInvitation.objects.filter(pk=invitation.pk, reseller=litware).exists()


def test_the_demos_status_rows_are_what_a_rebuild_computes(settings):
    # Demo rows go in directly; every column of their status rows (GDAP's included) must
    # still be what the services would have left.
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    fields = [f.attname for f in AgreementStatusRow._meta.concrete_fields if f.name != "id"]
    kept = sorted(map(list, AgreementStatusRow.objects.values_list(*fields)))
    assert AgreementStatusRow.objects.filter(gdap=AgreementStatusRow.Gdap.ACTIVE).exists()
    agreement_status_rebuild()
    assert sorted(map(list, AgreementStatusRow.objects.values_list(*fields))) == kept
