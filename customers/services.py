"""Creating customers (SPEC §3): tenant, admin account, relationship, and optional attestation."""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import AgreementAcceptance
from agreements.services import (
    acceptance_record,
    has_current_confirmation,
    indirect_providers_of,
    partner_serves_customer,
)
from customers.models import Customer, Offer, Subscription
from partnercenter.access import partner_for_user
from partnercenter.models import Partner, User
from partnercenter.roles import Action
from partnercenter.services import temporary_password_make
from relationships.models import ResellerRelationship

CUSTOMER_FIELDS = [
    "company_name",
    "domain_prefix",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "culture",
    "cloud_instance",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
]


@dataclass
class NewCustomer:
    """What ``customer_create`` made; ``temporary_password`` exists only here."""

    customer: Customer
    admin: User
    temporary_password: str
    relationship: ResellerRelationship
    acceptance: AgreementAcceptance | None


def customer_admin_username(domain_prefix: str) -> str:
    """The first admin's user name: ``admin@<prefix>.onmicrosoft.com`` (SPEC §3)."""
    return f"admin@{domain_prefix}.onmicrosoft.com"


@transaction.atomic
def customer_create(
    *,
    user: User,
    account: dict,
    attestation: dict | None = None,
    indirect_provider: Partner | None = None,
) -> NewCustomer:
    """Create a customer for ``user``'s partner, all or nothing (A13).

    ``account`` holds CUSTOMER_FIELDS values. ``attestation`` (option 1) holds
    ``date_agreed``, ``first_name``, ``last_name``, ``email``, ``phone`` and is
    recorded through ``acceptance_record`` (A1–A8, A12); None means option 2
    (the customer accepts in the admin center). An indirect reseller names the
    ``indirect_provider`` it works through. Creates the customer, its admin
    account (random temporary password, stored hashed, to change at first
    sign-in) and an active reseller relationship.

    Raises PermissionDenied (role), ValidationError keyed by field.
    """
    partner = partner_for_user(user, Action.ADD_CUSTOMER)
    provider = None
    if partner.is_indirect_reseller:
        providers = indirect_providers_of(partner)
        if indirect_provider is None or indirect_provider not in providers:
            raise ValidationError(
                {"indirect_provider": _("Choose one of your indirect providers.")}
            )
        provider = indirect_provider
    customer = Customer(**{name: account.get(name, "") for name in CUSTOMER_FIELDS})
    customer.language = (customer.culture or "en-US").split("-")[0]
    customer.full_clean()
    customer.save()

    password = temporary_password_make()
    admin = User(
        username=customer_admin_username(customer.domain_prefix),
        email=customer_admin_username(customer.domain_prefix),
        first_name=customer.contact_first_name,
        last_name=customer.contact_last_name,
        customer=customer,
        language="ko" if customer.language == "ko" else "en",
        must_change_password=True,
    )
    admin.set_password(password)
    admin.full_clean(exclude=["email"])  # the address is new by construction; the domain is unique
    admin.save()

    relationship = ResellerRelationship(
        partner=partner, customer=customer, indirect_provider=provider
    )
    relationship.full_clean()
    relationship.save()

    acceptance = None
    if attestation is not None:
        acceptance = acceptance_record(customer=customer, user=user, **attestation)
    return NewCustomer(
        customer=customer,
        admin=admin,
        temporary_password=password,
        relationship=relationship,
        acceptance=acceptance,
    )


class ConfirmationRequired(Exception):
    """Rules A10/A11: no current confirmation of the current agreement for this partner.

    The partner is prompted to complete the confirmation, then returned to the order.
    """


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _check_order(user, customer) -> Partner:
    partner = partner_for_user(user, Action.PLACE_ORDERS)
    if not partner_serves_customer(partner, customer):
        raise PermissionDenied(
            _("Your organization has no active relationship with this customer.")
        )
    if not has_current_confirmation(customer, partner):
        raise ConfirmationRequired
    return partner


@transaction.atomic
def order_place(*, user: User, customer: Customer, offer: Offer, seats: int) -> Subscription:
    """**New order**: a new subscription through ``user``'s partner.

    Raises ConfirmationRequired (A10/A11) when the partner has no current
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
        term_end=add_months(timezone.localdate(), offer.term_months),
    )
    subscription.full_clean()
    subscription.save()
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
    subscription.seats = seats
    subscription.full_clean()
    subscription.save(update_fields=["seats"])
    return subscription


def subscriptions_renew(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Renew every active auto-renew subscription whose term has ended (SPEC A10: never gated).

    Auto-renewal doesn't need a confirmation (seed 001, FAQ 003). Subscriptions
    without auto-renew whose term has ended are cancelled. Returns
    ``(renewed, expired)``.
    """
    today = today or timezone.localdate()
    renewed = expired = 0
    due = Subscription.objects.filter(
        state=Subscription.State.ACTIVE, term_end__lte=today
    ).select_related("offer")
    for subscription in due.iterator():
        with transaction.atomic():
            if subscription.auto_renew:
                while subscription.term_end <= today:
                    subscription.term_end = add_months(
                        subscription.term_end, subscription.offer.term_months
                    )
                subscription.renewed_at = timezone.now()
                subscription.save(update_fields=["term_end", "renewed_at"])
                renewed += 1
            elif subscription.term_end < today:
                subscription.state = Subscription.State.CANCELLED
                subscription.save(update_fields=["state"])
                expired += 1
    return renewed, expired
