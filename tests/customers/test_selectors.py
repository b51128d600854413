"""Customer reads that must stay indexed at a million customers."""

import pytest
from django.db import connection
from django.urls import reverse, set_script_prefix
from django.utils import translation

from customers.selectors import (
    CustomerRow,
    customer_list_page,
    customers_with_domains,
    recent_acceptances,
)
from relationships.models import ResellerRelationship
from tests.factories import (
    CustomerFactory,
    ResellerRelationshipFactory,
)

pytestmark = pytest.mark.django_db


def test_customers_by_domain_in_any_case():
    contoso = CustomerFactory(domain_prefix="contoso")
    CustomerFactory(domain_prefix="fabrikam")
    assert list(customers_with_domains(["Contoso", "nowhere"])) == [contoso]
    assert not customers_with_domains([]).exists()


def test_customers_by_domain_read_the_unique_index_not_the_table():
    # A plain domain_prefix__in / __iexact scans every customer; bulk confirmation asks
    # for 5 000 domains a batch and New customer for one on every save.
    sql, params = customers_with_domains(["contoso", "fabrikam"]).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is read whole
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert "customers_customer_unique_domain" in plan, plan


def test_a_customers_page_row_carries_what_the_row_shows(admin_agent):
    # The page reads plain values, not model objects: the row still shows the
    # customer's full domain and its country's name in the reader's language.
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__company_name="Contoso Korea",
        customer__domain_prefix="contosokr",
        customer__country="KR",
    ).customer
    page = customer_list_page(admin_agent)
    [row] = page.object_list
    assert (row.pk, row.company_name, row.domain) == (
        customer.pk,
        "Contoso Korea",
        "contosokr.onmicrosoft.com",
    )
    assert row.domain == customer.domain
    assert (row.own_relationship, row.through_provider, row.through_reseller) == (True, None, None)
    assert row.agreement_status == "not_confirmed"
    with translation.override("en"):
        assert row.country_name == "South Korea"
    with translation.override("ko"):
        assert row.country_name == "대한민국"


def test_recent_acceptances_name_the_customer(admin_agent):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__company_name="Haeundae Resort Group",
        source=ResellerRelationship.Source.INVITATION,
    ).customer
    ResellerRelationshipFactory(partner=admin_agent.partner)  # added, not an acceptance
    [event] = recent_acceptances(admin_agent.partner)
    assert (event["customer"].pk, event["customer"].company_name) == (
        customer.pk,
        "Haeundae Resort Group",
    )
    assert event["kind"] == "relationship"


@pytest.mark.parametrize("script_prefix", ["/", "/partner-center/"])
def test_a_rows_link_is_the_reversed_account_info_url(admin_agent, script_prefix):
    for _ in range(3):
        ResellerRelationshipFactory(partner=admin_agent.partner)
    set_script_prefix(script_prefix)
    try:
        rows = customer_list_page(admin_agent).object_list
        assert [row.url for row in rows] == [
            reverse("customers:detail", args=[row.pk]) for row in rows
        ]
        assert rows[0].url.startswith(script_prefix)
    finally:
        set_script_prefix("/")


def test_the_relationship_column_names_the_provider_or_the_reseller():
    def row(own, provider, reseller):
        return CustomerRow(1, "Contoso", "contoso", "KR", "confirmed", own, provider, reseller, "")

    with translation.override("en"):
        assert row(True, None, None).relationship == "Reseller"
        assert row(True, "Northwind", None).relationship == "Indirect reseller, through Northwind"
        assert row(False, None, "Tailspin").relationship == "Through indirect reseller Tailspin"
    with translation.override("ko"):
        assert row(True, "Northwind", None).relationship == "간접 재판매인, Northwind 경유"


def test_search_indexes_keep_a_short_pending_list():
    # Every search reads a GIN index's pending list whole: at the default 4 MB that was
    # all of a 4 ms search at a million customers (agreements 0009).
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigram GIN indexes only; SQLite searches through FTS5")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN "
            "('agr_status_name_trgm', 'agr_status_domain_trgm') ORDER BY relname"
        )
        assert cursor.fetchall() == [
            ("agr_status_domain_trgm", ["gin_pending_list_limit=128"]),
            ("agr_status_name_trgm", ["gin_pending_list_limit=128"]),
        ]
