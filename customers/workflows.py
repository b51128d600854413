"""Writes that span apps, behind the Customers pages (docs/customers.md, docs/rules.md, docs/relationships.md).

Each is one transaction (A13) that calls the owning apps' services:

- ``customer_create`` — New customer: the tenant and its admin account
  (``customers.services``), the partner's reseller relationship
  (``relationships.services``) and, with option 1, the attestation
  (``agreements.services.acceptance_record``).
- ``order_place`` / ``subscription_change_seats`` — New order and Change seat
  count, behind the agreement's order gate (A10/A11,
  ``agreements.services.order_gate_check``).
"""

import uuid
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import AgreementAcceptance
from agreements.services import acceptance_record, customer_event_publish, order_gate_check
from customers.models import Customer, Offer, Subscription
from customers.services import customer_tenant_create, subscription_audit
from partnercenter.audit.events import EventType
from partnercenter.models import Partner, User
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.tenant.services import validated_save
from relationships.models import ResellerRelationship
from relationships.selectors import indirect_providers_of, partner_serves_customer
from relationships.services import active_partnership, relationship_create


@dataclass
class NewCustomer:
    """What ``customer_create`` made; ``temporary_password`` exists only here."""

    customer: Customer
    admin: User
    temporary_password: str
    relationship: ResellerRelationship
    acceptance: AgreementAcceptance | None


@transaction.atomic
def customer_create(
    *,
    user: User,
    account: dict,
    attestation: dict | None = None,
    indirect_provider: Partner | None = None,
    for_reseller: Partner | None = None,
) -> NewCustomer:
    """Create a customer for ``user``'s partner, all or nothing (A13).

    ``account`` holds CUSTOMER_FIELDS values. ``attestation`` (option 1) holds
    ``date_agreed``, ``first_name``, ``last_name``, ``email``, ``phone`` and is
    recorded through ``acceptance_record`` (A1–A8, A12); None means option 2
    (the customer accepts in the admin center). An indirect reseller names the
    ``indirect_provider`` it works through. An indirect provider may create the
    customer ``for_reseller``, one of its indirect resellers (the API's
    ``associatedPartnerId``): the relationship is then the reseller's, through the
    provider, as if the reseller had made it. Creates the customer, its admin
    account (random temporary password, stored hashed, to change at first
    sign-in) and an active reseller relationship.

    Raises PermissionDenied (role), ValidationError keyed by field
    (``indirect_provider``, ``associated_partner``, the customer's fields).
    """
    partner = partner_for_user(user, Action.ADD_CUSTOMER)
    provider = None
    if for_reseller is not None:
        if (
            not partner.is_indirect_provider
            or active_partnership(provider=partner, reseller=for_reseller) is None
        ):
            raise ValidationError(
                {
                    "associated_partner": _(
                        "Only an indirect provider creates customers for a reseller, and "
                        "only for its own indirect resellers."
                    )
                }
            )
        provider, partner = partner, for_reseller
    elif partner.is_indirect_reseller:
        providers = indirect_providers_of(partner)
        if indirect_provider is None or indirect_provider not in providers:
            raise ValidationError(
                {"indirect_provider": _("Choose one of your indirect providers.")}
            )
        provider = indirect_provider
    customer, admin, password = customer_tenant_create(
        account=account, user=user, indirect_provider=provider
    )
    relationship = relationship_create(
        partner=partner, customer=customer, indirect_provider=provider, user=user
    )

    acceptance = None
    if attestation is not None:
        acceptance = acceptance_record(customer=customer, user=user, **attestation)
    customer_event_publish(user.partner, "customer-created", customer, resource_name="customer")
    return NewCustomer(
        customer=customer,
        admin=admin,
        temporary_password=password,
        relationship=relationship,
        acceptance=acceptance,
    )


def _check_order(user, customer) -> Partner:
    partner = partner_for_user(user, Action.PLACE_ORDERS)
    if not partner_serves_customer(partner, customer):
        raise PermissionDenied(
            _("Your organization has no active relationship with this customer.")
        )
    order_gate_check(customer=customer, partner=partner)
    return partner


@transaction.atomic
def order_place(
    *, user: User, customer: Customer, offer: Offer, seats: int, order_id: uuid.UUID | None = None
) -> Subscription:
    """**New order**: a new subscription through ``user``'s partner. ``order_id`` groups the
    subscriptions one order buys (the API's line items); a new one when None.

    Raises agreements.services.ConfirmationRequired (A10/A11) when the partner has no current
    confirmation of the current agreement, PermissionDenied (role, no
    relationship), ValidationError (offer not available, seats below 1).
    """
    partner = _check_order(user, customer)
    if not offer.is_active:
        raise ValidationError({"offer": _("This offer can't be ordered any more.")})
    subscription = Subscription(
        customer=customer,
        partner=partner,
        offer=offer,
        seats=seats if offer.seat_based else 1,
        auto_renew=True,
        term_end=timezone.localdate() + relativedelta(months=offer.term_months),
        order_id=order_id or uuid.uuid4(),
    )
    validated_save(subscription)
    subscription_audit(
        EventType.SUBSCRIPTION_ORDERED,
        subscription,
        user=user,
        after={"offer": offer.name, "seats": subscription.seats},
    )
    return subscription


@transaction.atomic
def subscription_change_seats(
    *, user: User, subscription: Subscription, seats: int
) -> Subscription:
    """**Change seat count** of an active, seat-based subscription bought through ``user``'s partner.

    Raises ConfirmationRequired (A10), PermissionDenied, ValidationError (seats
    below 1, not seat-based, not active, another partner's subscription).
    """
    partner = _check_order(user, subscription.customer)
    subscription = (
        Subscription.objects.select_for_update().select_related("offer").get(pk=subscription.pk)
    )
    if subscription.partner_id != partner.pk or not subscription.is_active:
        raise ValidationError(
            _("Only active subscriptions bought through your organization can be changed.")
        )
    if not subscription.offer.seat_based:
        raise ValidationError(
            {"seats": _("%(offer)s has no seat count.") % {"offer": subscription.offer.name}}
        )
    before = subscription.seats
    subscription.seats = seats
    validated_save(subscription, update_fields=["seats"])
    if before != seats:
        subscription_audit(
            EventType.SUBSCRIPTION_SEATS_CHANGED,
            subscription,
            user=user,
            before={"seats": before},
            after={"seats": seats},
        )
    return subscription
