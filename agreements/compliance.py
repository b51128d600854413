"""Agreement compliance: which customers lack a confirmation of the current agreement.

Reads only, scoped to the signed-in user's partner: the report (status rows
through the ``agr_status_compliance`` / ``agr_status_lacking`` indexes,
keyset-paged), its capped counts, and the exports in Partner Center's
shapes — the report as CSV or XLSX, the partner's acceptance records as CSV
or JSON lines (``customeragreementrecords``-like), and one customer's records
as ``GET /v1/customers/{id}/agreements`` returns them. Every export streams
or writes in chunks; none holds the whole result in memory.
"""

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import (
    AgreementAcceptance,
    AgreementStatusRow,
    AgreementTemplate,
    BulkAttestation,
)
from agreements.selectors import acceptance_history
from customers.models import Customer, Subscription
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.web.csvfiles import csv_rows
from partnercenter.web.paging import KeysetPage, keyset_page

Compliance = AgreementStatusRow.Compliance
#: The report's default: every customer whose status isn't CURRENT.
LACKING = "lacking"
ALL = "all"
STATUS_CHOICES = [
    (LACKING, gettext_lazy("Lacking the current agreement")),
    *[(value, label) for value, label in Compliance.choices],
    (ALL, gettext_lazy("All customers")),
]
#: Counts stop here ("1 000+"): each costs at most this many index entries at any size.
COUNT_CAP = 1000
#: Rows per query when an export reads the report or the records.
CHUNK = 2000
KEYS = ("sort_name", "customer_id")


@dataclass
class ReportFilters:
    """The report's filters. ``status`` is LACKING, ALL or a ``Compliance`` value;
    ``reseller`` narrows an indirect provider's report to one reseller's customers;
    ``created_since`` is a date (the customer's creation, server time);
    ``active_subscriptions`` keeps customers with an active subscription (blocked from
    new orders while they lack a current confirmation, A10)."""

    status: str = LACKING
    country: str = ""
    reseller: Partner | None = None
    created_since: datetime.date | None = None
    active_subscriptions: bool = False


def _narrowed(rows: QuerySet, filters: ReportFilters, *, with_status: bool = True) -> QuerySet:
    if with_status:
        if filters.status == LACKING:
            rows = rows.exclude(compliance=Compliance.CURRENT)
        elif filters.status in Compliance.values:
            rows = rows.filter(compliance=filters.status)
    if filters.country:
        rows = rows.filter(customer__country=filters.country)
    if filters.reseller is not None:
        rows = rows.filter(reseller=filters.reseller)
    if filters.created_since:
        rows = rows.filter(customer__created_at__date__gte=filters.created_since)
    if filters.active_subscriptions:
        rows = rows.filter(_has_active_subscriptions())
    return rows


def _has_active_subscriptions() -> Exists:
    return Exists(
        Subscription.objects.filter(
            customer=OuterRef("customer_id"), state=Subscription.State.ACTIVE
        )
    )


def compliance_rows(partner: Partner, filters: ReportFilters | None = None) -> QuerySet:
    """``partner``'s status rows the report shows (customer, reseller and the agreements
    joined; ``has_active_subscriptions`` annotated), unordered. A direct partner's rows are
    its own customers; an indirect provider's are also its resellers' shared customers."""
    filters = filters or ReportFilters()
    rows = (
        AgreementStatusRow.objects.filter(partner=partner)
        .select_related("customer", "reseller", "attested_template", "direct_template")
        .annotate(has_active_subscriptions=_has_active_subscriptions())
    )
    return _narrowed(rows, filters)


def compliance_rows_for_user(user, filters: ReportFilters | None = None) -> QuerySet:
    """``compliance_rows`` of the user's partner. Raises Http404 for accounts without a
    partner and PermissionDenied for roles that may not view customers (docs/roles.md)."""
    return compliance_rows(partner_for_user(user, Action.VIEW_CUSTOMERS), filters)


def compliance_page(user, filters: ReportFilters, *, cursor=None, per_page=50) -> KeysetPage:
    """One page of the report in company-name order; the same cost on any page."""
    rows = compliance_rows_for_user(user, filters)
    return keyset_page(rows, keys=KEYS, cursor=cursor, per_page=per_page)


@dataclass
class StatusCount:
    """One status's count for the report's header: ``count`` is capped at COUNT_CAP."""

    value: str
    label: str
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown(self) -> int:
        return min(self.count, COUNT_CAP)


def compliance_counts(user, filters: ReportFilters) -> list[StatusCount]:
    """How many customers have each status under ``filters`` (the status filter aside),
    each counted up to COUNT_CAP + 1: one bounded index walk per status, at any size."""
    partner = partner_for_user(user, Action.VIEW_CUSTOMERS)
    rows = _narrowed(AgreementStatusRow.objects.filter(partner=partner), filters, with_status=False)
    return [
        StatusCount(value, str(label), rows.filter(compliance=value)[: COUNT_CAP + 1].count())
        for value, label in Compliance.choices
    ]


def rows_all(rows: QuerySet, *, chunk_size: int = CHUNK) -> Iterator[AgreementStatusRow]:
    """Every row of ``rows`` in report order, ``chunk_size`` rows a query (keyset)."""
    cursor = None
    while True:
        page = keyset_page(rows, keys=KEYS, cursor=cursor, per_page=chunk_size)
        yield from page
        if not page.has_next:
            return
        cursor = page.next_cursor


# --- What a row says ------------------------------------------------------------------


def agreement_name(template: AgreementTemplate | None) -> str:
    """``"Microsoft Customer Agreement (version 2)"`` (``AgreementTemplate.label``), or ""."""
    return template.label if template is not None else ""


def held_agreement(row: AgreementStatusRow) -> AgreementTemplate | None:
    """The agreement the partner's newest confirmation (or the customer's own) covers."""
    return row.attested_template or row.direct_template


REPORT_COLUMNS = [
    ("company_name", gettext_lazy("Company name")),
    ("domain", gettext_lazy("Domain")),
    ("tenant_id", gettext_lazy("Tenant ID")),
    ("country", gettext_lazy("Country/region")),
    ("reseller", gettext_lazy("Indirect reseller")),
    ("status", gettext_lazy("Status")),
    ("confirmed_agreement", gettext_lazy("Confirmed agreement")),
    ("active_subscriptions", gettext_lazy("Active subscriptions")),
    ("created", gettext_lazy("Customer since")),
]


def report_record(row: AgreementStatusRow) -> dict:
    """One report row as the export's cells (``REPORT_COLUMNS``), in the active language."""
    customer = row.customer
    return {
        "company_name": customer.company_name,
        "domain": customer.domain,
        "tenant_id": str(customer.tenant_id),
        "country": str(customer.country),
        "reseller": row.reseller.name if row.reseller_id else "",
        "status": str(Compliance(row.compliance).label),
        "confirmed_agreement": agreement_name(held_agreement(row)),
        "active_subscriptions": _("Yes") if row.has_active_subscriptions else _("No"),
        "created": customer.created_at.date().isoformat(),
    }


def report_csv_lines(rows: QuerySet) -> Iterator[str]:
    """The report as CSV lines (header first), read in chunks."""
    return csv_rows(
        [label for _key, label in REPORT_COLUMNS],
        ([report_record(r)[key] for key, _label in REPORT_COLUMNS] for r in rows_all(rows)),
    )


def report_xlsx(rows: QuerySet, path: str) -> None:
    """Write the report to ``path`` as an XLSX workbook (openpyxl's write-only mode, which
    keeps rows on disk, not in memory). Text is always a string cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Agreement compliance")[:31])

    def cells(values):
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.data_type = "s"  # "=..." stays text (no formula injection)
            out.append(cell)
        return out

    sheet.append(cells(label for _key, label in REPORT_COLUMNS))
    for row in rows_all(rows):
        record = report_record(row)
        sheet.append(cells(record[key] for key, _label in REPORT_COLUMNS))
    workbook.save(path)


# --- Acceptance records in Partner Center's shapes -------------------------------------


def partner_acceptances(partner: Partner) -> QuerySet[AgreementAcceptance]:
    """Every acceptance record of ``partner``: its attestations and the direct acceptances
    customers made through its invitations (``partner`` set), oldest first by id."""
    return AgreementAcceptance.objects.filter(partner=partner).select_related(
        "customer", "template", "recorded_by"
    )


def _date_agreed(value: datetime.date) -> str:
    """Partner Center's ``dateAgreed``: a UTC date-time at midnight of the day agreed."""
    return f"{value.isoformat()}T00:00:00Z"


class _Links:
    """Each template's download link for a country and culture, looked up once."""

    def __init__(self):
        self.links: dict[tuple, str] = {}
        self.templates: dict[int, AgreementTemplate] = {}

    def __call__(self, acceptance: AgreementAcceptance) -> str:
        customer = acceptance.customer
        key = (acceptance.template_id, str(customer.country), customer.culture)
        if key not in self.links:
            template = self.templates.get(acceptance.template_id)
            if template is None:
                template = AgreementTemplate.objects.prefetch_related("documents").get(
                    pk=acceptance.template_id
                )
                self.templates[template.pk] = template
            self.links[key] = template.document_url(
                country=str(customer.country), language=customer.culture
            )
        return self.links[key]


def agreement_item(acceptance: AgreementAcceptance, link: str) -> dict:
    """One record as Partner Center's Agreement resource (``GET …/agreements`` items)."""
    return {
        "primaryContact": {
            "firstName": acceptance.first_name,
            "lastName": acceptance.last_name,
            "email": acceptance.email,
            "phoneNumber": acceptance.phone.as_e164 if acceptance.phone else "",
        },
        "templateId": str(acceptance.template.template_id),
        "dateAgreed": _date_agreed(acceptance.date_agreed),
        "type": acceptance.template.agreement_type,
        "agreementLink": link,
        "userId": acceptance.recorded_by.email,
        "attributes": {"objectType": "Agreement"},
    }


AGREEMENT_TYPES = [t for t, _label in AgreementTemplate.AgreementType.choices]


def customer_agreements(customer: Customer, *, partner: Partner, agreement_type="*") -> dict:
    """``GET /v1/customers/{id}/agreements`` for ``partner``: its own confirmations of
    ``customer`` and the customer's direct acceptances (A8), newest first. ``agreement_type``
    is a type or ``"*"`` (all), as Partner Center's ``agreementType``; ValueError otherwise."""
    if agreement_type != "*" and agreement_type not in AGREEMENT_TYPES:
        raise ValueError(agreement_type)
    records = (
        acceptance_history(customer, partner=partner)
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )
    if agreement_type != "*":
        records = records.filter(template__agreement_type=agreement_type)
    link = _Links()
    items = [agreement_item(a, link(a)) for a in records]
    return {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}


def agreement_record(acceptance: AgreementAcceptance, link: str) -> dict:
    """One record for the partner-wide export: the Agreement resource plus the customer
    (``customerTenantId``, ``customerDomain``, ``companyName``), the ``method``
    (``partner_attestation`` / ``customer_direct``), ``versionRank`` and when it was
    recorded (``createdDateTime``, UTC)."""
    customer = acceptance.customer
    return {
        "customerTenantId": str(customer.tenant_id),
        "customerDomain": customer.domain,
        "companyName": customer.company_name,
        **agreement_item(acceptance, link),
        "versionRank": acceptance.template.version_rank,
        "method": acceptance.method,
        "createdDateTime": acceptance.created_at.astimezone(datetime.UTC).isoformat(),
    }


RECORD_COLUMNS = [
    "customerTenantId",
    "customerDomain",
    "companyName",
    "type",
    "templateId",
    "versionRank",
    "dateAgreed",
    "firstName",
    "lastName",
    "email",
    "phoneNumber",
    "userId",
    "method",
    "agreementLink",
    "createdDateTime",
]


def records_all(records: QuerySet) -> Iterator[AgreementAcceptance]:
    """Every record of ``records`` by id, CHUNK a query (keyset on the primary key)."""
    last = 0
    while True:
        chunk = list(records.filter(pk__gt=last).order_by("pk")[:CHUNK])
        yield from chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1].pk


def records_csv_lines(records: QuerySet) -> Iterator[str]:
    """The records as CSV lines (``RECORD_COLUMNS``; the contact flattened)."""
    link = _Links()

    def flat():
        for acceptance in records_all(records):
            record = agreement_record(acceptance, link(acceptance))
            record.update(record.pop("primaryContact"))
            yield [record[column] for column in RECORD_COLUMNS]

    return csv_rows(RECORD_COLUMNS, flat())


def records_jsonl_lines(records: QuerySet) -> Iterator[str]:
    """The records as JSON lines, one ``agreement_record`` object a line."""
    link = _Links()
    for acceptance in records_all(records):
        yield (
            json.dumps(
                agreement_record(acceptance, link(acceptance)),
                ensure_ascii=False,
                cls=DjangoJSONEncoder,
            )
            + "\n"
        )


# --- The bulk confirmation template ----------------------------------------------------

#: The bulk file's columns, in the template's order; ``domain`` or ``tenant_id`` names
#: the customer, ``company_name`` is for people reading the file.
BULK_COLUMNS = [
    "domain",
    "tenant_id",
    "company_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_agreed",
]


def bulk_template_lines(rows: QuerySet) -> Iterator[str]:
    """A bulk confirmation file pre-filled with the report's customers and their primary
    contacts (A4); ``date_agreed`` is left for the partner to fill in (YYYY-MM-DD)."""

    def records():
        for row in rows_all(rows):
            customer = row.customer
            yield [
                customer.domain,
                str(customer.tenant_id),
                customer.company_name,
                customer.contact_first_name,
                customer.contact_last_name,
                customer.contact_email,
                # National format: it starts with a digit, so no formula-safe quote.
                customer.contact_phone.as_national if customer.contact_phone else "",
                "",
            ]

    return csv_rows(BULK_COLUMNS, records())


def in_language(language: str, lines: Iterable[str]) -> Iterator[str]:
    """``lines`` produced in ``language`` (a streamed response runs after its view)."""
    with translation.override(language):
        yield from lines


def bulk_attestation_get_for_user(user, job_id) -> BulkAttestation:
    """One bulk confirmation of the user's partner (``job_id`` a UUID); Http404 for
    another partner's or an unknown one."""
    partner = partner_for_user(user)
    return get_object_or_404(
        BulkAttestation.objects.select_related("template", "created_by"),
        pk=job_id,
        partner=partner,
    )
