"""Recording confirmations of customer acceptance (docs/rules.md, rules A1–A13).

``acceptance_record`` is the one way a partner attestation is written: the New
customer wizard, the Account info **Update** page and Django admin all call it.
``direct_acceptance_record`` is the customer's own acceptance (admin center),
and ``order_gate_check`` is the gate every new order and seat change passes
(A10/A11). Who serves whom comes from ``relationships.selectors`` (A8);
whether a customer has purchases from ``customers.selectors`` (A9).
"""

import datetime
import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from phonenumber_field.phonenumber import PhoneNumber

from agreements.models import (
    AgreementAcceptance,
    AgreementTemplate,
    user_today,
)
from agreements.selectors import (
    current_direct_acceptance,
    newest_attestation,
    partner_confirmation,
)
from agreements.statusrows import agreement_status_recompute, agreement_status_sync
from customers.models import Customer
from customers.selectors import customer_has_purchases
from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_record, changes
from partnercenter.delivery.outbox import notice_enqueue
from partnercenter.delivery.webhooks import event_publish
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_admins
from partnercenter.tenant.roles import Action, may
from partnercenter.tenant.services import validated_save
from relationships.selectors import (
    active_relationships,
    indirect_providers_of,
    partner_serves_customer,
    provider_for,
)


class AttestationNotAllowed(PermissionDenied):
    """Rule A6: an indirect reseller can't attest; ``str(exc)`` tells it whom to ask."""


def reseller_attestation_message(partner: Partner) -> str:
    """Rule A6's message for an indirect reseller, naming its providers (seed 000)."""
    names = ", ".join(p.name for p in indirect_providers_of(partner))
    if names:
        return _(
            "Indirect resellers can't confirm customer acceptance of the Microsoft Customer "
            "Agreement. Ask your indirect provider (%(providers)s) to confirm it."
        ) % {"providers": names}
    return _(
        "Indirect resellers can't confirm customer acceptance of the Microsoft Customer "
        "Agreement. Ask your indirect provider to confirm it; you don't work with one yet."
    )


A9_MESSAGE = _lazy(
    "Please reach out to your Partner to confirm your acceptance of the Microsoft Customer Agreement."
)


def check_may_attest(user, customer=None) -> Partner:
    """Rules A5, A6, A8, A9: may ``user`` confirm acceptance for ``customer``? Returns its partner.

    Global admins, Admin agents and Sales agents may; a Helpdesk agent only in
    the attest-on-behalf scenarios of seed 002 (the customer has purchases, A9).
    Raises PermissionDenied (A5: role; A8: no relationship) or AttestationNotAllowed (A6).
    """
    on_behalf = customer is not None and may(user, Action.ATTEST_AGREEMENT_ON_BEHALF)
    if not may(user, Action.ATTEST_AGREEMENT) and not (
        on_behalf and customer_has_purchases(customer)
    ):
        raise PermissionDenied(_("Your roles don't allow confirming customer acceptance."))
    partner = user.partner
    if partner.is_indirect_reseller:
        raise AttestationNotAllowed(reseller_attestation_message(partner))
    if customer is not None and not partner_serves_customer(partner, customer):
        raise PermissionDenied(
            _("Your organization has no active relationship with this customer.")
        )
    return partner


def acceptance_build(
    *,
    customer,
    user,
    date_agreed: datetime.date | None,
    first_name: str,
    last_name: str,
    email: str,
    phone="",
    template: AgreementTemplate | None = None,
    partner: Partner | None = None,
) -> AgreementAcceptance:
    """A validated, unsaved confirmation; ``acceptance_record`` saves one.

    Takes and raises what ``acceptance_record`` does; Django admin calls it to
    show errors beside the fields before anything is saved. ``partner`` is what
    ``check_may_attest`` returned when the caller checked already (once a request).
    """
    if partner is None:
        partner = check_may_attest(user, customer)
    acceptance = AgreementAcceptance(
        customer=customer,
        partner=partner,
        template=template or AgreementTemplate.objects.current(user_today(user)),
        date_agreed=date_agreed,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=(email or "").strip(),
        phone=phone or "",
        method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
        recorded_by=user,
    )
    # A1, A2, A3, A7 are the model's rules; A12 its constraint (docs/rules.md).
    acceptance.full_clean()
    return acceptance


@transaction.atomic
def direct_acceptance_record(*, user, partner: Partner | None = None) -> AgreementAcceptance:
    """The customer's own acceptance in the admin center (Option 2; docs/admin-center.md).

    ``user`` is the customer's admin account; ``partner`` the inviting partner,
    if the acceptance came with an invitation. Accepting again returns the
    existing record (no duplicate). Every partner serving the customer gets
    the ``customer-agreement-accepted-by-customer`` webhook event; without
    ``partner`` (the agreement link) their Admin agents and Global admins are
    also emailed (with an invitation, its sender hears of it instead). Raises PermissionDenied for accounts that
    aren't a customer's, ValidationError for rule A9 (the customer already has
    purchases: a partner must attest) and A7 (national clouds).
    """
    customer = getattr(user, "customer", None)
    if customer is None:
        raise PermissionDenied(_("Only a customer's admin account can accept the agreement."))
    _lock_customer(customer)
    template = AgreementTemplate.objects.current(user_today(user))
    existing = current_direct_acceptance(customer, template)
    if existing is not None:
        return existing
    acceptance = AgreementAcceptance(
        customer=customer,
        partner=partner,
        template=template,
        date_agreed=user_today(user),
        first_name=(user.first_name or customer.contact_first_name)[:50],
        last_name=(user.last_name or customer.contact_last_name)[:50],
        email=user.email or customer.contact_email,
        method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
        recorded_by=user,
    )
    acceptance.full_clean()  # A7 first, as the model says it (docs/rules.md)
    if customer_has_purchases(customer):
        raise ValidationError(str(A9_MESSAGE), code="a9_partner_must_attest")
    validated_save(acceptance, clean=False)
    agreement_status_sync(customer)
    audit_record(
        EventType.AGREEMENT_ACCEPTED_BY_CUSTOMER,
        actor=user,
        partner=partner,
        related_partner=provider_for(partner, customer) if partner else None,
        customer=customer,
        obj=acceptance,
        object_type="acceptance",
        after=acceptance_facts(acceptance),
    )
    serving_ids = active_relationships().filter(customer=customer).values("partner")
    for serving in Partner.objects.filter(pk__in=serving_ids):
        customer_event_publish(serving, "customer-agreement-accepted-by-customer", customer)
        if partner is None:  # the agreement link: nobody's invitation to credit, so tell each
            notice_enqueue(
                recipients=partner_admins(serving),
                partner=serving,
                about=acceptance,
                subject=_lazy("%(customer)s accepted the Microsoft Customer Agreement"),
                template="agreements/email/agreement_accepted.txt",
                context={
                    "customer": customer,
                    "acceptance": acceptance,
                    "link": settings.SITE_URL + reverse("customers:detail", args=[customer.pk]),
                },
                params={"customer": customer.company_name},
            )
    return acceptance


@functools.cache
def _english_name(agreement_type: str) -> str:
    with translation.override("en"):
        return str(AgreementTemplate.AgreementType(agreement_type).label)


def acceptance_facts(acceptance: AgreementAcceptance) -> dict:
    """What an audit event keeps of a confirmation: agreement (English name and
    versionRank), templateId, dateAgreed (ISO date) and the acceptor's details."""
    phone = acceptance.phone  # not its truth value: that validates the number again
    return {
        "agreement": _english_name(acceptance.template.agreement_type),
        "version_rank": acceptance.template.version_rank,
        "template_id": str(acceptance.template.template_id),
        "date_agreed": acceptance.date_agreed.isoformat(),
        "acceptor": acceptance.acceptor_name,
        "email": acceptance.email,
        "phone": phone.as_e164 if isinstance(phone, PhoneNumber) else str(phone or ""),
    }


@transaction.atomic
def agreement_template_save(*, user, template: AgreementTemplate) -> AgreementTemplate:
    """Save a new or corrected agreement template (Django admin) and recompare every status
    row with it, in one transaction. Records ``template.version_added`` for a new one and
    ``template.changed`` (changed fields before/after) for a correction; raises
    ValidationError keyed by field.
    """
    adding = template._state.adding
    fields = ["agreement_type", "version_rank", "template_id", "in_force_from", "accepted_until"]
    old = {}
    if not adding:
        stored = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
        old = {name: getattr(stored, name) for name in fields}
    validated_save(template)
    agreement_status_recompute()
    new = {name: getattr(template, name) for name in fields}
    before, after = changes(old, new)
    if after:
        audit_record(
            EventType.TEMPLATE_VERSION_ADDED if adding else EventType.TEMPLATE_CHANGED,
            actor=user,
            obj=template,
            object_type="agreement_template",
            object_repr=str(template),
            before=before,
            after=after,
        )
    return template


def customer_event_publish(
    partner: Partner, event_name: str, customer, *, resource_name: str = "customeragreement"
) -> list:
    """Publish a webhook event about ``customer`` to ``partner``.

    ResourceUri is the customer's Account info, AuditUri its agreement history.
    Returns the deliveries queued (none when no endpoint listens).
    """
    return event_publish(
        partner=partner,
        event_name=event_name,
        resource_uri=settings.SITE_URL + reverse("customers:detail", args=[customer.pk]),
        resource_name=resource_name,
        audit_uri=settings.SITE_URL + reverse("agreements:history", args=[customer.pk]),
    )


def has_current_confirmation(customer, partner: Partner) -> bool:
    """Rules A10/A11: ``partner`` holds a current confirmation of the current agreement.

    Its own newest attestation is of the current agreement type; or, for an indirect
    reseller — which can't confirm (A6) — its indirect provider's for this customer is
    (A8: the provider confirms for the customers it shares with its resellers); or the
    customer accepted that agreement directly.
    """
    template = AgreementTemplate.objects.current()
    if template is None:
        return False
    confirming = [partner]
    if partner.is_indirect_reseller and (provider := provider_for(partner, customer)):
        confirming.append(provider)
    if partner_confirmation(customer, confirming, template) is not None:
        return True
    return current_direct_acceptance(customer, template) is not None


def _lock_customer(customer) -> None:
    """Queue this transaction's confirmations of ``customer`` behind any other's.

    Records of one customer are then written in commit order, which makes the
    newest ``created_at`` (the database clock, ``STATEMENT_TIMESTAMP()`` on
    PostgreSQL) and the highest id the last one committed: "current" means
    exactly that (docs/rules.md). It also turns a double submission into the A12
    message rather than a constraint error. A no-op on SQLite, which writes one
    transaction at a time anyway.
    """
    Customer.objects.select_for_update().filter(pk=customer.pk).first()


class ConfirmationRequired(Exception):
    """Rules A10/A11: no current confirmation of the current agreement for this partner.

    The partner is prompted to complete the confirmation, then returned to the order.
    """


def order_gate_check(*, customer, partner: Partner) -> None:
    """The order gate (A10/A11, seed 001): raise ConfirmationRequired unless ``partner``
    holds a current confirmation of the current agreement for ``customer``.

    Auto-renewal never passes through here (A10: renewals are not blocked).
    """
    if not has_current_confirmation(customer, partner):
        raise ConfirmationRequired


@transaction.atomic
def acceptance_record(
    *,
    customer,
    user,
    date_agreed: datetime.date | None,
    first_name: str,
    last_name: str,
    email: str,
    phone="",
    template: AgreementTemplate | None = None,
    partner: Partner | None = None,
) -> AgreementAcceptance:
    """Record that ``customer`` accepted the agreement, as attested by ``user``'s partner.

    ``date_agreed`` is a date, judged in ``user``'s time zone (A1); ``phone`` a string
    or PhoneNumber, read for the customer's country (A3); ``template`` defaults to the
    current agreement; ``partner`` is what ``check_may_attest(user, customer)`` returned
    when the view checked already (else it is checked here). Returns the saved record.

    Raises PermissionDenied (A5, A8), AttestationNotAllowed (A6), or
    ValidationError keyed by field — ``date_agreed`` (A1, A2), ``first_name``,
    ``last_name``, ``email``, ``phone`` (A3), ``__all__`` (A7, A12). Nothing is
    saved on any error (A13).
    """
    _lock_customer(customer)
    acceptance = acceptance_build(
        customer=customer,
        user=user,
        date_agreed=date_agreed,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        template=template,
        partner=partner,
    )
    replaced = newest_attestation(acceptance.customer, acceptance.partner)
    validated_save(acceptance, clean=False)
    agreement_status_sync(acceptance.customer)
    audit_record(
        EventType.AGREEMENT_CONFIRMED,
        actor=acceptance.recorded_by,
        partner=acceptance.partner,
        related_partner=provider_for(acceptance.partner, acceptance.customer),
        customer=acceptance.customer,
        obj=acceptance,
        object_type="acceptance",
        before=acceptance_facts(replaced) if replaced else {},
        after=acceptance_facts(acceptance),
    )
    customer_event_publish(acceptance.partner, "customer-agreement-confirmed", acceptance.customer)
    return acceptance
