"""Agreement pages: Account info → Microsoft Customer Agreement → **Update** and its
history (seed 000), and Customers → **Agreement compliance** with its exports and
**Confirm in bulk**."""

import tempfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements import compliance
from agreements.bulk.files import MAX_ROWS, bulk_rows
from agreements.bulk.jobs import bulk_confirm, bulk_start
from agreements.forms import AcceptanceForm, BulkConfirmForm, BulkUploadForm, ComplianceFilterForm
from agreements.models import AgreementTemplate, BulkAttestation, user_today
from agreements.selectors import acceptance_history as acceptance_history_of
from agreements.services import acceptance_record, check_may_attest
from customers.selectors import customer_get_for_user
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.web.csvfiles import csv_rows
from partnercenter.web.forms import add_service_errors, form_helper
from partnercenter.web.pages import safe_next, submit_once
from partnercenter.web.paging import keyset_page
from partnercenter.web.uploads import too_large
from relationships.selectors import resellers_of

HISTORY_PER_PAGE = 50


def acceptance_update(request, pk):
    """Record a new confirmation for an existing customer (A1–A8, A12, A13).

    The form starts with the customer's primary contact (A4). An indirect
    reseller gets 403 with the A6 message naming its providers.
    """
    # Helpdesk agents reach the form only in the attest-on-behalf scenarios (A9);
    # check_may_attest says which.
    customer = customer_get_for_user(request.user, pk, action=Action.ATTEST_AGREEMENT_ON_BEHALF)
    partner = check_may_attest(request.user, customer)  # once a request: passed on below
    template = AgreementTemplate.objects.current(user_today(request.user))
    form = AcceptanceForm(
        request.POST or None,
        initial={
            "first_name": customer.contact_first_name,
            "last_name": customer.contact_last_name,
            "email": customer.contact_email,
            "phone": customer.contact_phone.as_national if customer.contact_phone else "",
        },
        user=request.user,
        customer_country=customer.country,
        template=template,
    )
    form.helper = form_helper(None, form_tag=False)  # Save and Cancel: the template's
    if request.method == "POST" and form.is_valid():

        def record():
            acceptance_record(
                customer=customer,
                user=request.user,
                template=template,
                partner=partner,
                **form.attestation(),
            )
            # Back to where the confirmation was asked for (an order, A10), if anywhere.
            next_url = safe_next(
                request,
                request.GET.get("next"),
                reverse("customers:detail", args=[customer.pk]),
            )
            return next_url, _("The confirmation of customer acceptance was saved.")

        try:
            return submit_once(request, record)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "agreements/acceptance_form.html",
        {"form": form, "customer": customer, "template": template},
    )


def acceptance_history(request, pk):
    """The full history of confirmations (Account info shows the newest), keyset-paged."""
    customer = customer_get_for_user(request.user, pk)
    page = keyset_page(
        acceptance_history_of(customer, partner=request.user.partner),
        keys=("-created_at", "-id"),
        cursor=request.GET.get("cursor"),
        per_page=HISTORY_PER_PAGE,
    )
    return render(
        request, "agreements/acceptance_history.html", {"customer": customer, "page_obj": page}
    )


# --- Agreement compliance ------------------------------------------------------

REPORT_PER_PAGE = 50
PROBLEMS_PER_PAGE = 100
RECORD_EXPORTS = {
    "csv": ("text/csv; charset=utf-8", compliance.records_csv_lines),
    "jsonl": ("application/x-ndjson; charset=utf-8", compliance.records_jsonl_lines),
}


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d-%H%M%S")


def _stream(lines, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        compliance.in_language(translation.get_language(), lines), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filter_form(request):
    partner = partner_for_user(request.user, Action.VIEW_CUSTOMERS)
    resellers = resellers_of(partner) if partner.is_indirect_provider else None
    return partner, ComplianceFilterForm(request.GET or None, resellers=resellers)


def compliance_report(request):
    """Customers → **Agreement compliance**: customers lacking a confirmation of the current
    agreement (missing, older type or version, only another partner's — A8), filtered,
    with capped counts per status; keyset-paged, the same cost at any size."""
    partner, form = _filter_form(request)
    filters = form.filters()
    page = compliance.compliance_page(
        request.user, filters, cursor=request.GET.get("cursor"), per_page=REPORT_PER_PAGE
    )
    keep = request.GET.copy()
    keep.pop("cursor", None)
    return render(
        request,
        "agreements/compliance_report.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "rows": [(row, compliance.held_agreement(row)) for row in page],
            "counts": compliance.compliance_counts(request.user, filters),
            "count_cap": compliance.COUNT_CAP,
            "current": AgreementTemplate.objects.current(user_today(request.user)),
            "keep": keep.urlencode(),
            "is_provider": partner.is_indirect_provider,
            "may_bulk": _may_attest(request.user),
        },
    )


def _may_attest(user) -> bool:
    try:
        check_may_attest(user)
    except PermissionDenied:
        return False
    return True


def compliance_export(request, fmt: str):
    """The filtered report as a download: ``csv`` (streamed, formula-safe) or ``xlsx``
    (written in write-only mode to a temporary file, then sent)."""
    _partner, form = _filter_form(request)
    rows = compliance.compliance_rows_for_user(request.user, form.filters())
    name = f"agreement-compliance-{_stamp()}"
    if fmt == "csv":
        return _stream(compliance.report_csv_lines(rows), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt != "xlsx":
        raise Http404("No such export format.")
    spool = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    compliance.report_xlsx(rows, spool.name)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def records_export(request, fmt: str):
    """Every acceptance record of the user's partner, in Partner Center's agreement shape
    plus the customer: ``csv`` or ``jsonl``, streamed in chunks."""
    partner = partner_for_user(request.user, Action.VIEW_CUSTOMERS)
    if fmt not in RECORD_EXPORTS:
        raise Http404("No such export format.")
    content_type, lines = RECORD_EXPORTS[fmt]
    return _stream(
        lines(compliance.partner_acceptances(partner)),
        content_type,
        f"customer-agreement-records-{_stamp()}.{fmt}",
    )


def customer_agreements(request, pk):
    """One customer's records as Partner Center's ``GET /v1/customers/{id}/agreements``
    (``?agreementType=`` a type or ``*``, the default); an unknown type is a 400."""
    customer = customer_get_for_user(request.user, pk)
    try:
        body = compliance.customer_agreements(
            customer,
            partner=request.user.partner,
            agreement_type=request.GET.get("agreementType", "*"),
        )
    except ValueError:
        return JsonResponse({"code": 400, "description": "Unknown agreementType."}, status=400)
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    if request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="{customer.domain_prefix}-agreements.json"'
        )
    return response


def bulk_new(request):
    """Agreement compliance → **Confirm in bulk**: the template and the upload. Roles that
    may attest only; an indirect reseller gets 403 with A6's message."""
    partner_for_user(request.user)  # back-office staff: 404, as for every partner page
    partner = check_may_attest(request.user)
    # Bound on every POST: a stopped upload may leave the POST with no field at all.
    posted = request.method == "POST"
    form = BulkUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_large=too_large(request),
    )
    if request.method == "POST" and form.is_valid():

        def start():
            job = bulk_start(
                user=request.user,
                file_name=form.cleaned_data["file"].name,
                text=form.text,
                rows=len(form.rows),
            )
            return reverse("agreements:bulk_detail", args=[job.pk]), ""

        return submit_once(request, start)
    return render(
        request,
        "agreements/bulk_new.html",
        {
            "form": form,
            "keep": request.GET.urlencode(),
            "jobs": BulkAttestation.objects.filter(partner=partner)[:10],
            "columns": compliance.BULK_COLUMNS,
            "max_rows": MAX_ROWS,
            "current": AgreementTemplate.objects.current(user_today(request.user)),
        },
    )


def bulk_template(request):
    """The bulk file template, pre-filled with the report's customers (its filters)."""
    partner_for_user(request.user)
    check_may_attest(request.user)
    _partner, form = _filter_form(request)
    rows = compliance.compliance_rows_for_user(request.user, form.filters())
    return _stream(
        compliance.bulk_template_lines(rows),
        "text/csv; charset=utf-8",
        f"confirm-in-bulk-{_stamp()}.csv",
    )


def _job(request, job_id) -> BulkAttestation:
    job = compliance.bulk_attestation_get_for_user(request.user, job_id)
    check_may_attest(request.user)
    return job


def bulk_detail(request, job_id):
    """One upload: validation progress, the rows that aren't valid, and **Confirm**."""
    job = _job(request, job_id)
    form = BulkConfirmForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        bulk_confirm(job=job, mode=form.cleaned_data["mode"])
        return redirect("agreements:bulk_detail", job_id=job.pk)
    page = keyset_page(
        job.problems.all(),
        keys=("row_number", "id"),
        cursor=request.GET.get("cursor"),
        per_page=PROBLEMS_PER_PAGE,
    )
    return render(
        request,
        "agreements/bulk_detail.html",
        {"job": job, "form": form, "page_obj": page, "State": BulkAttestation.State},
    )


def bulk_status(request, job_id):
    """The job's progress as JSON, for the page's progress bar."""
    job = _job(request, job_id)
    return JsonResponse(
        {
            "state": job.state,
            "running": job.is_running,
            "checked": job.checked_rows,
            "total": job.total_rows,
            "percent": job.percent,
        }
    )


def bulk_report(request, job_id):
    """The per-row report as CSV: every row of the file with its customer, status and
    message (problems from the last check; the other rows valid, or recorded)."""
    job = _job(request, job_id)
    header = [_("Row"), _("Customer"), _("Status"), _("Message")]
    done = job.state == BulkAttestation.State.RECORDED
    ok = _("Recorded") if done else _("Valid")

    def records():
        problems = {}
        last = 0
        for row in bulk_rows(job.content):
            if row.number > last:  # the problems, a chunk at a time, in row order
                chunk = list(
                    job.problems.filter(row_number__gte=row.number).order_by("row_number")[:2000]
                )
                problems = {p.row_number: p for p in chunk}
                last = chunk[-1].row_number if len(chunk) == 2000 else 10**9
            problem = problems.get(row.number)
            if problem:
                yield [
                    row.number,
                    problem.customer_label or row.label,
                    problem.get_status_display(),
                    problem.message,
                ]
            else:
                yield [row.number, row.company_name or row.label, ok, ""]

    return _stream(
        csv_rows(header, records()),
        "text/csv; charset=utf-8",
        f"confirm-in-bulk-report-{_stamp()}.csv",
    )
