"""Agreement compliance: the report's statuses, filters, counts and exports."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agreements.compliance import COUNT_CAP
from agreements.models import AgreementStatusRow, AgreementTemplate
from agreements.services import acceptance_record, agreement_template_save
from agreements.status import agreement_status_rebuild
from agreements.statusrows import agreement_status_recompute
from partnercenter.models import Partner
from partnercenter.tenant.roles import MATRIX, Action, Role
from tests.agreements.test_status_rows import snapshot
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
Compliance = AgreementStatusRow.Compliance
VIEWERS = {role for role in Role if Action.VIEW_CUSTOMERS in MATRIX[role]}


def mca(rank=1):
    return AgreementTemplate.objects.get(
        agreement_type="MicrosoftCustomerAgreement", version_rank=rank
    )


def cloud_agreement():
    return AgreementTemplate.objects.filter(agreement_type="MicrosoftCloudAgreement").first()


def new_version(user) -> AgreementTemplate:
    """Staff add MCA versionRank 2, in force today (Django admin's path)."""
    current = mca()
    return agreement_template_save(
        user=user,
        template=AgreementTemplate(
            agreement_type=current.agreement_type,
            template_id="11111111-2222-3333-4444-555555555555",
            version_rank=2,
            link="https://example.com/mca-v2",
            in_force_from=datetime.date(2026, 1, 1),
        ),
    )


def served(partner, **customer):
    return ResellerRelationshipFactory(
        partner=partner, **{f"customer__{k}": v for k, v in customer.items()}
    ).customer


def status_of(customer, partner):
    return AgreementStatusRow.objects.get(customer=customer, partner=partner).compliance


@pytest.fixture
def world(admin_agent):
    """One customer of each status for the admin agent's (direct) partner."""
    partner = admin_agent.partner
    other = PartnerFactory()
    customers = {
        "missing": served(partner, company_name="Missing Co"),
        "current": served(partner, company_name="Current Co"),
        "older_agreement": served(partner, company_name="Older Agreement Co"),
        "other_partner": served(partner, company_name="Other Partner Co"),
    }
    AgreementAcceptanceFactory(partner=partner, customer=customers["current"], template=mca())
    AgreementAcceptanceFactory(
        partner=partner, customer=customers["older_agreement"], template=cloud_agreement()
    )
    ResellerRelationshipFactory(partner=other, customer=customers["other_partner"])
    AgreementAcceptanceFactory(partner=other, customer=customers["other_partner"], template=mca())
    return customers


def test_each_row_gets_the_status_its_records_give(world, admin_agent):
    partner = admin_agent.partner
    for expected, customer in world.items():
        assert status_of(customer, partner) == expected


def test_a_new_version_turns_the_current_confirmations_into_older_version_ones(world, admin_agent):
    new_version(UserFactory(is_staff=True, partner=None))
    assert status_of(world["current"], admin_agent.partner) == Compliance.OLDER_VERSION
    # The one UPDATE of a template change says what the full computation says.
    kept = snapshot()
    agreement_status_rebuild()
    assert snapshot() == kept


def test_the_sql_case_and_the_python_computation_agree_on_every_status(world, admin_agent):
    new_version(UserFactory(is_staff=True, partner=None))
    acceptance_record(
        customer=world["missing"],
        user=admin_agent,
        date_agreed=datetime.date(2026, 11, 1),
        first_name="Minji",
        last_name="Kang",
        email="minji@example.com",
    )
    agreement_status_rebuild()
    computed = snapshot()
    agreement_status_recompute()
    assert snapshot() == computed
    assert {r.compliance for r in AgreementStatusRow.objects.all()} >= {
        Compliance.CURRENT,
        Compliance.OLDER_VERSION,
        Compliance.OLDER_AGREEMENT,
        Compliance.OTHER_PARTNER,
    }


def rows(response):
    return [row.customer.company_name for row, _held in response.context["rows"]]


def test_the_report_lists_customers_lacking_the_current_agreement_by_default(
    client, world, admin_agent
):
    client.force_login(admin_agent)
    response = client.get(reverse("agreements:compliance"))
    assert rows(response) == ["Missing Co", "Older Agreement Co", "Other Partner Co"]
    counts = {c.value: c.count for c in response.context["counts"]}
    assert counts == {
        "missing": 1,
        "other_partner": 1,
        "older_agreement": 1,
        "older_version": 0,
        "current": 1,
    }
    assert b"Confirm in bulk" in response.content


def test_the_status_filter_shows_one_status(client, world, admin_agent):
    client.force_login(admin_agent)
    for status, names in [
        ("current", ["Current Co"]),
        ("other_partner", ["Other Partner Co"]),
        ("all", ["Current Co", "Missing Co", "Older Agreement Co", "Other Partner Co"]),
    ]:
        assert rows(client.get(reverse("agreements:compliance"), {"status": status})) == names


def test_country_created_since_and_active_subscription_filters(client, admin_agent):
    partner = admin_agent.partner
    us = served(partner, company_name="US Co", country="US", contact_phone="+1 425 555 0100")
    kr = served(partner, company_name="KR Co")
    SubscriptionFactory(customer=kr, partner=partner)
    type(kr).objects.filter(pk=us.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    client.force_login(admin_agent)
    url = reverse("agreements:compliance")
    assert rows(client.get(url, {"country": "US"})) == ["US Co"]
    assert rows(client.get(url, {"created_since": "2025-01-01"})) == ["KR Co"]
    assert rows(client.get(url, {"active_subscriptions": "on"})) == ["KR Co"]


def test_an_indirect_provider_sees_its_resellers_customers_with_the_reseller_named(client):
    provider = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_PROVIDER)
    resellers = [
        IndirectPartnershipFactory(provider=provider, reseller__name=name).reseller
        for name in ("Reseller One", "Reseller Two")
    ]
    for reseller, company in zip(resellers, ("One's Customer", "Two's Customer"), strict=True):
        ResellerRelationshipFactory(
            partner=reseller, indirect_provider=provider, customer__company_name=company
        )
    client.force_login(UserFactory(partner=provider, roles=[Role.SALES_AGENT]))
    url = reverse("agreements:compliance")
    response = client.get(url)
    assert rows(response) == ["One's Customer", "Two's Customer"]
    assert b"Reseller One" in response.content and b"Reseller Two" in response.content
    assert rows(client.get(url, {"reseller": resellers[1].pk})) == ["Two's Customer"]


def test_counts_stop_at_the_cap(client, admin_agent, monkeypatch):
    monkeypatch.setattr("agreements.compliance.COUNT_CAP", 2)
    for n in range(3):
        served(admin_agent.partner, company_name=f"Co {n}")
    client.force_login(admin_agent)
    response = client.get(reverse("agreements:compliance"))
    missing = next(c for c in response.context["counts"] if c.value == "missing")
    assert missing.capped and missing.shown == 2
    assert COUNT_CAP == 1000


def test_the_report_costs_the_same_queries_at_any_page(
    client, admin_agent, django_assert_max_num_queries
):
    for n in range(60):
        served(admin_agent.partner, company_name=f"Co {n:02d}")
    client.force_login(admin_agent)
    url = reverse("agreements:compliance")
    with django_assert_max_num_queries(16):
        first = client.get(url)
    with django_assert_max_num_queries(16):
        last = client.get(url, {"cursor": "last"})
    assert rows(first)[0] == "Co 00" and rows(last)[-1] == "Co 59"
    assert len(rows(first)) == len(rows(last)) == 50


def test_the_report_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("agreements:compliance"),
        allowed=VIEWERS,
        scoped=False,
    )


# --- Exports ---------------------------------------------------------------------------


def download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_report_csv_and_xlsx_keep_formulas_as_text(client, admin_agent):
    served(admin_agent.partner, company_name='=HYPERLINK("http://x")')
    client.force_login(admin_agent)
    text = download(client.get(reverse("agreements:compliance_export", args=["csv"]))).decode()
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][0] == "Company name" and table[1][0] == '\'=HYPERLINK("http://x")'
    content = download(client.get(reverse("agreements:compliance_export", args=["xlsx"])))
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert client.get(reverse("agreements:compliance_export", args=["pdf"])).status_code == 404


AGREEMENT_KEYS = {
    "primaryContact",
    "templateId",
    "dateAgreed",
    "type",
    "agreementLink",
    "userId",
    "attributes",
}


def assert_agreement_shape(item):
    """Partner Center's Agreement resource (``GET /v1/customers/{id}/agreements``)."""
    assert set(item) >= AGREEMENT_KEYS
    assert set(item["primaryContact"]) == {"firstName", "lastName", "email", "phoneNumber"}
    assert all(isinstance(v, str) for v in item["primaryContact"].values())
    assert item["type"] in {"MicrosoftCloudAgreement", "MicrosoftCustomerAgreement"}
    datetime.datetime.fromisoformat(item["dateAgreed"].replace("Z", "+00:00"))
    assert len(item["templateId"]) == 36 and item["agreementLink"].startswith("https://")
    assert item["attributes"] == {"objectType": "Agreement"}


def test_one_customers_records_come_as_partner_centers_get_agreements(client, admin_agent):
    customer = served(admin_agent.partner)
    acceptance_record(
        customer=customer,
        user=admin_agent,
        date_agreed=datetime.date(2026, 11, 1),
        first_name="민지",
        last_name="강",
        email="minji@example.com",
        phone="02-3456-7890",
    )
    other = PartnerFactory()
    ResellerRelationshipFactory(partner=other, customer=customer)
    AgreementAcceptanceFactory(partner=other, customer=customer, email="theirs@example.com")
    client.force_login(admin_agent)
    url = reverse("agreements:customer_json", args=[customer.pk])
    body = client.get(url).json()
    assert body["totalCount"] == 1 and body["attributes"] == {"objectType": "Collection"}
    item = body["items"][0]
    assert_agreement_shape(item)
    assert item["primaryContact"] == {
        "firstName": "민지",
        "lastName": "강",
        "email": "minji@example.com",
        "phoneNumber": "+82234567890",
    }
    assert item["dateAgreed"] == "2026-11-01T00:00:00Z" and item["userId"] == admin_agent.email
    # Another partner's confirmation stays its own (A8).
    assert "theirs@example.com" not in json.dumps(body)
    assert client.get(url, {"agreementType": "MicrosoftCloudAgreement"}).json()["totalCount"] == 0
    assert client.get(url, {"agreementType": "Nope"}).status_code == 400


def test_the_partners_records_export_as_csv_and_json_lines(client, admin_agent):
    customer = served(admin_agent.partner, company_name="Records Co")
    for day in (1, 2):
        acceptance_record(
            customer=customer,
            user=admin_agent,
            date_agreed=datetime.date(2026, 11, day),
            first_name="Minji",
            last_name="Kang",
            email="@minji@example.com"[1:],
        )
    AgreementAcceptanceFactory(email="someone-elses@example.com")
    client.force_login(admin_agent)
    lines = download(client.get(reverse("agreements:records_export", args=["jsonl"])))
    records = [json.loads(line) for line in lines.decode().splitlines()]
    assert [r["dateAgreed"] for r in records] == ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]
    for record in records:
        assert_agreement_shape(record)
        assert record["customerTenantId"] == str(customer.tenant_id)
        assert record["method"] == "partner_attestation" and record["versionRank"] == 1
    text = download(client.get(reverse("agreements:records_export", args=["csv"]))).decode()
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(table) == 2 and table[0]["companyName"] == "Records Co"
    assert "someone-elses@example.com" not in text


def test_exports_follow_the_permission_matrix(client):
    for name, args in [
        ("agreements:compliance_export", ["csv"]),
        ("agreements:records_export", ["jsonl"]),
    ]:
        assert_permission_matrix(
            client,
            build_url=lambda p, n=name, a=args: reverse(n, args=a),
            allowed=VIEWERS,
            scoped=False,
        )


def test_the_customer_json_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("agreements:customer_json", args=[served(p).pk]),
        allowed=VIEWERS,
    )


def test_a_customer_of_another_partner_is_404_in_json(client, admin_agent):
    client.force_login(admin_agent)
    stranger = CustomerFactory()
    assert client.get(reverse("agreements:customer_json", args=[stranger.pk])).status_code == 404


def test_the_history_page_links_the_json_download(client, admin_agent):
    customer = served(admin_agent.partner, domain_prefix="contosokr")
    client.force_login(admin_agent)
    page = client.get(reverse("agreements:history", args=[customer.pk]))
    url = reverse("agreements:customer_json", args=[customer.pk])
    assert f'href="{url}?download=1"' in page.content.decode()
    response = client.get(url, {"download": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="contosokr-agreements.json"'
    assert response.json()["totalCount"] == 0
