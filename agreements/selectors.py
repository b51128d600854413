"""Reads of agreement status: per customer row (Customers page) and per customer (Account info)."""

from dataclasses import dataclass

from django.db.models import Q
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


def newest_attestation(customer, partner: Partner) -> AgreementAcceptance | None:
    """``partner``'s newest confirmation of ``customer`` — its current one (docs/rules.md, A8)."""
    return (
        AgreementAcceptance.objects.filter(
            customer=customer,
            partner=partner,
            method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
        )
        .select_related("template", "recorded_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def partner_confirmation(
    customer, partners, template: AgreementTemplate | None
) -> AgreementAcceptance | None:
    """The first of ``partners`` (in order) whose current confirmation of ``customer`` is
    of ``template``'s agreement type: what an invitation's partner (or its indirect
    provider, who confirms for its resellers, A8) has confirmed. None if neither has."""
    if template is None:
        return None
    for partner in partners:
        newest = newest_attestation(customer, partner)
        if newest is not None and newest.template.agreement_type == template.agreement_type:
            return newest
    return None


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
    """Whether ``customer`` accepted any agreement itself in the admin center (docs/admin-center.md)."""
    return AgreementAcceptance.objects.filter(
        customer=customer, method=AgreementAcceptance.Method.CUSTOMER_DIRECT
    ).exists()


#: Records Account info shows; the rest are one click away, keyset-paged.
HISTORY_SHOWN = 10


def acceptance_history(customer, *, partner: Partner):
    """``partner``'s confirmations of ``customer`` and the customer's direct acceptances.

    A queryset, for keyset paging newest first (``("-created_at", "-id")``);
    another partner's confirmations are not shown (A8).
    """
    return (
        AgreementAcceptance.objects.filter(customer=customer)
        .filter(Q(partner=partner) | Q(method=AgreementAcceptance.Method.CUSTOMER_DIRECT))
        .select_related("template", "recorded_by", "partner")
    )


@dataclass
class AgreementSummary:
    """What Account info shows in its Microsoft Customer Agreement section.

    ``history`` is the newest HISTORY_SHOWN records; ``more_history`` says
    whether older ones exist (on the full history page).
    """

    status: str
    template: AgreementTemplate | None
    current: AgreementAcceptance | None
    direct: AgreementAcceptance | None
    history: list[AgreementAcceptance]
    document_url: str
    more_history: bool = False

    @property
    def status_label(self):
        return AgreementStatus.LABELS[self.status]


def agreement_summary(customer, *, partner: Partner) -> AgreementSummary:
    """``partner``'s view of ``customer``'s agreement: status, current record, history.

    History lists the partner's own confirmations and the customer's direct
    acceptances, newest first, at most HISTORY_SHOWN of them: the same few
    queries whatever the length of the history.
    """
    template = AgreementTemplate.objects.current()
    records = list(
        acceptance_history(customer, partner=partner).order_by("-created_at", "-pk")[
            : HISTORY_SHOWN + 1
        ]
    )
    more_history = len(records) > HISTORY_SHOWN
    records = records[:HISTORY_SHOWN]
    current = newest_attestation(customer, partner)
    direct = current_direct_acceptance(customer, template)
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
        more_history=more_history,
    )
