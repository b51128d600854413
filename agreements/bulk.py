"""Bulk confirmation from CSV: Agreement compliance → **Confirm in bulk**.

A partner uploads a file of confirmations (``agreements.compliance.BULK_COLUMNS``:
the customer's domain or tenant ID, the person who accepted and the date);
``bulk_validate`` (a background job) checks every row by the one-row
service's rules — A1/A2 (``acceptance_rule_errors``), A3 and the phone
(``acceptor_errors``), A7 (``national_cloud_message``), A8
(``customers_served_by``), A12 (``A12_MESSAGE``) — with a few set-based
queries per BATCH rows, never the one-row service per row. **Confirm** runs
``bulk_record``: the same checks again, then every valid row in one
transaction (``bulk_create``), the status rows of those customers, one audit
event per record and the webhook events — or nothing, in all-or-nothing
mode, if any row isn't valid. A5/A6 (``check_may_attest``) are checked
before either. Rows already recorded (a re-upload) are skipped, never
recorded twice (A12).
"""

import contextlib
import csv
import datetime
import gc
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from phonenumber_field.phonenumber import PhoneNumber

from agreements.models import (
    A3_REQUIRED,
    A12_MESSAGE,
    AgreementAcceptance,
    AgreementTemplate,
    BulkAttestation,
    BulkAttestationProblem,
    acceptance_rule_errors,
    acceptor_errors,
    national_cloud_message,
    user_today,
)
from agreements.services import acceptance_facts, check_may_attest, customer_event_publish
from agreements.statusrows import agreement_status_attested
from customers.models import DOMAIN_SUFFIX, Customer
from customers.selectors import customers_with_domains
from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_event, audit_record_batch
from partnercenter.models import Partner, database_now
from relationships.selectors import customers_served_by

logger = logging.getLogger(__name__)

#: The most data rows a file may hold (its largest size is ``settings.UPLOAD_MAX_BYTES``).
MAX_ROWS = 100_000


def too_large_message() -> str:
    """The one message for a file over ``settings.UPLOAD_MAX_BYTES`` ("… larger than 30 MB.")."""
    return _("The file is larger than %(size)s MB.") % {
        "size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    }


#: Rows checked per round of queries (and between progress reports).
BATCH = 5000
#: Records per INSERT statement.
INSERT_BATCH = 1000

#: Header spellings accepted for each column (compared lowercased, without spaces, _ or -).
HEADERS = {
    "domain": {"domain", "customerdomain", "domainprefix"},
    "tenant_id": {"tenantid", "customertenantid", "customerid", "microsoftid"},
    "company_name": {"companyname", "company", "customer", "customername"},
    "first_name": {"firstname"},
    "last_name": {"lastname"},
    "email": {"email", "emailaddress"},
    "phone": {"phone", "phonenumber"},
    "date_agreed": {"dateagreed", "agreementacceptancedate", "date"},
}
REQUIRED_COLUMNS = ["first_name", "last_name", "email", "date_agreed"]

NOT_YOURS = gettext_lazy(
    "This customer isn't one of yours: no customer you serve has this domain or tenant ID."
)


class BulkFileError(ValueError):
    """The file can't be read as a bulk confirmation file; ``str(exc)`` says why."""


@dataclass(slots=True)
class BulkRow:
    """One data row of the file; ``number`` is its line number (the header is 1)."""

    number: int
    domain: str = ""
    tenant_id: str = ""
    company_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    date_agreed: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        """The customer as the file names it."""
        return self.domain or self.tenant_id or self.company_name


@dataclass(slots=True)
class CheckedRow:
    """A row after the checks: ``status`` is "valid", "invalid" or "duplicate"; ``values``
    (valid rows) the record's date_agreed, first_name, last_name, email and phone (E.164
    text, "" for none)."""

    row: BulkRow
    status: str
    message: str = ""
    customer: Customer | None = None
    values: dict = field(default_factory=dict)


def _normalise(header: str) -> str:
    return "".join(c for c in header.strip().lower() if c.isalnum())


def bulk_text(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8, with or without a BOM. Raises BulkFileError."""
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise BulkFileError(too_large_message())
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkFileError(
            _("The file isn't UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from exc


def bulk_rows(text: str) -> list[BulkRow]:
    """Read a bulk file: ``,`` or ``;`` separated (whichever the header uses), a header
    row naming the columns (``HEADERS``), at most MAX_ROWS data rows; blank lines are
    skipped. Returns the rows; a row with the wrong number of cells carries a
    ``problem``. Raises BulkFileError for a file that can't be read at all."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise BulkFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise BulkFileError(_("The file isn't a CSV file.")) from exc
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, spellings in HEADERS.items():
            if _normalise(name) in spellings and column not in columns:
                columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing or ("domain" not in columns and "tenant_id" not in columns):
        raise BulkFileError(
            _(
                "The first row must name the columns: domain or tenant_id, first_name, "
                "last_name, email, date_agreed (phone and company_name are optional). "
                "Download the template to start from one."
            )
        )
    rows: list[BulkRow] = []
    number = 1
    try:
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise BulkFileError(
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            row = BulkRow(number=number)
            for column, index in columns.items():
                if index < len(cells):
                    # A leading ' is the formula-safe quote of our own exports.
                    setattr(row, column, cells[index].strip().removeprefix("'"))
            if len(cells) != len(header):
                row.problem = _("This row has %(cells)s cells; the header has %(columns)s.") % {
                    "cells": len(cells),
                    "columns": len(header),
                }
            rows.append(row)
    except csv.Error as exc:
        raise BulkFileError(
            _("Line %(line)s can't be read: %(error)s") % {"line": number + 1, "error": exc}
        ) from exc
    if not rows:
        raise BulkFileError(_("The file has no rows below its header."))
    return rows


def _domain(value: str) -> str:
    return value.strip().lower().removesuffix(DOMAIN_SUFFIX)


def _tenant(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _identity(customer_id, date_agreed, first_name, last_name, email, phone) -> tuple:
    """What A12 compares (the unique constraint's fields, for one partner and template)."""
    return (customer_id, date_agreed, first_name, last_name, email, str(phone or ""))


def _customers(rows: list[BulkRow], partner: Partner) -> tuple[dict, dict, set]:
    """The batch's customers by domain and by tenant ID, and which of them ``partner``
    serves (A8). Three queries."""
    domains = {_domain(r.domain) for r in rows if r.domain}
    tenants = {t for r in rows if r.tenant_id and (t := _tenant(r.tenant_id))}
    fields = ("pk", "company_name", "domain_prefix", "tenant_id", "country", "cloud_instance")
    found = list(customers_with_domains(domains).only(*fields)) if domains else []
    found += list(Customer.objects.filter(tenant_id__in=tenants).only(*fields)) if tenants else []
    by_domain = {c.domain_prefix: c for c in found}
    by_tenant = {c.tenant_id: c for c in found}
    served = customers_served_by(partner, {c.pk for c in found}) if found else set()
    return by_domain, by_tenant, served


def bulk_rows_check(
    rows: list[BulkRow],
    *,
    partner: Partner,
    user,
    template: AgreementTemplate,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[CheckedRow]]:
    """Check every row as ``acceptance_record`` would for ``user`` of ``partner``
    confirming ``template``: the customer named (A8), A7, A3, the phone for the
    customer's country, A1 (in the user's time zone) and A2, A12 against the records
    and earlier rows of the file. A handful of queries per BATCH rows; ``progress(n)``
    after each batch. Yields the CheckedRows of each batch, in file order (so a caller
    never holds more than one batch's customers)."""
    today = user_today(user)
    seen_customers: dict[int, int] = {}
    seen_identities: dict[tuple, int] = {}
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        by_domain, by_tenant, served = _customers(batch, partner)
        existing = _existing(served, partner=partner, template=template)
        checked: list[CheckedRow] = []
        for row in batch:
            checked.append(
                _check(
                    row,
                    by_domain=by_domain,
                    by_tenant=by_tenant,
                    served=served,
                    existing=existing,
                    seen_customers=seen_customers,
                    seen_identities=seen_identities,
                    template=template,
                    today=today,
                )
            )
        yield checked
        if progress:
            progress(start + len(batch))


def _check(
    row: BulkRow,
    *,
    by_domain,
    by_tenant,
    served,
    existing,
    seen_customers,
    seen_identities,
    template,
    today,
) -> CheckedRow:
    if row.problem:
        return CheckedRow(row, "invalid", row.problem)
    customer = None
    if not row.domain and not row.tenant_id:
        return CheckedRow(row, "invalid", _("Enter the customer's domain or tenant ID."))
    if row.tenant_id:
        tenant = _tenant(row.tenant_id)
        if tenant is None:
            return CheckedRow(row, "invalid", _("Enter a valid tenant ID (a GUID)."))
        customer = by_tenant.get(tenant)
    if row.domain:
        named = by_domain.get(_domain(row.domain))
        if customer is not None and named is not None and named.pk != customer.pk:
            return CheckedRow(
                row, "invalid", _("The domain and the tenant ID name different customers.")
            )
        customer = customer or named
        if row.tenant_id and named is None:
            customer = None
    if customer is None or customer.pk not in served:
        return CheckedRow(row, "invalid", str(NOT_YOURS))
    if customer.is_national_cloud:
        return CheckedRow(
            row, "invalid", national_cloud_message(customer.get_cloud_instance_display()), customer
        )
    messages = []
    date_agreed = None
    if not row.date_agreed:
        messages.append(str(A3_REQUIRED["date_agreed"]))
    else:
        date_agreed = _date(row.date_agreed)
        if date_agreed is None:
            messages.append(_("Enter the date agreed as YYYY-MM-DD."))
    errors, phone = acceptor_errors(
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        country=customer.country,
    )
    for field_messages in errors.values():
        messages.extend(field_messages)
    for field_messages in acceptance_rule_errors(
        date_agreed=date_agreed, template=template, today=today
    ).values():
        messages.extend(field_messages)
    if messages:
        return CheckedRow(row, "invalid", " ".join(messages), customer)
    values = {
        "date_agreed": date_agreed,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "phone": _e164(phone),
    }
    identity = _identity(
        customer.pk, date_agreed, row.first_name, row.last_name, row.email, values["phone"]
    )
    if identity in existing:
        return CheckedRow(row, "duplicate", str(A12_MESSAGE), customer)
    if customer.pk in seen_customers:
        first = seen_customers[customer.pk]
        status = "duplicate" if seen_identities.get(identity) == first else "invalid"
        return CheckedRow(
            row,
            status,
            _("This customer is already in row %(row)s of the file.") % {"row": first},
            customer,
        )
    seen_customers[customer.pk] = row.number
    seen_identities[identity] = row.number
    return CheckedRow(row, "valid", "", customer, values)


# --- The jobs' work ----------------------------------------------------------------------


def _problems(job: BulkAttestation, checked: Iterable[CheckedRow]):
    return (
        BulkAttestationProblem(
            job=job,
            row_number=c.row.number,
            customer=c.customer,
            customer_label=(c.customer.company_name if c.customer else c.row.label)[:255],
            status=c.status,
            message=c.message,
        )
        for c in checked
        if c.status != "valid"
    )


def _finish(job: BulkAttestation, **values) -> None:
    """Set ``values`` and ``finished_at`` on ``job`` and save those columns alone (never
    the file again: up to 30 MB)."""
    for name, value in values.items():
        setattr(job, name, value)
    job.finished_at = timezone.now()
    job.save(update_fields=[*values, "finished_at"])


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for the length of a bulk job.

    A job holds up to MAX_ROWS rows and what validation kept of them, millions of
    objects the collector tracks, and each of its full collections traverses them all
    again: at 100 000 rows that was 30 % of the job's time (measured with
    ``benchmarks/bulk_attestation.py``), while the collector found 40 objects to free.
    Reference counting still frees everything else at once, so memory stays the same;
    collection resumes after the job, if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def bulk_validate(job: BulkAttestation) -> BulkAttestation:
    """Validate ``job``'s file (the background job after an upload): keep its problems,
    counts and state VALIDATED, reporting progress (``checked_rows``) every BATCH rows
    in its own commit. A user who may no longer attest (A5/A6) fails the job."""
    try:
        partner = check_may_attest(job.created_by)
    except PermissionDenied as exc:
        _finish(job, state=BulkAttestation.State.FAILED, error=str(exc))
        return job
    rows = bulk_rows(job.content)
    BulkAttestation.objects.filter(pk=job.pk).update(total_rows=len(rows), checked_rows=0)

    def progress(done):
        BulkAttestation.objects.filter(pk=job.pk).update(checked_rows=done)

    counts = dict.fromkeys(("valid_rows", "invalid_rows", "duplicate_rows"), 0)
    kept: list[list] = []
    problems: list[BulkAttestationProblem] = []
    for checked in bulk_rows_check(
        rows, partner=partner, user=job.created_by, template=job.template, progress=progress
    ):
        for c in checked:
            counts[f"{c.status}_rows"] += 1
        kept += _kept(checked)
        problems += _problems(job, checked)
    with transaction.atomic():
        BulkAttestationProblem.objects.filter(job=job).delete()
        BulkAttestationProblem.objects.bulk_create(problems, batch_size=INSERT_BATCH)
        _finish(
            job,
            state=BulkAttestation.State.VALIDATED,
            error="",
            validated=kept,
            total_rows=len(rows),
            checked_rows=len(rows),
            **counts,
        )
    return job


def _lock(customer_ids: list[int]) -> None:
    """Lock the customers, in primary-key order (no deadlock with another bulk job), so
    confirmations of each are written in commit order as ``acceptance_record`` writes
    them (its ``_lock_customer``). A no-op on SQLite, which writes one at a time."""
    if connection.vendor == "sqlite":
        return
    ordered = sorted(customer_ids)
    for start in range(0, len(ordered), BATCH):
        list(
            Customer.objects.select_for_update()
            .filter(pk__in=ordered[start : start + BATCH])
            .order_by("pk")
            .values_list("pk")
        )


def _e164(phone) -> str:
    """A parsed phone (or the E.164 text Confirm carries) as E.164; "" for none."""
    return phone.as_e164 if isinstance(phone, PhoneNumber) else str(phone or "")


def _kept(checked: list[CheckedRow]) -> list[list]:
    """What validation keeps of each valid row for **Confirm** (``BulkAttestation.validated``):
    ``[row number, customer pk, its country, date agreed, first name, last name, email,
    phone (E.164 or ""), customer name]``."""
    return [
        [
            c.row.number,
            c.customer.pk,
            str(c.customer.country),
            c.values["date_agreed"].isoformat(),
            c.values["first_name"],
            c.values["last_name"],
            c.values["email"],
            c.values["phone"],
            c.customer.company_name,
        ]
        for c in checked
        if c.status == "valid"
    ]


def bulk_rows_recheck(
    kept: list[list], *, partner: Partner, user, template: AgreementTemplate
) -> list[CheckedRow]:
    """**Confirm**'s checks of the rows validation found valid (``_kept``): again every
    rule whose answer can have changed since — the customer is still served (A8), not in
    a national cloud (A7), in the same country (the phone was read for it), A1/A2 for
    today and the template as it is now, A12 against the records now. What can't change
    (the file's text: A3, the phone's format, dates, duplicates within the file) isn't
    parsed again. A handful of queries per BATCH rows."""
    today = user_today(user)
    checked: list[CheckedRow] = []
    for start in range(0, len(kept), BATCH):
        batch = kept[start : start + BATCH]
        ids = [k[1] for k in batch]
        fields = ("pk", "company_name", "domain_prefix", "country", "cloud_instance")
        customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids).only(*fields)}
        served = customers_served_by(partner, ids)
        existing = _existing(served, partner=partner, template=template)
        for number, customer_id, country, day, first, last, email, phone, name in batch:
            row = BulkRow(number=number, company_name=name)
            customer = customers.get(customer_id)
            date_agreed = datetime.date.fromisoformat(day)
            if customer is None or customer_id not in served:
                checked.append(CheckedRow(row, "invalid", str(NOT_YOURS)))
                continue
            if customer.is_national_cloud:
                message = national_cloud_message(customer.get_cloud_instance_display())
                checked.append(CheckedRow(row, "invalid", message, customer))
                continue
            if str(customer.country) != country:
                message = _("The customer's country/region changed since the file was checked.")
                checked.append(CheckedRow(row, "invalid", message, customer))
                continue
            errors = acceptance_rule_errors(date_agreed=date_agreed, template=template, today=today)
            if errors:
                message = " ".join(m for ms in errors.values() for m in ms)
                checked.append(CheckedRow(row, "invalid", message, customer))
                continue
            if _identity(customer_id, date_agreed, first, last, email, phone) in existing:
                checked.append(CheckedRow(row, "duplicate", str(A12_MESSAGE), customer))
                continue
            values = {
                "date_agreed": date_agreed,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
            }
            checked.append(CheckedRow(row, "valid", "", customer, values))
    return checked


def _existing(customer_ids, *, partner: Partner, template: AgreementTemplate) -> set:
    """A12: the identities of ``partner``'s records of ``template`` for these customers."""
    if not customer_ids:
        return set()
    return {
        _identity(*values)
        for values in AgreementAcceptance.objects.filter(
            customer_id__in=customer_ids,
            partner=partner,
            template=template,
            method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
        ).values_list("customer_id", "date_agreed", "first_name", "last_name", "email", "phone")
    }


def _replaced(partner: Partner, customer_ids: list[int]) -> dict[int, AgreementAcceptance]:
    """Each customer's newest attestation by ``partner`` (what a new one replaces)."""
    newest: dict[int, AgreementAcceptance] = {}
    for start in range(0, len(customer_ids), BATCH):
        for record in (
            AgreementAcceptance.objects.filter(
                customer_id__in=customer_ids[start : start + BATCH],
                partner=partner,
                method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
            )
            .select_related("template")
            .order_by("customer_id", "-created_at", "-pk")
        ):
            newest.setdefault(record.customer_id, record)
    return newest


class _NotAllValid(Exception):
    """All-or-nothing mode met a row that isn't valid: undo what was written."""


@_collector_paused()
@transaction.atomic
def bulk_record(job: BulkAttestation) -> BulkAttestation:
    """**Confirm** (the background job): check the rows validation found valid again
    (``bulk_rows_recheck``) and record them in this one transaction, BATCH rows at a
    time, as ``job.mode`` says — ALL_OR_NOTHING records nothing if any row of the file
    isn't valid (the problems are shown, the job stays VALIDATED). Writes the records
    (``bulk_create``), the customers' status rows, one ``agreement.confirmed`` audit
    event per record and the webhook events. A job not in RECORDING (already done) is
    left as it is. Raises what the database raises; then nothing is recorded."""
    # Not the file: Confirm works from what validation kept (``validated``).
    job = BulkAttestation.objects.select_for_update().defer("content").get(pk=job.pk)
    if job.state != BulkAttestation.State.RECORDING:
        return job
    try:
        partner = check_may_attest(job.created_by)
    except PermissionDenied as exc:
        _finish(job, state=BulkAttestation.State.FAILED, error=str(exc))
        return job
    all_or_nothing = job.mode == BulkAttestation.Mode.ALL_OR_NOTHING
    if all_or_nothing and job.invalid_rows:  # validation listed them already
        _finish(job, state=BulkAttestation.State.VALIDATED, recorded_rows=0)
        return job
    counts = {
        "valid_rows": 0,
        "invalid_rows": job.invalid_rows,
        "duplicate_rows": job.duplicate_rows,
    }
    problems: list[BulkAttestationProblem] = []
    still_valid: set[int] = set()  # row numbers
    listening = True
    try:
        with transaction.atomic():
            _lock([k[1] for k in job.validated])  # all at once, in pk order: no deadlock
            for start in range(0, len(job.validated), BATCH):
                chunk = job.validated[start : start + BATCH]
                checked = bulk_rows_recheck(
                    chunk, partner=partner, user=job.created_by, template=job.template
                )
                valid = [c for c in checked if c.status == "valid"]
                problems += _problems(job, checked)
                still_valid.update(c.row.number for c in valid)
                counts["valid_rows"] += len(valid)
                for c in checked:
                    if c.status != "valid":
                        counts[f"{c.status}_rows"] += 1
                if all_or_nothing and counts["invalid_rows"]:
                    continue  # nothing will be kept: just go on listing the problems
                listening = _record(valid, job=job, partner=partner, listening=listening)
            if all_or_nothing and counts["invalid_rows"]:
                raise _NotAllValid
    except _NotAllValid:
        # Recheck changes no row it keeps (``_kept``): keep those still valid as they were.
        kept = [k for k in job.validated if k[0] in still_valid]
        BulkAttestationProblem.objects.bulk_create(problems, batch_size=INSERT_BATCH)
        _finish(
            job, state=BulkAttestation.State.VALIDATED, recorded_rows=0, validated=kept, **counts
        )
        return job
    BulkAttestationProblem.objects.bulk_create(problems, batch_size=INSERT_BATCH)
    _finish(
        job,
        state=BulkAttestation.State.RECORDED,
        recorded_rows=counts["valid_rows"],
        validated=[],
        **counts,
    )
    return job


def _record(valid: list[CheckedRow], *, job: BulkAttestation, partner: Partner, listening: bool):
    """Write one batch of valid rows: the records, the customers' status rows, an audit
    event per record and (while an endpoint listens) the webhook events. Returns
    whether any endpoint listens."""
    user, template = job.created_by, job.template
    customer_ids = [c.customer.pk for c in valid]
    replaced = _replaced(partner, customer_ids)
    # The database's clock, read once for the batch (what each row's default would be):
    # plain values let PostgreSQL insert them through UNNEST, several times faster.
    now = database_now()
    records = AgreementAcceptance.objects.bulk_create(
        (
            AgreementAcceptance(
                customer_id=c.customer.pk,
                partner=partner,
                template=template,
                method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
                recorded_by=user,
                created_at=now,
                **c.values,
            )
            for c in valid
        ),
        batch_size=INSERT_BATCH,
    )
    agreement_status_attested(customer_ids, partner=partner, template=template)
    events = []
    template_name = str(template)  # once, not a translation lookup per record
    for c, record in zip(valid, records, strict=True):
        before = replaced.get(c.customer.pk)
        events.append(
            audit_event(
                EventType.AGREEMENT_CONFIRMED,
                actor=user,
                partner=partner,
                customer=c.customer,
                obj=record,
                object_type="acceptance",
                object_repr=AgreementAcceptance.describe(
                    c.customer, template_name, record.date_agreed
                ),
                before=acceptance_facts(before) if before else {},
                after=acceptance_facts(record),
                created_at=now,
            )
        )
    audit_record_batch(events)
    for c in valid:
        if not listening:
            break
        # Nobody listening: one query, then no more for the whole job.
        listening = bool(
            customer_event_publish(partner, "customer-agreement-confirmed", c.customer)
        )
    return listening


# --- Starting the jobs, and the jobs ------------------------------------------------------


@transaction.atomic
def bulk_start(*, user, file_name: str, text: str, rows: int) -> BulkAttestation:
    """Keep an uploaded file as a BulkAttestation and queue its validation (same commit)."""
    partner = check_may_attest(user)
    job = BulkAttestation.objects.create(
        partner=partner,
        created_by=user,
        file_name=file_name[:255],
        content=text,
        total_rows=rows,
        template=AgreementTemplate.objects.current(user_today(user)),
    )
    bulk_attestation_validate.enqueue(str(job.pk))
    return job


@transaction.atomic
def bulk_confirm(*, job: BulkAttestation, mode: str) -> BulkAttestation:
    """Queue recording, once: a second click finds the job no longer VALIDATED and does
    nothing (the page then shows the recording under way)."""
    job = BulkAttestation.objects.select_for_update().get(pk=job.pk)
    if job.state != BulkAttestation.State.VALIDATED:
        return job
    job.state, job.mode = BulkAttestation.State.RECORDING, mode
    job.save(update_fields=["state", "mode"])
    bulk_attestation_record.enqueue(str(job.pk))
    return job


def _run(job_id: str, work) -> dict:
    """Run ``work(job)``; an unexpected error fails the job with a message the user can act
    on (nothing was recorded: ``bulk_record`` is one transaction) and is logged."""
    job = BulkAttestation.objects.select_related("created_by", "template").get(pk=job_id)
    try:
        job = work(job)
    except Exception:
        logger.exception("Bulk confirmation %s failed", job_id)
        BulkAttestation.objects.filter(pk=job_id).update(
            state=BulkAttestation.State.FAILED,
            error=_("Something went wrong; nothing was recorded. Upload the file again."),
            finished_at=timezone.now(),
        )
        return {"state": BulkAttestation.State.FAILED}
    return {"state": job.state, "valid": job.valid_rows, "recorded": job.recorded_rows}


@task()
def bulk_attestation_validate(job_id: str) -> dict:
    """The job after an upload: ``bulk_validate``."""
    return _run(job_id, bulk_validate)


@task()
def bulk_attestation_record(job_id: str) -> dict:
    """The job after **Confirm**: ``bulk_record``."""
    return _run(job_id, bulk_record)
