"""The Customers page (SPEC §3): scope, search, paging, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnercenter.models import Partner
from partnercenter.roles import Role
from relationships.models import ResellerRelationship
from tests.factories import CustomerFactory, IndirectPartnershipFactory, ResellerRelationshipFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db


def test_customers_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=lambda p: reverse("customers:list"), allowed=set(Role), scoped=False
    )


def test_it_lists_only_customers_with_an_active_relationship_to_this_partner(
    client, admin_agent, other_partner
):
    mine = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__company_name="Contoso Korea"
    )
    removed = ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__company_name="Gone Ltd",
        state="removed",
        removed_at="2026-01-01T00:00Z",
    )
    theirs = ResellerRelationshipFactory(
        partner=other_partner, customer__company_name="Stranger Co"
    )
    client.force_login(admin_agent)
    response = client.get(reverse("customers:list"))
    rows = list(response.context["page_obj"])
    assert rows == [mine]
    assert b"Contoso Korea" in response.content
    assert removed.customer.company_name.encode() not in response.content
    assert theirs.customer.company_name.encode() not in response.content


@pytest.mark.parametrize(
    "query", ["contoso", "CONTOSO", "contosokr", "contosokr.onmicrosoft.com", "Kor"]
)
def test_search_finds_a_customer_by_company_name_or_domain(client, admin_agent, query):
    ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__company_name="Contoso Korea",
        customer__domain_prefix="contosokr",
    )
    ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__company_name="Adatum",
        customer__domain_prefix="adatum",
    )
    client.force_login(admin_agent)
    names = [
        r.customer.company_name
        for r in client.get(reverse("customers:list"), {"q": query}).context["page_obj"]
    ]
    assert names == ["Contoso Korea"]


def test_search_with_no_match_says_so_and_escapes_the_query(client, admin_agent):
    client.force_login(admin_agent)
    response = client.get(reverse("customers:list"), {"q": "<script>x</script>"})
    assert response.status_code == 200
    assert b"<script>x</script>" not in response.content
    assert b"&lt;script&gt;x&lt;/script&gt;" in response.content


def test_customers_come_50_a_page_in_company_name_order(client, admin_agent):
    for n in range(51):
        ResellerRelationshipFactory(
            partner=admin_agent.partner, customer__company_name=f"Company {n:03d}"
        )
    client.force_login(admin_agent)
    first = client.get(reverse("customers:list")).context["page_obj"]
    assert len(first) == 50 and first.paginator.num_pages == 2
    assert first[0].customer.company_name == "Company 000"
    second = client.get(reverse("customers:list"), {"page": 2}).context["page_obj"]
    assert [r.customer.company_name for r in second] == ["Company 050"]
    # A page number past the end or not a number shows a real page, not an error.
    assert client.get(reverse("customers:list"), {"page": "999"}).status_code == 200
    assert client.get(reverse("customers:list"), {"page": "x"}).status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_customers(client, admin_agent):
    provider = IndirectPartnershipFactory().provider
    client.force_login(admin_agent)
    ResellerRelationshipFactory(partner=admin_agent.partner)
    few = _count_queries(client, reverse("customers:list"))
    for _ in range(30):
        ResellerRelationshipFactory(partner=admin_agent.partner)
    Partner.objects.filter(pk=admin_agent.partner.pk).update(
        partner_type=Partner.PartnerType.INDIRECT_RESELLER
    )
    for _ in range(10):
        ResellerRelationshipFactory(partner=admin_agent.partner, indirect_provider=provider)
    many = _count_queries(client, reverse("customers:list"))
    assert few == many


def test_an_indirect_resellers_customer_shows_the_provider(client, make_user):
    partnership = IndirectPartnershipFactory(provider__name="Northwind Distribution")
    agent = make_user(Role.SALES_AGENT, partner=partnership.reseller)
    ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    )
    client.force_login(agent)
    assert (
        b"Indirect reseller, through Northwind Distribution"
        in client.get(reverse("customers:list")).content
    )


def test_a_customer_without_relationship_rows_is_nobodys(client, admin_agent):
    CustomerFactory(company_name="Orphan Co")
    client.force_login(admin_agent)
    assert b"Orphan Co" not in client.get(reverse("customers:list")).content
    assert ResellerRelationship.objects.count() == 0
