"""Confirm in bulk's jobs: validating a file, recording its rows in one transaction, starting and confirming."""

import contextlib
import gc
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from agreements.bulk.checks import BATCH, CheckedRow, bulk_rows_check, bulk_rows_recheck, kept_rows
from agreements.bulk.files import bulk_rows
from agreements.models import (
    AgreementAcceptance,
    AgreementTemplate,
    BulkAttestation,
    BulkAttestationProblem,
    user_today,
)
from agreements.services import acceptance_facts, check_may_attest, customer_event_publish
from agreements.statusrows import agreement_status_attested
from customers.models import Customer
from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_event, audit_record_batch
from partnercenter.models import Partner, database_now

logger = logging.getLogger(__name__)
#: Records per INSERT statement.
INSERT_BATCH = 1000


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
        kept += kept_rows(checked)
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
        # Recheck changes no row it keeps (``kept_rows``): keep those still valid as they were.
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
