"""Customer reads that must stay indexed at a million customers (issues #9, #14)."""

import pytest
from django.db import connection

from customers.selectors import customers_with_domains
from tests.factories import CustomerFactory

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
