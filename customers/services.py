"""Writes on customers alone (docs/customers.md): the tenant with its admin account, and renewals.

Writes that also touch relationships or agreements — New customer, New order,
Change seat count — are in ``customers.workflows``.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.statusrows import agreement_status_sync
from customers.markets import default_time_zone
from customers.models import Customer, Subscription
from partnercenter.audit.events import ActorKind, EventType
from partnercenter.audit.record import actor_kind_of, audit_record, changes
from partnercenter.models import Partner, User
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.tenant.services import temporary_password_make, validated_save
from relationships.selectors import own_relationship_with, provider_for

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

#: What back-office staff may change in Django admin (the tenant ID never changes).
STAFF_FIELDS = [*CUSTOMER_FIELDS, "language"]

#: The primary contact: what a partner user may change on Account info.
CONTACT_FIELDS = ["contact_first_name", "contact_last_name", "contact_email", "contact_phone"]


def customer_admin_username(domain_prefix: str) -> str:
    """The first admin's user name: ``admin@<prefix>.onmicrosoft.com`` (docs/customers.md)."""
    return f"admin@{domain_prefix}.onmicrosoft.com"


@transaction.atomic
def customer_tenant_create(
    *, account: dict, user: User | None = None, indirect_provider: Partner | None = None
) -> tuple[Customer, User, str]:
    """Create the customer tenant and its first admin account (docs/customers.md).

    ``account`` holds CUSTOMER_FIELDS values. The admin account is
    ``admin@<prefix>.onmicrosoft.com`` with a random temporary password,
    stored hashed and to be changed at first sign-in. Returns
    ``(customer, admin, temporary_password)``; the password exists only in
    this return value. Raises ValidationError keyed by field (company name,
    domain taken, phone for the market, ...); nothing is saved then.
    Records ``customer.created`` by ``user`` (the reseller's ``indirect_provider``
    is the event's related partner).
    """
    customer = Customer(**{name: account.get(name, "") for name in CUSTOMER_FIELDS})
    customer.language = (customer.culture or "en-US").split("-")[0]
    validated_save(customer)

    password = temporary_password_make()
    admin = User(
        username=customer_admin_username(customer.domain_prefix),
        email=customer_admin_username(customer.domain_prefix),
        first_name=customer.contact_first_name,
        last_name=customer.contact_last_name,
        customer=customer,
        language="ko" if customer.language == "ko" else "en",
        # Its "today" and times are the customer's, not UTC (docs/admin-center.md).
        time_zone=default_time_zone(customer.country),
        must_change_password=True,
    )
    admin.set_password(password)
    # The address is new by construction: the domain it is made of is unique.
    validated_save(admin, exclude=["email"])
    audit_record(
        EventType.CUSTOMER_CREATED,
        actor=user,
        related_partner=indirect_provider,
        customer=customer,
        obj=customer,
        object_type="customer",
        after={"company_name": customer.company_name, "domain": customer.domain},
    )
    return customer, admin, password


@transaction.atomic
def customer_update(*, user: User, customer: Customer, values: dict) -> Customer:
    """Change a customer's details; records what each changed field was and became.

    A partner user (Global admin, Admin agent, Sales agent: ``EDIT_CUSTOMER``)
    changes only the primary contact (``CONTACT_FIELDS``) of a customer its
    partner has its own active relationship with; back-office staff (Django
    admin) may change any of ``STAFF_FIELDS``. ``values`` maps field names
    to new values; unchanged ones are ignored. Records
    ``customer.contact_changed`` when only contact fields changed, else
    ``customer.details_changed``; nothing when nothing changed. Raises
    PermissionDenied (role, no relationship, a field the user may not change),
    ValidationError keyed by field; nothing is saved then. The status rows follow a
    change in the same transaction.
    """
    partner, provider = None, None
    allowed = STAFF_FIELDS
    if actor_kind_of(user) == ActorKind.PARTNER_USER:
        partner = partner_for_user(user, Action.EDIT_CUSTOMER)
        if own_relationship_with(customer, partner=partner) is None:
            raise PermissionDenied(
                _("Your organization has no active relationship with this customer.")
            )
        provider = provider_for(partner, customer)
        allowed = CONTACT_FIELDS
    elif not (user and user.is_staff):
        raise PermissionDenied(_("Only partner users and back-office staff change customers."))
    if set(values) - set(allowed):
        raise PermissionDenied(_("You can't change these customer details."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    old = {name: getattr(customer, name) for name in values}
    for name, value in values.items():
        setattr(customer, name, value if value is not None else "")
    validated_save(customer)
    new = {name: getattr(customer, name) for name in values}
    before, after = changes(old, new)
    if after:
        # The partners' list rows carry the company name and domain: in step, here.
        agreement_status_sync(customer)
    if after:
        audit_record(
            EventType.CUSTOMER_CONTACT_CHANGED
            if set(after) <= set(CONTACT_FIELDS)
            else EventType.CUSTOMER_DETAILS_CHANGED,
            actor=user,
            partner=partner,
            related_partner=provider,
            customer=customer,
            obj=customer,
            object_type="customer",
            before=before,
            after=after,
        )
    return customer


def subscriptions_renew(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Renew every active auto-renew subscription whose term has ended (rule A10: never gated).

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
                    subscription.term_end = subscription.term_end + relativedelta(
                        months=subscription.offer.term_months
                    )
                subscription.renewed_at = timezone.now()
                subscription.save(update_fields=["term_end", "renewed_at"])
                renewed += 1
            elif subscription.term_end < today:
                subscription.state = Subscription.State.CANCELLED
                subscription.cancelled_at = timezone.now()
                subscription.save(update_fields=["state", "cancelled_at"])
                subscription_audit(
                    EventType.SUBSCRIPTION_CANCELLED,
                    subscription,
                    user=None,
                    before={"state": "active"},
                    after={"state": "cancelled", "reason": "term_ended"},
                )
                expired += 1
    return renewed, expired


@transaction.atomic
def subscription_cancel(*, user: User, subscription: Subscription) -> Subscription:
    """**Cancel subscription**: end an active subscription bought through ``user``'s partner.

    The row stays, as ``cancelled``, with who cancelled it and when, so the
    partner can then remove its relationship (seed 004: not while active
    subscriptions exist). Cancelling is never gated by the agreement (A10
    gates new orders and seat changes only). Raises PermissionDenied (role:
    those that place orders, docs/roles.md) and ValidationError (not active, or
    another partner's subscription).
    """
    partner = partner_for_user(user, Action.PLACE_ORDERS)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.partner_id != partner.pk or not subscription.is_active:
        raise ValidationError(
            _("Only active subscriptions bought through your organization can be cancelled.")
        )
    subscription.state = Subscription.State.CANCELLED
    subscription.cancelled_at = timezone.now()
    subscription.cancelled_by = user
    validated_save(subscription, update_fields=["state", "cancelled_at", "cancelled_by"])
    subscription_audit(
        EventType.SUBSCRIPTION_CANCELLED,
        subscription,
        user=user,
        before={"state": "active"},
        after={"state": "cancelled"},
    )
    return subscription


def subscription_audit(
    event_type: str, subscription: Subscription, *, user: User | None, before=None, after=None
) -> None:
    """Record ``event_type`` about ``subscription`` (its partner's; its provider related)."""
    audit_record(
        event_type,
        actor=user,
        partner=subscription.partner,
        related_partner=provider_for(subscription.partner, subscription.customer_id),
        customer=subscription.customer,
        obj=subscription,
        object_type="subscription",
        object_repr=subscription.offer.name,
        before=before,
        after=after,
    )
