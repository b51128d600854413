"""Reads of agreement status: per customer row (Customers page) and per customer (Account info)."""

from dataclasses import dataclass

from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementAcceptance, AgreementTemplate
from partnercenter.models import Partner


class AgreementStatus:
    """The Microsoft Customer Agreement status a partner sees for a customer."""

    CONFIRMED = "confirmed"
    ACCEPTED_BY_CUSTOMER = "accepted_by_customer"
    NOT_CONFIRMED = "not_confirmed"
    LABELS = {
        CONFIRMED: _("Confirmed"),
        ACCEPTED_BY_CUSTOMER: _("Accepted by customer"),
        NOT_CONFIRMED: _("Not confirmed"),
    }


def with_agreement_status(
    customers: QuerySet, *, partner: Partner, template: AgreementTemplate | None = None
):
    """Annotate ``agreement_status`` (an AgreementStatus value) on a Customer queryset.

    Confirmed: ``partner``'s newest attestation for the customer is of the current
    agreement type (A8: only its own count). Accepted by customer: the customer
    accepted that type directly. One subquery per row, no extra queries.
    """
    template = template or AgreementTemplate.objects.current()
    current_type = template.agreement_type if template else ""
    newest_type = Subquery(
        AgreementAcceptance.objects.filter(
            customer=OuterRef("pk"),
            partner=partner,
            method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
        )
        .order_by("-created_at", "-pk")
        .values("template__agreement_type")[:1]
    )
    # A correlated "first matching id" rather than EXISTS: PostgreSQL may turn an
    # EXISTS in the select list into a hashed subplan that reads every row.
    direct_acceptance = Subquery(
        AgreementAcceptance.objects.filter(
            customer=OuterRef("pk"),
            method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
            template__agreement_type=current_type,
        )
        .order_by()
        .values("pk")[:1]
    )
    return customers.annotate(
        newest_attested_type=newest_type, direct_acceptance_id=direct_acceptance
    ).annotate(
        agreement_status=Case(
            When(Q(newest_attested_type=current_type), then=Value(AgreementStatus.CONFIRMED)),
            When(
                direct_acceptance_id__isnull=False, then=Value(AgreementStatus.ACCEPTED_BY_CUSTOMER)
            ),
            default=Value(AgreementStatus.NOT_CONFIRMED),
            output_field=CharField(),
        )
    )


def current_direct_acceptance(
    customer, template: AgreementTemplate | None
) -> AgreementAcceptance | None:
    """The customer's own acceptance (admin center) of ``template``'s agreement type, if any."""
    if template is None:
        return None
    return (
        AgreementAcceptance.objects.filter(
            customer=customer,
            method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
            template__agreement_type=template.agreement_type,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def attesting_partner_ids(customer, template: AgreementTemplate | None) -> set[int]:
    """Ids of the partners that attested ``customer``'s acceptance of ``template``'s type (A8)."""
    if template is None:
        return set()
    return set(
        AgreementAcceptance.objects.filter(
            customer=customer,
            method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
            template__agreement_type=template.agreement_type,
        ).values_list("partner_id", flat=True)
    )


def customer_ever_accepted_directly(customer) -> bool:
    """Whether ``customer`` accepted any agreement itself in the admin center (SPEC §6)."""
    return AgreementAcceptance.objects.filter(
        customer=customer, method=AgreementAcceptance.Method.CUSTOMER_DIRECT
    ).exists()


@dataclass
class AgreementSummary:
    """What Account info shows in its Microsoft Customer Agreement section."""

    status: str
    template: AgreementTemplate | None
    current: AgreementAcceptance | None
    direct: AgreementAcceptance | None
    history: list[AgreementAcceptance]
    document_url: str

    @property
    def status_label(self):
        return AgreementStatus.LABELS[self.status]


def agreement_summary(customer, *, partner: Partner) -> AgreementSummary:
    """``partner``'s view of ``customer``'s agreement: status, current record, history.

    History lists the partner's own confirmations and the customer's direct
    acceptances, newest first.
    """
    template = AgreementTemplate.objects.current()
    records = list(
        AgreementAcceptance.objects.filter(customer=customer)
        .filter(Q(partner=partner) | Q(method=AgreementAcceptance.Method.CUSTOMER_DIRECT))
        .select_related("template", "recorded_by", "partner")
        .order_by("-created_at", "-pk")
    )
    attested = [r for r in records if not r.is_direct]
    current = attested[0] if attested else None
    direct = next(
        (
            r
            for r in records
            if r.is_direct and template and r.template.agreement_type == template.agreement_type
        ),
        None,
    )
    if current and template and current.template.agreement_type == template.agreement_type:
        status = AgreementStatus.CONFIRMED
    elif direct:
        status = AgreementStatus.ACCEPTED_BY_CUSTOMER
    else:
        status = AgreementStatus.NOT_CONFIRMED
    document_url = (
        template.document_url(country=str(customer.country), language=customer.culture)
        if template
        else ""
    )
    return AgreementSummary(
        status=status,
        template=template,
        current=current,
        direct=direct,
        history=records,
        document_url=document_url,
    )
