"""The status rows, kept in step with what they derive from (docs/style.md, habit 12).

``AgreementStatusRow`` holds one partner's view of one customer (its list row and
agreement status). Every service that changes a relationship, an acceptance record or
a customer calls ``agreement_status_sync`` in its own transaction, so the rows can't
fall behind whichever service is called; ``agreements.status`` computes what a row
should say, and ``manage.py rebuild_agreement_status`` rebuilds them all to prove it.
This module sits below every app's services for that reason (ARCHITECTURE.md).
"""

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.lookups import Exact

from agreements.models import AgreementStatusRow
from agreements.status import agreement_status_rows, current_agreement
from partnercenter.models import Partner
from partnercenter.tenant.services import customer_list_changed
from relationships.models import AdminRelationship, ResellerRelationship

_ROW_FIELDS = [
    f.name
    for f in AgreementStatusRow._meta.concrete_fields
    if f.name not in {"id", "customer", "partner"}
]


def agreement_status_sync(customer) -> None:
    """Bring ``customer``'s status rows in step with its relationships and records.

    Called by every service that changes either, in its own transaction: an
    attestation, a direct acceptance, a relationship created, accepted or
    removed, and Django admin's edits of customers and relationships. The
    partners of the rows before and after get a new Customers page version
    (``customer_list_changed``), whether or not a shown column changed.
    """
    agreement_status_sync_many([customer.pk])


def agreement_status_sync_many(customer_ids, *, batch: int = 2000) -> None:
    """``agreement_status_sync`` for many customers (by pk), ``batch`` customers a round:
    a handful of queries per round, whatever the number (bulk confirmation)."""
    customer_ids = sorted(set(customer_ids))
    for start in range(0, len(customer_ids), batch):
        ids = customer_ids[start : start + batch]
        rows = agreement_status_rows(ids)
        kept = {(r.customer_id, r.partner_id) for r in rows}
        before = AgreementStatusRow.objects.filter(customer_id__in=ids).values_list(
            "pk", "customer_id", "partner_id"
        )
        stale = []
        partners = {r.partner_id for r in rows}
        for pk, customer_id, partner_id in before:
            partners.add(partner_id)
            if (customer_id, partner_id) not in kept:
                stale.append(pk)
        customer_list_changed(partners)
        if stale:
            AgreementStatusRow.objects.filter(pk__in=stale).delete()
        AgreementStatusRow.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["customer", "partner"],
            update_fields=_ROW_FIELDS,
        )


def agreement_status_gdap(customer_ids, *, batch: int = 2000) -> None:
    """The ``gdap`` column of the status rows of ``customer_ids`` after admin relationships
    changed (approved, terminated, expired): one UPDATE per ``batch`` customers, the same
    rule as ``agreements.status`` (active GDAP, else DAP, else none)."""
    active = AdminRelationship.objects.filter(
        partner=OuterRef("partner_id"), customer=OuterRef("customer_id"), status="active"
    )
    dap = ResellerRelationship.objects.filter(
        customer=OuterRef("customer_id"),
        state=ResellerRelationship.State.ACTIVE,
        delegated_admin=True,
    ).filter(Q(partner=OuterRef("partner_id")) | Q(indirect_provider=OuterRef("partner_id")))
    value = Case(
        When(Exists(active), then=Value("active")),
        When(Exists(dap), then=Value("dap")),
        default=Value("none"),
    )
    customer_ids = sorted(set(customer_ids))
    for start in range(0, len(customer_ids), batch):
        AgreementStatusRow.objects.filter(
            customer_id__in=customer_ids[start : start + batch]
        ).update(gdap=value)


def agreement_status_attested(customer_ids, *, partner: Partner, template) -> None:
    """The status rows after ``partner`` attested ``template`` for each of ``customer_ids``
    (their newest attestations by ``partner``, just written in this transaction), in a few
    set-based statements per call: bulk confirmation's path.

    ``partner``'s row of a customer served by no other partner changes only in what it
    attests, and so in its status and compliance (the same CASEs as
    ``agreement_status_recompute``, i.e. ``agreements.status``' rules): one UPDATE.
    A customer whose rows another partner shares (whose ``other_attested_type`` can
    change), or that has no row of ``partner``'s yet, is recomputed in full by
    ``agreement_status_sync_many``. A test proves the result equals a rebuild.
    """
    customer_ids = sorted(set(customer_ids))
    own, recompute = set(), set()
    for customer_id, partner_id in AgreementStatusRow.objects.filter(
        customer_id__in=customer_ids
    ).values_list("customer_id", "partner_id"):
        (own if partner_id == partner.pk else recompute).add(customer_id)
    recompute.update(pk for pk in customer_ids if pk not in own)  # no row of its own yet
    alone = [pk for pk in customer_ids if pk not in recompute]
    customer_list_changed([partner.pk])
    _status_update(
        AgreementStatusRow.objects.filter(partner=partner, customer_id__in=alone),
        attested={"template": Value(template.pk), "agreement_type": Value(template.agreement_type)},
        attested_template=template,
        attested_type=template.agreement_type,
    )
    if recompute:
        agreement_status_sync_many(recompute)


def _status_update(rows, *, attested=None, **values) -> int:
    """Set ``status`` and ``compliance`` of ``rows`` (a queryset), and ``values``, against
    today's current agreement, in one UPDATE; returns how many rows. ``attested``
    (``{"template": expression, "agreement_type": expression}``) is what the rows attest,
    when it isn't their columns' values before the UPDATE (see ``compliance_case``)."""
    current_id, current_type = current_agreement()
    current_type = current_type or "-"
    attested = attested or {}
    attested_type = attested.get("agreement_type", F("attested_type"))
    return rows.update(
        **values,
        status=Case(
            When(
                Exact(attested_type, current_type),
                then=Value(AgreementStatusRow.Status.CONFIRMED),
            ),
            When(
                direct_type=current_type,
                then=Value(AgreementStatusRow.Status.ACCEPTED_BY_CUSTOMER),
            ),
            default=Value(AgreementStatusRow.Status.NOT_CONFIRMED),
        ),
        compliance=compliance_case(current_id, current_type, **attested),
    )


def agreement_status_recompute() -> int:
    """Recompute ``status`` alone, against today's current agreement, in one UPDATE.

    For when staff change agreement templates in Django admin: the records
    behind the rows are unchanged, only what "current" means may be. Returns
    the number of rows. Every partner's Customers page gets a new version.
    """
    customer_list_changed()
    return _status_update(AgreementStatusRow.objects.all())


def compliance_case(
    current_id: int | None,
    current_type: str,
    *,
    template=None,
    agreement_type=None,
) -> Case:
    """``agreements.status.compliance_of`` as a SQL CASE over a status row's columns.

    ``template`` and ``agreement_type`` (expressions; default: the row's
    ``attested_template_id`` and ``attested_type``) are what the partner attests,
    for an UPDATE that also changes those columns (SET sees the old values)."""
    Compliance = AgreementStatusRow.Compliance
    current_id = current_id if current_id is not None else -1  # no agreement: nothing is current
    template = template if template is not None else F("attested_template_id")
    agreement_type = agreement_type if agreement_type is not None else F("attested_type")
    return Case(
        When(
            Q(Exact(template, current_id)) | Q(direct_template_id=current_id),
            then=Value(Compliance.CURRENT),
        ),
        When(
            Q(Exact(agreement_type, current_type)) | Q(direct_type=current_type),
            then=Value(Compliance.OLDER_VERSION),
        ),
        When(
            ~Q(Exact(agreement_type, "")) | ~Q(direct_type=""),
            then=Value(Compliance.OLDER_AGREEMENT),
        ),
        When(~Q(other_attested_type=""), then=Value(Compliance.OTHER_PARTNER)),
        default=Value(Compliance.MISSING),
    )
