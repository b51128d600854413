"""GDAP pages for partners (docs/relationships.md, G1–G9): **Admin relationships**,
**Create an admin relationship request**, a relationship's page (**Finalize request**,
the approval email, access assignments, **Terminate relationship**), **Expiring admin
relationships**, the coverage reports and Settings → **Security groups**.

Admin agents and Global admins act; every role that views customers sees (G9)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.selectors import customer_get_for_user
from partnercenter.tenant.access import partner_for_user, partner_users_for_user
from partnercenter.tenant.roles import Action, may
from partnercenter.web.csvfiles import csv_rows
from partnercenter.web.forms import add_service_errors
from partnercenter.web.pages import replayed, submit_once
from partnercenter.web.paging import (
    COUNT_CAP,
    CappedCount,
    capped_count,
    keyset_page,
    keyset_page_merged,
)
from relationships import adminrelationships as gdap
from relationships.adminforms import (
    AccessAssignmentForm,
    AdminRelationshipForm,
    ApprovalEmailForm,
    SecurityGroupForm,
)
from relationships.entraroles import BY_ID, GLOBAL_ADMINISTRATOR, ROLES
from relationships.invitations import compose_body, mailto_url
from relationships.models import AdminRelationship
from relationships.selectors import (
    EXPIRY_BUCKETS,
    access_assignment_get_for_user,
    admin_relationship_get_for_user,
    admin_relationships_for_user,
    admin_relationships_in_bucket,
    customers_without_admin_relationship,
    security_groups_for_user,
)

PER_PAGE = 50
KEYS = ("-created_at", "-id")


def _may_act(user) -> bool:
    return may(user, Action.MANAGE_ADMIN_RELATIONSHIPS)


def admin_relationships(request):
    """**Admin relationships**: every relationship of the partner, newest first (name,
    customer, roles, status, end date, auto-extend), with **Enable / Disable auto-extend**
    for up to 25 selected ones."""
    rows = admin_relationships_for_user(request.user)
    search = request.GET.get("q", "").strip()[:100]
    if search:
        rows = rows.filter(display_name__istartswith=search) | rows.filter(
            customer_display_name__istartswith=search
        )
    page = keyset_page(rows, keys=KEYS, cursor=request.GET.get("cursor"), per_page=PER_PAGE)
    context = {"page_obj": page, "relationships": page.object_list, "may_act": _may_act(request.user),
               "search": search, "limit": gdap.BULK_AUTO_EXTEND_MAX}  # fmt: skip
    return render(request, "relationships/admin_relationships.html", context)


@require_POST
def admin_relationships_auto_extend(request):
    """**Enable / Disable auto-extend** for the selected relationships (at most 25, G4)."""
    if done := replayed(request):
        return done
    ids = request.POST.getlist("relationship")[: gdap.BULK_AUTO_EXTEND_MAX + 1]
    chosen = [admin_relationship_get_for_user(request.user, pk, action=Action.MANAGE_ADMIN_RELATIONSHIPS)
              for pk in ids]  # fmt: skip
    enabled = request.POST.get("auto_extend") == "on"

    def change():
        changed = gdap.admin_relationships_auto_extend(
            user=request.user, relationships=chosen, enabled=enabled
        )
        return reverse("relationships:admin_relationships"), (
            _("Auto-extend is on for %(count)s admin relationships.")
            if enabled
            else _("Auto-extend is off for %(count)s admin relationships.")
        ) % {"count": len(changed)}

    try:
        return submit_once(request, change)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("relationships:admin_relationships")


def admin_relationship_new(request):
    """**Request admin relationship** ("Create an admin relationship request"): for a
    customer (``?customer=<pk>``) or a tenant that isn't a customer yet."""
    partner_for_user(request.user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    customer = None
    if request.GET.get("customer"):
        customer = customer_get_for_user(request.user, request.GET["customer"])
    form = AdminRelationshipForm(request.POST or None, tenant=customer is None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            relationship = gdap.admin_relationship_create(
                user=request.user,
                display_name=data["display_name"],
                duration_days=data["duration_days"],
                roles=data["roles"],
                auto_extend_days=gdap.AUTO_EXTEND_DAYS if data["auto_extend"] else 0,
                customer=customer,
                customer_tenant_id=data.get("customer_tenant_id"),
                customer_display_name=data.get("customer_name", ""),
            )
            return reverse("relationships:admin_relationship", args=[relationship.pk]), _(
                "The admin relationship request %(name)s was created. Finalize it to send it."
            ) % {"name": relationship.display_name}

        try:
            return submit_once(request, create)
        except ValidationError as exc:
            add_service_errors(form, exc, field_map={"auto_extend_days": "auto_extend"})
    context = {
        "form": form,
        "customer": customer,
        "roles": ROLES,
        "global_admin": GLOBAL_ADMINISTRATOR,
    }
    return render(request, "relationships/admin_relationship_new.html", context)


def _approval_email(relationship: AdminRelationship) -> tuple[str, str]:
    subject = _("%(partner)s requests admin roles in your organization") % {
        "partner": relationship.partner.name
    }
    names = "\n".join(f"- {BY_ID[r].name}" for r in relationship.roles if r in BY_ID)
    text = _(
        "Hello,\n\n%(partner)s asks for the following Microsoft Entra roles in your tenant for "
        "%(days)s days, as the admin relationship \"%(name)s\":\n\n%(roles)s\n\n"
        "Your Global administrator can review and approve them here:"
    ) % {"partner": relationship.partner.name, "days": relationship.duration_days,
         "name": relationship.display_name, "roles": names}  # fmt: skip
    return subject, compose_body(text, gdap.approval_url(relationship))


def admin_relationship_detail(request, pk):
    """One admin relationship: its roles and dates, **Finalize request**, the approval
    email (**Copy to clipboard**, **Open in email**, **Send**), access assignments
    (**Add access assignment**, **Remove**) and **Terminate relationship**."""
    relationship = admin_relationship_get_for_user(request.user, pk)
    subject, text = _approval_email(relationship)
    url = gdap.approval_url(relationship)
    email_form = ApprovalEmailForm(initial={"subject": subject, "text": text})
    groups = list(security_groups_for_user(request.user)) if _may_act(request.user) else []
    assignment_form = AccessAssignmentForm(groups=groups, roles=relationship.roles)
    context = {
        "relationship": relationship,
        "roles": [BY_ID[r] for r in relationship.roles if r in BY_ID],
        "assignments": relationship.access_assignments.select_related("security_group").order_by(
            "created_at"
        ),
        "may_act": _may_act(request.user),
        "email_form": email_form,
        "assignment_form": assignment_form,
        "url": url,
        "mailto": mailto_url(subject=subject, body=text),
        "groups": groups,
    }
    return render(request, "relationships/admin_relationship_detail.html", context)


def _acting(request, pk) -> AdminRelationship:
    return admin_relationship_get_for_user(
        request.user, pk, action=Action.MANAGE_ADMIN_RELATIONSHIPS
    )


def _back(relationship) -> str:
    return reverse("relationships:admin_relationship", args=[relationship.pk])


@require_POST
def admin_relationship_finalize(request, pk):
    """**Finalize request** (``lockForApproval``): the request can now be approved."""
    if done := replayed(request):
        return done
    relationship = _acting(request, pk)

    def finalize():
        gdap.admin_relationship_lock(user=request.user, relationship=relationship)
        return _back(relationship), _(
            "The request is final. Send the approval link to the customer's admin."
        )

    try:
        return submit_once(request, finalize)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(relationship))


@require_POST
def admin_relationship_send(request, pk):
    """**Send** the approval email through the outbox."""
    if done := replayed(request):
        return done
    relationship = _acting(request, pk)
    form = ApprovalEmailForm(request.POST)
    if form.is_valid():

        def send():
            gdap.admin_relationship_request_send(
                user=request.user, relationship=relationship, to_email=form.cleaned_data["to_email"],
                subject=form.cleaned_data["subject"], body=form.cleaned_data["text"],
            )  # fmt: skip
            return _back(relationship), _(
                "The request to %(email)s is queued and goes out in a moment."
            ) % {"email": form.cleaned_data["to_email"]}

        try:
            return submit_once(request, send)
        except ValidationError as exc:
            add_service_errors(form, exc, field_map={"body": "text"})
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else ''}: {error}"
            )
    return redirect(_back(relationship))


def admin_relationship_terminate(request, pk):
    """**Terminate relationship**, after a confirmation page."""
    if done := replayed(request):
        return done
    relationship = _acting(request, pk)
    if request.method == "POST":

        def terminate():
            gdap.admin_relationship_terminate(user=request.user, relationship=relationship)
            return _back(relationship), _("The admin relationship %(name)s was terminated.") % {
                "name": relationship.display_name
            }

        try:
            return submit_once(request, terminate)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_back(relationship))
    return render(
        request, "relationships/admin_relationship_terminate.html", {"relationship": relationship}
    )


@require_POST
def access_assignment_add(request, pk):
    """**Add access assignment**: a security group gets some of the approved roles (G7)."""
    if done := replayed(request):
        return done
    relationship = _acting(request, pk)
    groups = list(security_groups_for_user(request.user))
    form = AccessAssignmentForm(request.POST, groups=groups, roles=relationship.roles)
    if form.is_valid():
        group = next(g for g in groups if str(g.pk) == form.cleaned_data["security_group"])

        def add():
            gdap.access_assignment_create(user=request.user, relationship=relationship, security_group=group,
                                          roles=form.cleaned_data["roles"])  # fmt: skip
            return _back(relationship), _("%(group)s now has the selected roles.") % {
                "group": group.name
            }

        try:
            return submit_once(request, add)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_back(relationship))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(_back(relationship))


@require_POST
def access_assignment_remove(request, pk, assignment_pk):
    """**Remove** an access assignment."""
    if done := replayed(request):
        return done
    relationship = _acting(request, pk)
    assignment = access_assignment_get_for_user(request.user, relationship, assignment_pk)

    def remove():
        gdap.access_assignment_delete(user=request.user, assignment=assignment)
        return _back(relationship), _("The access assignment of %(group)s was removed.") % {
            "group": assignment.security_group.name
        }

    try:
        return submit_once(request, remove)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(relationship))


BUCKET_LABELS = {
    "1": _("Expiring within 1 day"),
    "7": _("Expiring within 7 days"),
    "30": _("Expiring within 30 days"),
    "later": _("Expiring after 30 days"),
    "expired": _("Expired in the last year"),
}


def _bucket_rows(rows):
    for r in rows.order_by("end_at", "id").iterator(chunk_size=2000):
        yield [r.display_name, r.customer_display_name, str(r.customer_tenant_id or ""), r.get_status_display(),
               r.end_at.date().isoformat() if r.end_at else "", "180" if r.auto_extend_days else "0",
               ", ".join(BY_ID[x].name for x in r.roles if x in BY_ID)]  # fmt: skip


def _bucket_count(user, bucket: str, now) -> CappedCount:
    """How many relationships a bucket holds, up to the cap: ids only, in end-date order,
    so the count walks the (partner, status, end_at) index and stops at the cap."""
    rows = admin_relationships_in_bucket(user, bucket, now=now).select_related(None)
    return CappedCount(rows.order_by("end_at").values("pk")[: COUNT_CAP + 1].count())


def admin_relationships_expiring(request):
    """**Expiring admin relationships**: how many expire within 1, 7 and 30 days and
    after, and expired in the last year (each count stops at 1 000), the chosen list with
    search, and **Download** (CSV)."""
    bucket = request.GET.get("bucket", "30")
    bucket = bucket if bucket in EXPIRY_BUCKETS else "30"
    search = request.GET.get("q", "").strip()[:100]
    now = timezone.now()
    rows = admin_relationships_in_bucket(request.user, bucket, search=search, now=now)
    if request.GET.get("download") == "csv":
        header = [_("Name"), _("Customer"), _("Customer tenant ID"), _("Status"), _("End date"),
                  _("Auto-extend (days)"), _("Microsoft Entra roles")]  # fmt: skip
        response = StreamingHttpResponse(
            csv_rows(header, _bucket_rows(rows)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="admin-relationships-{bucket}.csv"'
        return response
    counts = [
        (key, BUCKET_LABELS[key], _bucket_count(request.user, key, now)) for key in EXPIRY_BUCKETS
    ]
    page = keyset_page(
        rows, keys=("end_at", "id"), cursor=request.GET.get("cursor"), per_page=PER_PAGE
    )
    context = {"counts": counts, "bucket": bucket, "bucket_label": BUCKET_LABELS[bucket], "search": search,
               "page_obj": page, "relationships": page.object_list}  # fmt: skip
    return render(request, "relationships/admin_relationships_expiring.html", context)


def admin_relationships_coverage(request):
    """The reports partners asked for during the move to GDAP: customers with **no active
    admin relationship**, and customers **still on DAP only**; keyset-paged, capped
    counts, CSV export."""
    report = "dap" if request.GET.get("report") == "dap" else "none"
    querysets = customers_without_admin_relationship(request.user, dap_only=report == "dap")
    if request.GET.get("download") == "csv":
        header = [_("Company name"), _("Domain"), _("Tenant ID")]
        rows = (
            r
            for q in querysets
            for r in q.order_by("sort_name", "customer_id").iterator(chunk_size=2000)
        )
        lines = (
            [r.customer.company_name, r.customer.domain, str(r.customer.tenant_id)] for r in rows
        )
        response = StreamingHttpResponse(
            csv_rows(header, lines), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="customers-{report}-gdap.csv"'
        return response
    page = keyset_page_merged(
        querysets,
        keys=("sort_name", "customer_id"),
        cursor=request.GET.get("cursor"),
        per_page=PER_PAGE,
    )
    # Each part counted up to the cap: the sum says "1,000+" as soon as either does.
    count = CappedCount(min(sum(capped_count(q).count for q in querysets), COUNT_CAP + 1))
    context = {"report": report, "count": count, "page_obj": page, "rows": page.object_list,
               "may_act": _may_act(request.user)}  # fmt: skip
    return render(request, "relationships/admin_relationships_coverage.html", context)


def customer_admin_relationships(request, pk):
    """Account info → **Admin relationships**: this customer's relationships with the
    partner, and **Request admin relationship**."""
    customer = customer_get_for_user(request.user, pk)
    relationships = admin_relationships_for_user(request.user).filter(customer=customer)
    context = {"customer": customer, "relationships": relationships[:200], "may_act": _may_act(request.user),
               "now": timezone.now(), "soon": timezone.now() + datetime.timedelta(days=30)}  # fmt: skip
    return render(request, "relationships/customer_admin_relationships.html", context)


def security_groups(request):
    """Settings → **Security groups**: the partner's groups and **Add security group**."""
    groups = list(security_groups_for_user(request.user))
    people = list(partner_users_for_user(request.user).order_by("first_name", "last_name", "pk"))
    form = SecurityGroupForm(request.POST or None, people=people)
    may_act = _may_act(request.user)
    if request.method == "POST" and form.is_valid():

        def add():
            chosen = [p for p in people if str(p.pk) in set(form.cleaned_data["members"])]
            group = gdap.security_group_create(
                user=request.user, name=form.cleaned_data["name"], members=chosen
            )
            return reverse("relationships:security_groups"), _(
                "The security group %(name)s was added."
            ) % {"name": group.name}

        try:
            return submit_once(request, add)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "relationships/security_groups.html",
        {"groups": groups, "form": form, "may_act": may_act},
    )
