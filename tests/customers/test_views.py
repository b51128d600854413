"""The Customers page and Account info (docs/customers.md): scope, search, paging, status, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import AgreementAcceptance, AgreementTemplate
from partnercenter.models import Partner
from partnercenter.tenant.roles import Role
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    IndirectPartnershipFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db


def _names(response):
    return [c.company_name for c in response.context["page_obj"]]


def test_customers_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=lambda p: reverse("customers:list"), allowed=set(Role), scoped=False
    )


def test_account_info_follows_the_permission_matrix(client):
    def build_url(partner):
        return reverse(
            "customers:detail", args=[ResellerRelationshipFactory(partner=partner).customer.pk]
        )

    assert_permission_matrix(client, build_url=build_url, allowed=set(Role))


def test_it_lists_only_customers_with_an_active_relationship_to_this_partner(
    client, admin_agent, other_partner
):
    ResellerRelationshipFactory(partner=admin_agent.partner, customer__company_name="Contoso Korea")
    ResellerRelationshipFactory(
        partner=admin_agent.partner,
        customer__company_name="Gone Ltd",
        state="removed",
        removed_at="2026-01-01T00:00Z",
    )
    ResellerRelationshipFactory(partner=other_partner, customer__company_name="Stranger Co")
    client.force_login(admin_agent)
    response = client.get(reverse("customers:list"))
    assert _names(response) == ["Contoso Korea"]
    assert b"Gone Ltd" not in response.content and b"Stranger Co" not in response.content


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
    assert _names(client.get(reverse("customers:list"), {"q": query})) == ["Contoso Korea"]


def test_search_with_no_match_says_so_and_escapes_the_query(client, admin_agent):
    client.force_login(admin_agent)
    response = client.get(reverse("customers:list"), {"q": "<script>x</script>"})
    assert response.status_code == 200
    assert b"<script>x</script>" not in response.content
    assert b"&lt;script&gt;x&lt;/script&gt;" in response.content


def test_customers_come_50_a_page_in_company_name_order(client, admin_agent):
    for n in range(51):
        ResellerRelationshipFactory(
            partner=admin_agent.partner, customer__company_name=f"company {n:03d}"
        )
    client.force_login(admin_agent)
    first = client.get(reverse("customers:list")).context["page_obj"]
    assert len(first) == 50 and first.has_next and not first.has_previous
    assert first[0].company_name == "company 000"
    second = client.get(reverse("customers:list"), {"cursor": first.next_cursor}).context[
        "page_obj"
    ]
    assert [c.company_name for c in second] == ["company 050"] and not second.has_next
    assert second.has_previous
    back = client.get(reverse("customers:list"), {"cursor": second.previous_cursor})
    assert list(back.context["page_obj"]) == list(first)
    # Last is the page Next ends on (one customer here), not the last 50 again.
    last = client.get(reverse("customers:list"), {"cursor": "last"}).context["page_obj"]
    assert [c.company_name for c in last] == ["company 050"] and not last.has_next
    assert last.has_previous
    before_last = client.get(reverse("customers:list"), {"cursor": last.previous_cursor})
    assert list(before_last.context["page_obj"]) == list(first)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_customers(client, admin_agent):
    client.force_login(admin_agent)
    partner = admin_agent.partner
    AgreementAcceptanceFactory(
        partner=partner, customer=ResellerRelationshipFactory(partner=partner).customer
    )
    few = _count_queries(client, reverse("customers:list"))
    for n in range(40):
        customer = ResellerRelationshipFactory(partner=partner).customer
        if n % 2:
            AgreementAcceptanceFactory(partner=partner, customer=customer)
    assert _count_queries(client, reverse("customers:list")) == few


def test_the_list_shows_each_customers_agreement_status_for_this_partner(
    client, admin_agent, other_partner
):
    partner = admin_agent.partner
    confirmed = ResellerRelationshipFactory(
        partner=partner, customer__company_name="A Confirmed"
    ).customer
    AgreementAcceptanceFactory(customer=confirmed, partner=partner)
    # Rule A8: another partner's confirmation does not count for this one.
    theirs = ResellerRelationshipFactory(
        partner=partner, customer__company_name="B Theirs Only"
    ).customer
    ResellerRelationshipFactory(partner=other_partner, customer=theirs)
    AgreementAcceptanceFactory(customer=theirs, partner=other_partner)
    direct = ResellerRelationshipFactory(
        partner=partner, customer__company_name="C Direct"
    ).customer
    AgreementAcceptanceFactory(
        customer=direct,
        partner=None,
        method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
        recorded_by__partner=None,
    )
    old = ResellerRelationshipFactory(
        partner=partner, customer__company_name="D Old Agreement"
    ).customer
    AgreementAcceptanceFactory(
        customer=old,
        partner=partner,
        template=AgreementTemplate.objects.get(agreement_type="MicrosoftCloudAgreement"),
        date_agreed="2019-05-01",
    )
    client.force_login(admin_agent)
    rows = {
        c.company_name: c.agreement_status
        for c in client.get(reverse("customers:list")).context["page_obj"]
    }
    assert rows == {
        "A Confirmed": "confirmed",
        "B Theirs Only": "not_confirmed",
        "C Direct": "accepted_by_customer",
        "D Old Agreement": "not_confirmed",
    }


def test_an_indirect_provider_sees_its_resellers_customers_with_the_resellers_name(
    client, make_user
):
    partnership = IndirectPartnershipFactory(
        provider__name="Northwind", reseller__name="Tailspin IT"
    )
    ResellerRelationshipFactory(
        partner=partnership.reseller,
        indirect_provider=partnership.provider,
        customer__company_name="Busan Marine",
    )
    client.force_login(make_user(Role.ADMIN_AGENT, partner=partnership.provider))
    response = client.get(reverse("customers:list"))
    assert _names(response) == ["Busan Marine"]
    assert b"Through indirect reseller Tailspin IT" in response.content
    client.force_login(make_user(Role.SALES_AGENT, partner=partnership.reseller))
    assert b"Indirect reseller, through Northwind" in client.get(reverse("customers:list")).content


def test_account_info_shows_company_contact_status_current_record_and_history(client, admin_agent):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__company_name="Contoso Korea"
    ).customer
    older = AgreementAcceptanceFactory(
        customer=customer, partner=admin_agent.partner, first_name="Old"
    )
    newer = AgreementAcceptanceFactory(
        customer=customer, partner=admin_agent.partner, first_name="New", recorded_by=admin_agent
    )
    client.force_login(admin_agent)
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    summary = response.context["summary"]
    assert summary.status == "confirmed"
    assert summary.current == newer
    assert summary.history == [newer, older]
    assert customer.domain.encode() in response.content
    assert b"Update" in response.content
    assert b"https://aka.ms/customeragreement" in response.content


def test_account_info_of_another_partners_customer_or_a_bad_id_is_404(
    client, admin_agent, other_partner
):
    stranger = ResellerRelationshipFactory(partner=other_partner).customer
    client.force_login(admin_agent)
    assert client.get(reverse("customers:detail", args=[stranger.pk])).status_code == 404
    assert client.get("/customers/99999999/").status_code == 404
    assert client.get("/customers/abc/").status_code == 404


def test_a_customer_without_relationship_rows_is_nobodys(client, admin_agent):
    orphan = CustomerFactory(company_name="Orphan Co")
    client.force_login(admin_agent)
    assert b"Orphan Co" not in client.get(reverse("customers:list")).content
    assert client.get(reverse("customers:detail", args=[orphan.pk])).status_code == 404


def test_account_info_tells_an_indirect_reseller_whom_to_ask_instead_of_offering_update(
    client, make_user
):
    partnership = IndirectPartnershipFactory(provider__name="Northwind Distribution")
    agent = make_user(Role.ADMIN_AGENT, partner=partnership.reseller)
    customer = ResellerRelationshipFactory(
        partner=partnership.reseller, indirect_provider=partnership.provider
    ).customer
    client.force_login(agent)
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert b"Ask your indirect provider (Northwind Distribution)" in response.content
    assert reverse("agreements:update", args=[customer.pk]).encode() not in response.content


def test_the_new_customer_button_shows_only_for_roles_that_may_add(client, make_user):
    client.force_login(make_user(Role.HELPDESK_AGENT))
    assert b"New customer" not in client.get(reverse("customers:list")).content
    client.force_login(make_user(Role.SALES_AGENT))
    assert b"New customer" in client.get(reverse("customers:list")).content


def test_indirect_partnership_fixture_partners_have_the_right_types():
    partnership = IndirectPartnershipFactory()
    assert partnership.provider.partner_type == Partner.PartnerType.INDIRECT_PROVIDER


def test_cursor_paging_returns_every_customer_once_while_customers_are_added(client, admin_agent):
    """Keyset paging: rows added between page loads never shift a customer onto two pages."""
    partner = admin_agent.partner
    for n in range(0, 240, 2):  # even numbers now; odd ones arrive while paging
        ResellerRelationshipFactory(partner=partner, customer__company_name=f"company {n:03d}")
    client.force_login(admin_agent)
    seen, cursor, added = [], None, iter(range(1, 240, 2))
    while True:
        page = client.get(reverse("customers:list"), {"cursor": cursor or ""}).context["page_obj"]
        seen += [c.company_name for c in page]
        for _ in range(10):  # ten more, spread before and after where paging has reached
            if (n := next(added, None)) is not None:
                ResellerRelationshipFactory(
                    partner=partner, customer__company_name=f"company {n:03d}"
                )
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)), "a customer appeared on two pages"
    assert {f"company {n:03d}" for n in range(0, 240, 2)} <= set(seen)
    assert seen == sorted(seen)


@pytest.mark.parametrize("size", [3, 60])
def test_each_list_page_costs_a_fixed_number_of_queries(
    client, admin_agent, django_assert_max_num_queries, size
):
    partner = admin_agent.partner
    customers = [ResellerRelationshipFactory(partner=partner).customer for _ in range(size)]
    for customer in customers[::2]:
        AgreementAcceptanceFactory(partner=partner, customer=customer)
    heavy = customers[0]
    for _ in range(size):
        AgreementAcceptanceFactory(partner=partner, customer=heavy)
        SubscriptionFactory(partner=partner, customer=heavy)
    client.force_login(admin_agent)
    pages = {
        reverse("customers:list"): 9,
        reverse("customers:list") + "?cursor=last": 9,
        reverse("customers:list") + "?q=customer": 9,
        reverse("customers:list") + "?status=confirmed": 9,
        reverse("customers:detail", args=[heavy.pk]): 17,
        reverse("agreements:history", args=[heavy.pk]): 9,
        reverse("customers:subscriptions", args=[heavy.pk]): 9,
    }
    for url, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_a_request_asks_for_the_users_roles_once(client, admin_agent):
    ResellerRelationshipFactory(partner=admin_agent.partner)
    client.force_login(admin_agent)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("customers:list")).status_code == 200
    roles = [q["sql"] for q in ctx.captured_queries if "auth_group" in q["sql"]]
    assert len(roles) == 1, roles


@pytest.mark.parametrize("name", ["customers:subscriptions", "agreements:history"])
def test_the_full_subscription_and_history_pages_follow_the_permission_matrix(client, name):
    def build_url(partner):
        return reverse(name, args=[ResellerRelationshipFactory(partner=partner).customer.pk])

    assert_permission_matrix(client, build_url=build_url, allowed=set(Role))


def test_account_info_links_to_the_full_history_past_ten_records(client, admin_agent):
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    for _ in range(11):
        AgreementAcceptanceFactory(partner=admin_agent.partner, customer=customer)
    client.force_login(admin_agent)
    detail = client.get(reverse("customers:detail", args=[customer.pk]))
    assert len(detail.context["summary"].history) == 10
    assert b'data-testid="full-history"' in detail.content
    full = client.get(reverse("agreements:history", args=[customer.pk])).context["page_obj"]
    assert len(full) == 11


def test_the_full_history_pages_newest_first_both_ways(client, admin_agent):
    """Keyset paging on descending keys: Next walks to older records, Previous and Last agree."""
    customer = ResellerRelationshipFactory(partner=admin_agent.partner).customer
    first = AgreementAcceptanceFactory(partner=admin_agent.partner, customer=customer)
    # Ties (the id decides), written at the insert: records are append-only.
    for _ in range(59):
        AgreementAcceptanceFactory(
            partner=admin_agent.partner, customer=customer, created_at=first.created_at
        )
    for _ in range(60):
        AgreementAcceptanceFactory(partner=admin_agent.partner, customer=customer)
    newest_first = list(
        AgreementAcceptance.objects.filter(customer=customer)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    client.force_login(admin_agent)
    url = reverse("agreements:history", args=[customer.pk])
    pages, cursor = [], ""
    while True:
        page = client.get(url, {"cursor": cursor}).context["page_obj"]
        pages.append([r.pk for r in page])
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert [pk for p in pages for pk in p] == newest_first
    assert [len(p) for p in pages] == [50, 50, 20]
    last = client.get(url, {"cursor": "last"}).context["page_obj"]
    assert [r.pk for r in last] == newest_first[-50:]
    before = client.get(url, {"cursor": last.previous_cursor}).context["page_obj"]
    assert [r.pk for r in before] == newest_first[-100:-50]


def test_paging_cursors_are_opaque_so_company_names_stay_out_of_addresses(client, admin_agent):
    """Cursors travel in URLs and access logs: encrypted, not merely signed."""
    import base64
    import contextlib
    import zlib

    partner = admin_agent.partner
    for n in range(60):
        ResellerRelationshipFactory(
            partner=partner, customer__company_name=f"Hanbit Secret {n:02d}"
        )
    client.force_login(admin_agent)
    page = client.get(reverse("customers:list")).context["page_obj"]
    cursor = page.next_cursor
    assert cursor and "Hanbit" not in cursor
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"Hanbit" not in raw
    for start in range(len(raw)):  # nor in anything that decompresses from it
        with contextlib.suppress(zlib.error):
            assert b"Hanbit" not in zlib.decompressobj().decompress(raw[start:])
    following = client.get(reverse("customers:list"), {"cursor": cursor}).context["page_obj"]
    assert following[0].company_name == "Hanbit Secret 50"
    tampered = cursor[:-6] + ("A" if cursor[-6] != "A" else "B") + cursor[-5:]
    again = client.get(reverse("customers:list"), {"cursor": tampered}).context["page_obj"]
    assert again[0].company_name == "Hanbit Secret 00", "a tampered cursor is the first page"


# --- The list's size, its last page, and search inside words ----------------------------


def _customers(partner, names):
    for name in names:
        ResellerRelationshipFactory(
            partner=partner,
            customer__company_name=name,
            customer__domain_prefix="".join(c for c in name.lower() if c.isalnum())[:27],
        )


@pytest.mark.parametrize(("language", "shown"), [("en", "71 customers"), ("ko", "고객 71개")])
def test_the_list_says_how_many_customers_and_last_is_where_next_ends(
    client, admin_agent, language, shown
):
    _customers(admin_agent.partner, [f"company {n:03d}" for n in range(71)])
    client.force_login(admin_agent)
    client.cookies["django_language"] = language
    first = client.get(reverse("customers:list"))
    assert shown in first.content.decode()
    by_next = client.get(
        reverse("customers:list"), {"cursor": first.context["page_obj"].next_cursor}
    ).context["page_obj"]
    last = client.get(reverse("customers:list"), {"cursor": "last"}).context["page_obj"]
    assert len(by_next) == 21 and list(last) == list(by_next)


def test_past_the_cap_the_count_says_more_and_costs_the_same(client, admin_agent, monkeypatch):
    from partnercenter.web import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    _customers(admin_agent.partner, [f"company {n:03d}" for n in range(8)])
    client.force_login(admin_agent)
    page = client.get(reverse("customers:list")).content.decode()
    assert "5+ customers" in page


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("ental", {"Contoso Rental"}),  # inside a word, on SQLite too
        ("RENTAL", {"Contoso Rental"}),
        ("toso", {"Contoso Rental", "Contoso Korea"}),
        ("onmicrosoft", {"Contoso Rental", "Contoso Korea", "Fabrikam Bank"}),
        ("contosokorea.onmicrosoft", {"Contoso Korea"}),
        ("contosokorea.onmicrosoft.com", {"Contoso Korea"}),
        ("kb", set()),
        ("fa", {"Fabrikam Bank"}),  # under three characters: the start of a name
    ],
)
def test_search_matches_inside_words_on_every_database(client, admin_agent, search, found):
    _customers(admin_agent.partner, ["Contoso Rental", "Contoso Korea", "Fabrikam Bank"])
    client.force_login(admin_agent)
    page = client.get(reverse("customers:list"), {"q": search}).context["page_obj"]
    assert {c.company_name for c in page} == found
