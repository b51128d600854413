"""Agreement status rows, derived: what each (customer, partner) row should say now.

One computation, used by the services that keep the rows in step
(``agreements.services.agreement_status_sync``), by
``manage.py rebuild_agreement_status`` and by the migration that created the
rows (with its historical models). It reads models only (docs/style.md, habit 12).
"""

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from agreements.models import AgreementAcceptance, AgreementStatusRow, AgreementTemplate
from relationships.models import ResellerRelationship

#: Customers per batch when rows are rebuilt in bulk.
STATUS_BATCH = 5000


def _status(attested_type: str, direct_type: str, current_type: str) -> str:
    """A8/A10's status: the partner's own newest attestation first, then the customer's own."""
    if current_type and attested_type == current_type:
        return AgreementStatusRow.Status.CONFIRMED
    if current_type and direct_type == current_type:
        return AgreementStatusRow.Status.ACCEPTED_BY_CUSTOMER
    return AgreementStatusRow.Status.NOT_CONFIRMED


def current_agreement(templates=None) -> tuple[int | None, str]:
    """The current agreement's (template pk, type) — ``(None, "")`` before any — as
    ``AgreementTemplate.objects.current()`` has it, written so a migration's historical
    model can ask too."""
    templates = templates or AgreementTemplate
    day = timezone.localdate()
    current = (
        templates.objects.filter(in_force_from__lte=day)
        .filter(Q(accepted_until__isnull=True) | Q(accepted_until__gte=day))
        .order_by("-in_force_from", "-version_rank")
        .values_list("pk", "agreement_type")
        .first()
    )
    return current or (None, "")


def current_agreement_type(templates=None) -> str:
    """The current agreement's type ("" before any); see ``current_agreement``."""
    return current_agreement(templates)[1]


def compliance_of(
    *,
    attested_template_id,
    attested_type: str,
    direct_template_id,
    direct_type: str,
    other_attested_type: str,
    current: tuple[int | None, str],
) -> str:
    """The compliance report's status of one row; ``current`` as
    ``current_agreement()`` returns it. ``agreements.services.compliance_case`` says
    the same in SQL — a test proves they agree.

    CURRENT: the partner's newest attestation or the customer's newest direct
    acceptance is of the current version (templateId). OLDER_VERSION: of the
    current type, an older version. OLDER_AGREEMENT: of another type (the
    Microsoft Cloud Agreement). OTHER_PARTNER: nothing of its own, but another
    partner attested (A8: each partner confirms for itself). MISSING: nothing.
    """
    Compliance = AgreementStatusRow.Compliance
    current_id, current_type = current
    if current_id is not None and current_id in (attested_template_id, direct_template_id):
        return Compliance.CURRENT
    if current_type and current_type in (attested_type, direct_type):
        return Compliance.OLDER_VERSION
    if attested_type or direct_type:
        return Compliance.OLDER_AGREEMENT
    if other_attested_type:
        return Compliance.OTHER_PARTNER
    return Compliance.MISSING


def agreement_status_rows(customer_ids, *, apps=global_apps) -> list[AgreementStatusRow]:
    """The status rows the customers ``customer_ids`` should have now (unsaved).

    Computed with five queries, whatever the number of customers, from what
    they are derived from: active reseller relationships (who serves whom;
    an indirect provider serves its resellers' customers, A8), each partner's
    newest attestation, and the customer's newest direct acceptance. ``apps``
    is the model registry (a migration passes its historical one).
    """
    Customer = apps.get_model("customers", "Customer")
    Relationship = apps.get_model("relationships", "ResellerRelationship")
    Acceptance = apps.get_model("agreements", "AgreementAcceptance")
    Row = apps.get_model("agreements", "AgreementStatusRow")
    customer_ids = list(customer_ids)
    current = current_agreement(apps.get_model("agreements", "AgreementTemplate"))
    current_type = current[1]
    # Older migrations' historical rows lack the fields later ones added.
    row_fields = {f.name for f in Row._meta.get_fields()}
    customers = {
        pk: (name, domain)
        for pk, name, domain in Customer.objects.filter(pk__in=customer_ids).values_list(
            "pk", "company_name", "domain_prefix"
        )
    }
    relationships = Relationship.objects.filter(
        customer_id__in=customer_ids, state=ResellerRelationship.State.ACTIVE
    ).order_by("customer_id", "partner_id")
    gdap = _admin_access(apps, relationships, customer_ids)
    attested, attesting = _newest_attestations(Acceptance, customer_ids)
    direct = _newest_direct_acceptances(Acceptance, customer_ids)
    rows = _serving(relationships)
    result = []
    for (customer_id, partner_id), values in rows.items():
        name, domain = customers[customer_id]
        attested_template, attested_type = attested.get((customer_id, partner_id), (None, ""))
        direct_template, direct_type, direct_at = direct.get(customer_id, (None, "", None))
        other_type = next(
            (t for _, _, p, t in attesting.get(customer_id, ()) if p != partner_id), ""
        )
        extra = {
            "compliance": compliance_of(
                attested_template_id=attested_template,
                attested_type=attested_type,
                direct_template_id=direct_template,
                direct_type=direct_type,
                other_attested_type=other_type,
                current=current,
            ),
            "other_attested_type": other_type,
            "gdap": gdap.get((customer_id, partner_id), "none"),
        }
        result.append(
            Row(
                **{k: v for k, v in extra.items() if k in row_fields},
                customer_id=customer_id,
                partner_id=partner_id,
                status=_status(attested_type, direct_type, current_type),
                attested_template_id=attested_template,
                attested_type=attested_type,
                direct_template_id=direct_template,
                direct_type=direct_type,
                sort_name=name.lower(),
                domain_prefix=domain,
                own=values["own"],
                provider_id=values["provider"],
                reseller_id=values["reseller"],
                relationship_accepted_at=values["accepted_at"],
                agreement_accepted_at=direct_at,
            )
        )
    return result


def _admin_access(apps, relationships, customer_ids) -> dict[tuple[int, int], str]:
    """``{(customer, partner): "active" | "dap"}``: an active GDAP admin relationship of the
    partner, else DAP on its own relationship or on one of its resellers' through it (the
    indirect provider held DAP then). Absent pairs have none. One query more."""
    access = {}
    for r in relationships:
        if r.delegated_admin:
            access[(r.customer_id, r.partner_id)] = "dap"
            if r.indirect_provider_id:
                access[(r.customer_id, r.indirect_provider_id)] = "dap"
    try:
        AdminRelationship = apps.get_model("relationships", "AdminRelationship")
    except LookupError:  # a migration older than GDAP
        return access
    active = AdminRelationship.objects.filter(customer_id__in=customer_ids, status="active")
    for customer_id, partner_id in active.values_list("customer_id", "partner_id"):
        access[(customer_id, partner_id)] = "active"
    return access


def _newest_attestations(Acceptance, customer_ids) -> tuple[dict, dict]:
    """``(attested, attesting)``: each (customer, partner)'s newest attestation as
    ``(template_id, agreement_type)``, and per customer its attesting partners' newest
    agreements as ``(in_force_from, version_rank, partner_id, agreement_type)``, newest
    in force first. One query."""
    attested: dict[tuple[int, int], tuple] = {}
    attesting: dict[int, list[tuple]] = {}
    for customer_id, partner_id, template_id, agreement_type, in_force, rank in (
        Acceptance.objects.filter(
            customer_id__in=customer_ids, method=AgreementAcceptance.Method.PARTNER_ATTESTATION
        )
        .order_by("customer_id", "partner_id", "-created_at", "-pk")
        .values_list(
            "customer_id",
            "partner_id",
            "template_id",
            "template__agreement_type",
            "template__in_force_from",
            "template__version_rank",
        )
    ):
        if (customer_id, partner_id) not in attested:
            attested[customer_id, partner_id] = (template_id, agreement_type)
            attesting.setdefault(customer_id, []).append(
                (in_force, rank, partner_id, agreement_type)
            )
    for newest in attesting.values():
        newest.sort(reverse=True)
    return attested, attesting


def _newest_direct_acceptances(Acceptance, customer_ids) -> dict:
    """Each customer's newest direct acceptance as ``(template_id, agreement_type,
    created_at)``. One query."""
    direct: dict[int, tuple] = {}
    for customer_id, template_id, agreement_type, created_at in (
        Acceptance.objects.filter(
            customer_id__in=customer_ids, method=AgreementAcceptance.Method.CUSTOMER_DIRECT
        )
        .order_by("customer_id", "-created_at", "-pk")
        .values_list("customer_id", "template_id", "template__agreement_type", "created_at")
    ):
        direct.setdefault(customer_id, (template_id, agreement_type, created_at))
    return direct


def _serving(relationships) -> dict[tuple[int, int], dict]:
    """Who serves each customer, from its active ``relationships`` (a queryset): a row per
    (customer, partner) — the partner's own relationship, or its reseller's as indirect
    provider (A8) — with ``own``, ``provider``, ``reseller`` and when an invitation made
    it (``accepted_at``). One query."""
    rows: dict[tuple[int, int], dict] = {}

    def row(customer_id, partner_id):
        return rows.setdefault(
            (customer_id, partner_id),
            {"own": False, "provider": None, "reseller": None, "accepted_at": None},
        )

    for customer_id, partner_id, provider_id, source, since in relationships.values_list(
        "customer_id", "partner_id", "indirect_provider_id", "source", "since"
    ):
        accepted_at = since if source == ResellerRelationship.Source.INVITATION else None
        own = row(customer_id, partner_id)
        own["own"], own["provider"] = True, provider_id
        own["accepted_at"] = max(filter(None, [own["accepted_at"], accepted_at]), default=None)
        if provider_id is not None:
            through = row(customer_id, provider_id)
            through["reseller"] = through["reseller"] or partner_id
            through["accepted_at"] = max(
                filter(None, [through["accepted_at"], accepted_at]), default=None
            )
    return rows


def agreement_status_rebuild(*, progress=None, apps=global_apps) -> int:
    """Recompute every status row from relationships and records; returns how many there are.

    Works through customers in batches of STATUS_BATCH, each in its own
    transaction; ``progress(done_customers)`` is called after each batch.
    ``manage.py rebuild_agreement_status`` runs it; tests prove the rows the
    services keep equal what it computes. ``apps`` as for ``agreement_status_rows``.
    """
    Customer = apps.get_model("customers", "Customer")
    Row = apps.get_model("agreements", "AgreementStatusRow")
    last = Customer.objects.aggregate(last=Max("pk"))["last"] or 0
    Row.objects.filter(customer_id__gt=last).delete()
    done = 0
    start = 0
    while start < last:
        ids = list(
            Customer.objects.filter(pk__gt=start, pk__lte=start + STATUS_BATCH).values_list(
                "pk", flat=True
            )
        )
        with transaction.atomic():
            Row.objects.filter(
                customer_id__gt=start, customer_id__lte=start + STATUS_BATCH
            ).delete()
            Row.objects.bulk_create(agreement_status_rows(ids, apps=apps), batch_size=2000)
        start += STATUS_BATCH
        done += len(ids)
        if progress:
            progress(done)
    return Row.objects.count()
