"""The Customers page's cached listing: never older than the last commit.

The listing (Recent acceptances, the rows, the pager) is cached under the partner's
``customers_version``, which every write that changes it replaces on commit
(``partnercenter.tenant.services.customer_list_changed``). Each test here loads the page
(filling the cache), writes through a real path — a service, a workflow, Django
admin, a command, a background job — inside ``django_capture_on_commit_callbacks
(execute=True)`` (the commit), and loads the page again: it must show the change.
A path that forgot to bump would show the cached listing and fail.
"""

import re
from html import unescape
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import AgreementAcceptance, AgreementStatusRow, AgreementTemplate
from agreements.services import acceptance_record, direct_acceptance_record
from customers.workflows import customer_create
from partnercenter.models import Partner
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import customer_list_changed, partner_user_update_roles
from relationships.admincenter.workflows import invitation_accept
from relationships.invitations import InvitationKind
from relationships.selectors import ParsedInvitation
from relationships.services import relationship_remove
from tests.agreements.test_bulk import HEADER, checked, confirm, line
from tests.agreements.test_status_rows import account, add_mca_version_2, attestation
from tests.factories import CustomerFactory, IndirectPartnershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

ROW = re.compile(r'<tr data-testid="customer-row">(.*?)</tr>', re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)
TAG = re.compile(r"<[^>]+>")


def rows(client, **params) -> list[tuple[str, ...]]:
    """The Customers page's rows as text: (company name, domain, country, relationship, status)."""
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return [
        tuple(" ".join(unescape(TAG.sub("", cell)).split()) for cell in CELL.findall(row))
        for row in ROW.findall(html)
    ]


def statuses(client) -> dict[str, str]:
    return {row[0]: row[4] for row in rows(client)}


@pytest.fixture
def agent(make_user, client):
    user = make_user(Role.ADMIN_AGENT)
    client.force_login(user)
    return user


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` — the writes inside commit, as far as on-commit work goes."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_second_load_reads_the_cached_listing_without_touching_the_rows(client, agent, commit):
    with commit():
        customer_create(user=agent, account=account("cached"))
    first = rows(client)
    with CaptureQueriesContext(connection) as queries:
        assert rows(client) == first
    assert first == [("Contoso Korea", "cached.onmicrosoft.com", "South Korea", "Reseller",
                      "Not confirmed")]  # fmt: skip
    assert not any("agreementstatusrow" in q["sql"] for q in queries.captured_queries)


def test_a_new_customer_shows_at_once(client, agent, commit):
    assert rows(client) == []
    with commit():
        customer_create(user=agent, account=account("newone"))
    assert [r[1] for r in rows(client)] == ["newone.onmicrosoft.com"]


def test_an_attestation_turns_the_status(client, agent, commit):
    with commit():
        created = customer_create(user=agent, account=account("attest"))
    assert statuses(client) == {"Contoso Korea": "Not confirmed"}
    with commit():
        acceptance_record(customer=created.customer, user=agent, **attestation())
    assert statuses(client) == {"Contoso Korea": "Confirmed"}


def test_a_direct_acceptance_turns_the_status_and_shows_in_recent_acceptances(
    client, agent, commit
):
    with commit():
        created = customer_create(user=agent, account=account("direct"))
    assert b"accepted the Microsoft Customer Agreement" not in client.get("/customers/").content
    with commit():
        direct_acceptance_record(user=created.admin)
    assert statuses(client) == {"Contoso Korea": "Accepted by customer"}
    assert b"accepted the Microsoft Customer Agreement" in client.get("/customers/").content


def test_a_removed_relationship_takes_the_row_away(client, agent, commit):
    with commit():
        created = customer_create(user=agent, account=account("leaving"))
    assert len(rows(client)) == 1
    with commit():
        relationship_remove(user=agent, relationship=created.relationship, confirmed=True)
    assert rows(client) == []


def test_an_accepted_invitation_shows_on_the_provider_and_reseller_pages(client, commit):
    partnership = IndirectPartnershipFactory()
    provider_agent = UserFactory(partner=partnership.provider, roles=[Role.ADMIN_AGENT])
    reseller_agent = UserFactory(partner=partnership.reseller, roles=[Role.ADMIN_AGENT])
    customer = CustomerFactory(company_name="Invited Ltd")
    admin = UserFactory(partner=None, customer=customer, username="admin@invited.example")
    for user in (provider_agent, reseller_agent):
        client.force_login(user)
        assert rows(client) == []
    invitation = ParsedInvitation(
        InvitationKind.INDIRECT_RESELLER, partnership.reseller, partnership.provider, True
    )
    with commit():
        invitation_accept(
            user=admin, invitation=invitation, accept_relationship=True, accept_agreement=False
        )
    for user in (provider_agent, reseller_agent):
        client.force_login(user)
        assert [r[0] for r in rows(client)] == ["Invited Ltd"]


def test_a_new_agreement_version_gives_every_partner_a_new_version(
    client, agent, commit, admin_user, other_partner
):
    # Every status row is re-judged against the new current agreement (here it stays
    # Confirmed: the record covers the agreement type), so every listing is renewed.
    with commit():
        customer_create(user=agent, account=account("versioned"), attestation=attestation())
    assert statuses(client) == {"Contoso Korea": "Confirmed"}
    before = dict(Partner.objects.values_list("pk", "customers_version"))
    staff = client.__class__()
    staff.force_login(admin_user)
    with commit():
        assert add_mca_version_2(staff).status_code == 302
    after = dict(Partner.objects.values_list("pk", "customers_version"))
    assert all(after[pk] != version for pk, version in before.items())
    assert statuses(client) == {"Contoso Korea": "Confirmed"}


def test_the_rebuild_command_after_records_loaded_outside_the_services(client, agent, commit):
    with commit():
        created = customer_create(user=agent, account=account("rebuilt"))
    assert statuses(client) == {"Contoso Korea": "Not confirmed"}
    # A record loaded outside the services (no status row kept, no version given):
    # the command, the documented way back, brings the rows and the page in step.
    AgreementAcceptance.objects.create(
        customer=created.customer,
        partner=agent.partner,
        template=AgreementTemplate.objects.current(),
        method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
        recorded_by=agent,
        **{k: v for k, v in attestation().items() if k != "phone"},
    )
    with commit():
        call_command("rebuild_agreement_status", stdout=StringIO())
    assert statuses(client) == {"Contoso Korea": "Confirmed"}


def test_the_daily_rejudging_job(client, agent, commit):
    with commit():
        created = customer_create(user=agent, account=account("rejudged"))
    assert statuses(client) == {"Contoso Korea": "Not confirmed"}
    current = AgreementTemplate.objects.current()
    # What the row attests changed outside the services; re-judging turns the status.
    AgreementStatusRow.objects.filter(customer=created.customer).update(
        attested_template=current, attested_type=current.agreement_type
    )
    with commit():
        call_command("rebuild_agreement_status", "--status-only", stdout=StringIO())
    assert statuses(client) == {"Contoso Korea": "Confirmed"}


def test_a_bulk_confirmation_turns_every_status(client, agent, commit, run_jobs):
    with commit():
        made = [customer_create(user=agent, account=account(f"bulk{i}")).customer for i in range(3)]
    assert set(statuses(client).values()) == {"Not confirmed"}
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))
    with commit():
        confirm(client, job, run_jobs)
    assert [r[4] for r in rows(client)] == ["Confirmed"] * 3


def test_a_staff_edit_in_django_admin(client, agent, commit, admin_user):
    with commit():
        created = customer_create(user=agent, account=account("edited"))
    assert [r[0] for r in rows(client)] == ["Contoso Korea"]
    customer = created.customer
    staff = client.__class__()
    staff.force_login(admin_user)
    data = {
        f.name: getattr(customer, f.attname)
        for f in customer._meta.concrete_fields
        if f.editable and f.name not in {"id", "tenant_id"}
    }
    data.update({"company_name": "Zebra Renamed", "contact_phone": "+82 2 3456 7890"})
    with commit():
        url = reverse("admin:customers_customer_change", args=[customer.pk])
        assert staff.post(url, {k: v or "" for k, v in data.items()}).status_code == 302
    assert [r[0] for r in rows(client)] == ["Zebra Renamed"]


def test_a_renamed_reseller_shows_under_its_new_name_on_the_providers_page(
    client, commit, admin_user
):
    partnership = IndirectPartnershipFactory()
    provider_agent = UserFactory(partner=partnership.provider, roles=[Role.ADMIN_AGENT])
    reseller_agent = UserFactory(partner=partnership.reseller, roles=[Role.ADMIN_AGENT])
    with commit():
        customer_create(
            user=reseller_agent,
            account=account("through"),
            indirect_provider=partnership.provider,
        )
    client.force_login(provider_agent)
    old = partnership.reseller.name
    assert rows(client)[0][3] == f"Through indirect reseller {old}"
    staff = client.__class__()
    staff.force_login(admin_user)
    reseller = partnership.reseller
    data = {
        "name": "Renamed Reseller Ltd",
        "tenant_id": reseller.tenant_id,
        "mpn_id": reseller.mpn_id,
        "partner_type": reseller.partner_type,
        "country": reseller.country.code,
    }
    with commit():
        url = reverse("admin:partnercenter_partner_change", args=[reseller.pk])
        response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert rows(client)[0][3] == "Through indirect reseller Renamed Reseller Ltd"


def test_a_write_that_rolls_back_keeps_the_version(agent):
    before = Partner.objects.get(pk=agent.partner_id).customers_version
    customer_list_changed([agent.partner_id])  # never committed: the test's transaction
    assert Partner.objects.get(pk=agent.partner_id).customers_version == before


def test_the_version_changes_on_commit_only_for_the_partners_named(agent, other_partner, commit):
    before = dict(Partner.objects.values_list("pk", "customers_version"))
    with commit():
        customer_list_changed([agent.partner_id])
    after = dict(Partner.objects.values_list("pk", "customers_version"))
    assert after[agent.partner_id] != before[agent.partner_id]
    assert after[other_partner.pk] == before[other_partner.pk]
    with commit():
        customer_list_changed()
    assert all(v != after[pk] for pk, v in Partner.objects.values_list("pk", "customers_version"))


def test_each_partner_reads_only_its_own_listing(client, agent, commit, other_partner):
    other_agent = UserFactory(partner=other_partner, roles=[Role.ADMIN_AGENT])
    with commit():
        customer_create(user=agent, account=account("mineonly"))
        customer_create(user=other_agent, account=account("theirsonly"))
    assert [r[1] for r in rows(client)] == ["mineonly.onmicrosoft.com"]
    client.force_login(other_agent)
    assert [r[1] for r in rows(client)] == ["theirsonly.onmicrosoft.com"]


def test_the_role_check_runs_before_the_cache(client, agent, commit, make_user):
    with commit():
        customer_create(user=agent, account=account("guarded"))
    assert len(rows(client)) == 1
    client.force_login(make_user())  # same partner, no role: may not view customers
    assert client.get(reverse("customers:list")).status_code == 403


def test_search_status_language_and_time_zone_each_have_their_own_listing(client, agent, commit):
    with commit():
        customer_create(user=agent, account=account("alpha"), attestation=attestation())
        customer_create(user=agent, account=account("beta"))
        direct_acceptance_record(user=customer_create(user=agent, account=account("gamma")).admin)
    assert len(rows(client)) == 3
    assert [r[1] for r in rows(client, q="beta")] == ["beta.onmicrosoft.com"]
    assert [r[1] for r in rows(client, status="confirmed")] == ["alpha.onmicrosoft.com"]
    english = client.get("/customers/").content.decode()
    agent.language = "ko"
    agent.save(update_fields=["language"])
    client.post(reverse("set_language"), {"language": "ko", "next": "/customers/"})
    korean = client.get("/customers/").content.decode()
    assert "최근" in korean and "Recent acceptances" in english
    assert statuses(client)["Contoso Korea"] != "Confirmed"
    agent.time_zone = "America/New_York"
    agent.save(update_fields=["time_zone"])
    later = client.get("/customers/").content.decode()
    assert re.findall(r'<time datetime="[^"]+-0[45]:00">', later)
    assert not re.findall(r'<time datetime="[^"]+-0[45]:00">', korean)


def test_a_stale_entry_is_left_behind_by_a_new_version(client, agent, commit):
    with commit():
        customer_create(user=agent, account=account("stale"))
    rows(client)
    keys_before = set(caches["pages"]._cache)
    with commit():
        customer_create(user=agent, account=account("fresh"))
    assert len(rows(client)) == 2
    assert set(caches["pages"]._cache) - keys_before  # a new key; the old one just expires


def test_the_headers_cached_menu_follows_roles_names_and_language(client, agent, make_user):
    def header():
        html = client.get(reverse("customers:list")).content.decode()
        return html[html.index("<nav") : html.index("</nav>")]

    first = header()
    assert "Admin agent" in first and "User management" not in first
    acting = make_user(Role.GLOBAL_ADMIN)
    partner_user_update_roles(user=agent, roles=[Role.SALES_AGENT], acting_user=acting)
    assert "Sales agent" in header()  # the same menu, another role
    partner_user_update_roles(user=agent, roles=[Role.GLOBAL_ADMIN], acting_user=acting)
    Partner.objects.filter(pk=agent.partner_id).update(name="Renamed Partner Ltd")
    second = header()
    assert "Global admin" in second and "User management" in second
    assert "Renamed Partner Ltd" in second and "Admin agent" not in second
    client.post(reverse("set_language"), {"language": "ko", "next": "/customers/"})
    korean = header()
    assert "사용자 관리" in korean and "User management" not in korean
