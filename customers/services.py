"""Creating customers (SPEC §3): tenant, admin account, relationship, and optional attestation."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import AgreementAcceptance
from agreements.services import acceptance_record, indirect_providers_of
from customers.models import Customer
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
