"""Writes on customers alone (SPEC §3): the tenant with its admin account, and renewals.

Writes that also touch relationships or agreements — New customer, New order,
Change seat count — are in ``customers.workflows``.
"""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from customers.models import Customer, Subscription
from partnercenter.models import User
from partnercenter.services import temporary_password_make

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


def customer_admin_username(domain_prefix: str) -> str:
    """The first admin's user name: ``admin@<prefix>.onmicrosoft.com`` (SPEC §3)."""
    return f"admin@{domain_prefix}.onmicrosoft.com"


@transaction.atomic
def customer_tenant_create(*, account: dict) -> tuple[Customer, User, str]:
    """Create the customer tenant and its first admin account (SPEC §3).

    ``account`` holds CUSTOMER_FIELDS values. The admin account is
    ``admin@<prefix>.onmicrosoft.com`` with a random temporary password,
    stored hashed and to be changed at first sign-in. Returns
    ``(customer, admin, temporary_password)``; the password exists only in
    this return value. Raises ValidationError keyed by field (company name,
    domain taken, phone for the market, ...); nothing is saved then.
    """
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
    return customer, admin, password


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


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
