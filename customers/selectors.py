"""Reads of customers, scoped to the signed-in user's partner (docs/style.md, habit 1)."""

import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from agreements.models import AgreementStatusRow
from customers.models import DOMAIN_SUFFIX, Customer, Subscription, default_domain
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_for_user, pk_or_404
from partnercenter.tenant.roles import Action
from partnercenter.web.paging import KeysetPage, capped_count, keyset_page
from relationships.models import ResellerRelationship
from relationships.selectors import active_relationships


def customers_with_domains(domains) -> QuerySet[Customer]:
    """Every customer whose domain prefix is one of ``domains`` (lowercase, without
    .onmicrosoft.com), through the unique index on ``lower(domain_prefix)``: a plain
    ``domain_prefix__in`` or ``__iexact`` can't use it and reads the whole table.
    Not scoped to a partner: for uniqueness (domains are global) and for callers
    that scope the result themselves (bulk confirmation checks A8 next)."""
    return Customer.objects.alias(_domain=Lower("domain_prefix")).filter(
        _domain__in=[d.lower() for d in domains]
    )


def customers_of_partner(partner: Partner) -> QuerySet[Customer]:
    """Customers ``partner`` serves: an active relationship of its own, or — for an
    indirect provider — one of its resellers' relationships through it (docs/relationships.md, A8).
    """
    served = (
        active_relationships()
        .filter(customer=OuterRef("pk"))
        .filter(Q(partner=partner) | Q(indirect_provider=partner))
    )
    return Customer.objects.filter(Exists(served))


#: Search shorter than this matches the start of names and domains: a trigram index
#: needs three characters to narrow anything down.
TRIGRAM_MIN = 3


def _fts_phrase(text: str) -> str:
    """An FTS5 query for ``text`` anywhere in a column: with the trigram tokenizer, a
    phrase is a run of trigrams, so it matches inside words ("ental" in "Rental")."""
    return '"' + text.replace('"', '""') + '"'


def _search_text(search: str) -> str:
    """What a search looks for in company names and domain prefixes: lowered, and
    without the ``.onmicrosoft.com`` part every domain has ("contosokr.onmicrosoft" looks
    for "contosokr"; "onmicrosoft" alone for every customer, so for nothing more)."""
    text = search.strip().lower()
    if "onmicrosoft" in text:
        text = text.split("onmicrosoft", 1)[0].rstrip(".")
    return text.removesuffix(DOMAIN_SUFFIX)


def customer_rows_for_user(user, *, search: str = "", status: str = "") -> QuerySet:
    """The Customers page's rows (``AgreementStatusRow``, customer and partners joined).

    One row per customer the user's partner serves: its own, or — for an
    indirect provider — its resellers' (docs/relationships.md, A8). ``status`` keeps one
    AgreementStatusRow.Status. ``search`` (the ``.onmicrosoft.com`` part is
    ignored, ``_search_text``) matches company names and domains *containing* it
    — through a trigram index on PostgreSQL (pg_trgm) and on SQLite (FTS5's trigram
    tokenizer) — or, under three characters, *starting with* it. Every path reads
    an index that starts with the partner, or the trigram index.
    Raises Http404 for accounts without a partner, PermissionDenied for roles
    that may not view customers (docs/roles.md).
    """
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    rows = AgreementStatusRow.objects.filter(partner=partner).select_related(
        "customer", "provider", "reseller"
    )
    if status in AgreementStatusRow.Status.values:
        rows = rows.filter(status=status)
    text = _search_text(search)
    if not text:
        return rows
    if len(text) < TRIGRAM_MIN:
        return rows.filter(Q(sort_name__startswith=text) | Q(domain_prefix__startswith=text))
    if connection.vendor == "sqlite":
        return rows.filter(
            id__in=RawSQL(
                "SELECT rowid FROM agreements_agreementstatusrow_fts "
                "WHERE agreements_agreementstatusrow_fts MATCH %s",
                [_fts_phrase(text)],
            )
        )
    return rows.filter(Q(sort_name__contains=text) | Q(domain_prefix__contains=text))


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One row of the Customers page: the columns it shows, read as plain values.

    ``pk`` is the customer's; ``country`` its ISO 3166 code; ``agreement_status``
    an AgreementStatusRow.Status value; ``own_relationship`` whether the partner
    has its own active relationship; ``through_provider`` / ``through_reseller``
    the indirect provider's / reseller's name, or None. ``sort_name`` and
    ``customer_id`` are the page's keyset keys.
    """

    pk: int
    company_name: str
    domain_prefix: str
    country: str
    agreement_status: str
    own_relationship: bool
    through_provider: str | None
    through_reseller: str | None
    sort_name: str

    @property
    def customer_id(self) -> int:
        return self.pk

    @property
    def domain(self) -> str:
        """The full default domain, ``<prefix>.onmicrosoft.com`` (as ``Customer.domain``)."""
        return default_domain(self.domain_prefix)

    @property
    def country_name(self) -> str:
        """The country's name in the active language (django-countries' names)."""
        return _country_name(get_language(), self.country)

    @property
    def url(self) -> str:
        """The customer's **Account info** page (``customers:detail``)."""
        return _detail_url(get_script_prefix(), get_urlconf()).replace(
            _PK_PLACEHOLDER, str(self.pk)
        )

    @property
    def relationship(self) -> str:
        """The Relationship column: how the partner serves the customer, in the active language."""
        if self.own_relationship and self.through_provider:
            return _("Indirect reseller, through %(provider)s") % {
                "provider": self.through_provider
            }
        if self.own_relationship:
            return _("Reseller")
        return _("Through indirect reseller %(reseller)s") % {"reseller": self.through_reseller}


#: Stands for the customer's pk in the reversed Account info URL: ``reverse()`` costs
#: ~20 µs, once per row; the Customers page reverses once per script prefix and URLconf.
_PK_PLACEHOLDER = "2147483647"


@lru_cache(maxsize=16)
def _detail_url(script_prefix: str, urlconf: str | None) -> str:
    return reverse("customers:detail", urlconf=urlconf, args=[int(_PK_PLACEHOLDER)])


@lru_cache(maxsize=4096)
def _country_name(language: str, code: str) -> str:
    return str(countries.name(code))


def customer_list_page(user, *, search="", status="", cursor=None, per_page=50) -> KeysetPage:
    """One page of the Customers list in company-name order, keyset-paged, with how many
    customers the list has (``page.count``, a ``CappedCount``: "1,000+" past the cap).

    The page holds ``CustomerRow``s, read as plain values (no model objects:
    a row is what the page shows). Two queries — the capped count and ``per_page + 1``
    rows — the same cost on the first, any middle and the last page. With the count
    exact, **Last** is the page **Next** ends on.
    """
    matching = customer_rows_for_user(user, search=search, status=status)
    count = capped_count(matching)
    rows = matching.values_list(
        "customer_id",
        "customer__company_name",
        "customer__domain_prefix",
        "customer__country",
        "status",
        "own",
        "provider__name",
        "reseller__name",
        "sort_name",
        named=True,
    )
    page = keyset_page(
        rows,
        keys=("sort_name", "customer_id"),
        cursor=cursor,
        per_page=per_page,
        total=count.exact,
    )
    page.count = count
    page.object_list = [
        CustomerRow(
            pk, name, domain, country, status_, own, provider, None if own else reseller, key
        )
        for pk, name, domain, country, status_, own, provider, reseller, key in page.object_list
    ]
    return page


def customer_get_for_user(user, pk, *, action: Action = Action.VIEW_CUSTOMERS) -> Customer:
    """One customer the user's partner serves, by primary key.

    Raises Http404 when ``pk`` is malformed or the customer isn't served by the
    user's partner (another partner's customer), PermissionDenied when the
    user's roles don't allow ``action``.
    """
    partner = partner_for_user(user)
    customer = get_object_or_404(customers_of_partner(partner), pk=pk_or_404(pk))
    partner_for_user(user, action)
    return customer


def customer_get_by_tenant_for_user(
    user, tenant_id: uuid.UUID, *, action: Action = Action.VIEW_CUSTOMERS
) -> Customer:
    """One customer the user's partner serves, by its tenant ID (the API's customer id).

    Raises Http404 when the customer is unknown or not served by the user's partner,
    PermissionDenied when the user's roles don't allow ``action``.
    """
    partner = partner_for_user(user)
    customer = get_object_or_404(customers_of_partner(partner), tenant_id=tenant_id)
    partner_for_user(user, action)
    return customer


def relationships_for_customer(
    customer: Customer, *, partner: Partner
) -> QuerySet[ResellerRelationship]:
    """``partner``'s active relationships with ``customer`` (its own, or its resellers' through it)."""
    return (
        active_relationships()
        .filter(customer=customer)
        .filter(Q(partner=partner) | Q(indirect_provider=partner))
        .select_related("partner", "indirect_provider")
    )


@dataclass(frozen=True, slots=True)
class RecentCustomer:
    """The customer of a Recent acceptances entry: its ``pk`` and ``company_name``."""

    pk: int
    company_name: str


def recent_acceptances(partner: Partner, *, limit: int = 5) -> list[dict]:
    """**Recent acceptances**: customers who lately accepted an invitation or the agreement.

    Returns up to ``limit`` dicts ``{"customer": RecentCustomer, "kind", "at"}``, newest first;
    ``kind`` is ``"relationship"`` or ``"agreement"``. Two queries of ``limit``
    rows each from the partner's status rows (partial indexes on the two
    times), whatever the number of customers.
    """
    mine = AgreementStatusRow.objects.filter(partner=partner)
    events = []
    for kind, at in (
        ("relationship", "relationship_accepted_at"),
        ("agreement", "agreement_accepted_at"),
    ):
        newest = (
            mine.filter(**{f"{at}__isnull": False})
            .order_by(f"-{at}")
            .values_list("customer_id", "customer__company_name", at)[:limit]
        )
        events += [
            {"customer": RecentCustomer(pk, name), "kind": kind, "at": when}
            for pk, name, when in newest
        ]
    return sorted(events, key=lambda e: e["at"], reverse=True)[:limit]


def subscriptions_of(customer, *, partner: Partner) -> QuerySet[Subscription]:
    """``customer``'s subscriptions bought through ``partner`` (active and cancelled)."""
    return customer.subscriptions.filter(partner=partner).select_related("offer", "cancelled_by")


def customer_has_purchases(customer) -> bool:
    """Rule A9's test (seed 002, scenarios 1 and 2): the customer already has purchases.

    True when it has an active subscription through any partner relationship;
    then it can't accept the agreement directly and a partner must attest.
    """
    return Subscription.objects.filter(customer=customer, state=Subscription.State.ACTIVE).exists()


def active_subscriptions_through(customer, *, partner: Partner) -> list:
    """``customer``'s active subscriptions bought through ``partner``, with their offers,
    oldest first (what **New order** warns a second subscription would repeat)."""
    return list(
        Subscription.objects.filter(
            customer=customer, partner=partner, state=Subscription.State.ACTIVE
        )
        .select_related("offer")
        .order_by("created_at", "pk")
    )


def customer_has_active_subscriptions_through(customer, *, partner: Partner) -> bool:
    """Whether ``customer`` has active subscriptions bought through ``partner``.

    While it does, the partner can't remove its relationship (seed 004).
    """
    return Subscription.objects.filter(
        customer=customer, partner=partner, state=Subscription.State.ACTIVE
    ).exists()
