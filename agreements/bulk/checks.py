"""Confirm in bulk's checks: every row by the one-row rules (docs/rules.md), with a few
set-based queries per batch of rows."""

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import PhoneNumber

from agreements.bulk.files import BulkRow
from agreements.models import (
    A3_REQUIRED,
    A12_MESSAGE,
    AgreementAcceptance,
    AgreementTemplate,
    acceptance_rule_errors,
    acceptor_errors,
    national_cloud_message,
    user_today,
)
from customers.models import DOMAIN_SUFFIX, Customer
from customers.selectors import customers_with_domains
from partnercenter.models import Partner
from relationships.selectors import customers_served_by

#: Rows checked per round of queries (and between progress reports).
BATCH = 5000

NOT_YOURS = gettext_lazy(
    "This customer isn't one of yours: no customer you serve has this domain or tenant ID."
)


@dataclass(slots=True)
class CheckedRow:
    """A row after the checks: ``status`` is "valid", "invalid" or "duplicate"; ``values``
    (valid rows) the record's date_agreed, first_name, last_name, email and phone (E.164
    text, "" for none)."""

    row: BulkRow
    status: str
    message: str = ""
    customer: Customer | None = None
    values: dict = field(default_factory=dict)


def _domain(value: str) -> str:
    return value.strip().lower().removesuffix(DOMAIN_SUFFIX)


def _tenant(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _identity(customer_id, date_agreed, first_name, last_name, email, phone) -> tuple:
    """What A12 compares (the unique constraint's fields, for one partner and template)."""
    return (customer_id, date_agreed, first_name, last_name, email, str(phone or ""))


def _customers(rows: list[BulkRow], partner: Partner) -> tuple[dict, dict, set]:
    """The batch's customers by domain and by tenant ID, and which of them ``partner``
    serves (A8). Three queries."""
    domains = {_domain(r.domain) for r in rows if r.domain}
    tenants = {t for r in rows if r.tenant_id and (t := _tenant(r.tenant_id))}
    fields = ("pk", "company_name", "domain_prefix", "tenant_id", "country", "cloud_instance")
    found = list(customers_with_domains(domains).only(*fields)) if domains else []
    found += list(Customer.objects.filter(tenant_id__in=tenants).only(*fields)) if tenants else []
    by_domain = {c.domain_prefix: c for c in found}
    by_tenant = {c.tenant_id: c for c in found}
    served = customers_served_by(partner, {c.pk for c in found}) if found else set()
    return by_domain, by_tenant, served


def bulk_rows_check(
    rows: list[BulkRow],
    *,
    partner: Partner,
    user,
    template: AgreementTemplate,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[CheckedRow]]:
    """Check every row as ``acceptance_record`` would for ``user`` of ``partner``
    confirming ``template``: the customer named (A8), A7, A3, the phone for the
    customer's country, A1 (in the user's time zone) and A2, A12 against the records
    and earlier rows of the file. A handful of queries per BATCH rows; ``progress(n)``
    after each batch. Yields the CheckedRows of each batch, in file order (so a caller
    never holds more than one batch's customers)."""
    today = user_today(user)
    seen_customers: dict[int, int] = {}
    seen_identities: dict[tuple, int] = {}
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        by_domain, by_tenant, served = _customers(batch, partner)
        existing = _existing(served, partner=partner, template=template)
        checked: list[CheckedRow] = []
        for row in batch:
            checked.append(
                _check(
                    row,
                    by_domain=by_domain,
                    by_tenant=by_tenant,
                    served=served,
                    existing=existing,
                    seen_customers=seen_customers,
                    seen_identities=seen_identities,
                    template=template,
                    today=today,
                )
            )
        yield checked
        if progress:
            progress(start + len(batch))


def _check(
    row: BulkRow,
    *,
    by_domain,
    by_tenant,
    served,
    existing,
    seen_customers,
    seen_identities,
    template,
    today,
) -> CheckedRow:
    if row.problem:
        return CheckedRow(row, "invalid", row.problem)
    customer = None
    if not row.domain and not row.tenant_id:
        return CheckedRow(row, "invalid", _("Enter the customer's domain or tenant ID."))
    if row.tenant_id:
        tenant = _tenant(row.tenant_id)
        if tenant is None:
            return CheckedRow(row, "invalid", _("Enter a valid tenant ID (a GUID)."))
        customer = by_tenant.get(tenant)
    if row.domain:
        named = by_domain.get(_domain(row.domain))
        if customer is not None and named is not None and named.pk != customer.pk:
            return CheckedRow(
                row, "invalid", _("The domain and the tenant ID name different customers.")
            )
        customer = customer or named
        if row.tenant_id and named is None:
            customer = None
    if customer is None or customer.pk not in served:
        return CheckedRow(row, "invalid", str(NOT_YOURS))
    if customer.is_national_cloud:
        return CheckedRow(
            row, "invalid", national_cloud_message(customer.get_cloud_instance_display()), customer
        )
    messages = []
    date_agreed = None
    if not row.date_agreed:
        messages.append(str(A3_REQUIRED["date_agreed"]))
    else:
        date_agreed = _date(row.date_agreed)
        if date_agreed is None:
            messages.append(_("Enter the date agreed as YYYY-MM-DD."))
    errors, phone = acceptor_errors(
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        country=customer.country,
    )
    for field_messages in errors.values():
        messages.extend(field_messages)
    for field_messages in acceptance_rule_errors(
        date_agreed=date_agreed, template=template, today=today
    ).values():
        messages.extend(field_messages)
    if messages:
        return CheckedRow(row, "invalid", " ".join(messages), customer)
    values = {
        "date_agreed": date_agreed,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "phone": _e164(phone),
    }
    identity = _identity(
        customer.pk, date_agreed, row.first_name, row.last_name, row.email, values["phone"]
    )
    if identity in existing:
        return CheckedRow(row, "duplicate", str(A12_MESSAGE), customer)
    if customer.pk in seen_customers:
        first = seen_customers[customer.pk]
        status = "duplicate" if seen_identities.get(identity) == first else "invalid"
        return CheckedRow(
            row,
            status,
            _("This customer is already in row %(row)s of the file.") % {"row": first},
            customer,
        )
    seen_customers[customer.pk] = row.number
    seen_identities[identity] = row.number
    return CheckedRow(row, "valid", "", customer, values)


def _e164(phone) -> str:
    """A parsed phone (or the E.164 text Confirm carries) as E.164; "" for none."""
    return phone.as_e164 if isinstance(phone, PhoneNumber) else str(phone or "")


def kept_rows(checked: list[CheckedRow]) -> list[list]:
    """What validation keeps of each valid row for **Confirm** (``BulkAttestation.validated``):
    ``[row number, customer pk, its country, date agreed, first name, last name, email,
    phone (E.164 or ""), customer name]``."""
    return [
        [
            c.row.number,
            c.customer.pk,
            str(c.customer.country),
            c.values["date_agreed"].isoformat(),
            c.values["first_name"],
            c.values["last_name"],
            c.values["email"],
            c.values["phone"],
            c.customer.company_name,
        ]
        for c in checked
        if c.status == "valid"
    ]


def bulk_rows_recheck(
    kept: list[list], *, partner: Partner, user, template: AgreementTemplate
) -> list[CheckedRow]:
    """**Confirm**'s checks of the rows validation found valid (``kept_rows``): again every
    rule whose answer can have changed since — the customer is still served (A8), not in
    a national cloud (A7), in the same country (the phone was read for it), A1/A2 for
    today and the template as it is now, A12 against the records now. What can't change
    (the file's text: A3, the phone's format, dates, duplicates within the file) isn't
    parsed again. A handful of queries per BATCH rows."""
    today = user_today(user)
    checked: list[CheckedRow] = []
    for start in range(0, len(kept), BATCH):
        batch = kept[start : start + BATCH]
        ids = [k[1] for k in batch]
        fields = ("pk", "company_name", "domain_prefix", "country", "cloud_instance")
        customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids).only(*fields)}
        served = customers_served_by(partner, ids)
        existing = _existing(served, partner=partner, template=template)
        for number, customer_id, country, day, first, last, email, phone, name in batch:
            row = BulkRow(number=number, company_name=name)
            customer = customers.get(customer_id)
            date_agreed = datetime.date.fromisoformat(day)
            if customer is None or customer_id not in served:
                checked.append(CheckedRow(row, "invalid", str(NOT_YOURS)))
                continue
            if customer.is_national_cloud:
                message = national_cloud_message(customer.get_cloud_instance_display())
                checked.append(CheckedRow(row, "invalid", message, customer))
                continue
            if str(customer.country) != country:
                message = _("The customer's country/region changed since the file was checked.")
                checked.append(CheckedRow(row, "invalid", message, customer))
                continue
            errors = acceptance_rule_errors(date_agreed=date_agreed, template=template, today=today)
            if errors:
                message = " ".join(m for ms in errors.values() for m in ms)
                checked.append(CheckedRow(row, "invalid", message, customer))
                continue
            if _identity(customer_id, date_agreed, first, last, email, phone) in existing:
                checked.append(CheckedRow(row, "duplicate", str(A12_MESSAGE), customer))
                continue
            values = {
                "date_agreed": date_agreed,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
            }
            checked.append(CheckedRow(row, "valid", "", customer, values))
    return checked


def _existing(customer_ids, *, partner: Partner, template: AgreementTemplate) -> set:
    """A12: the identities of ``partner``'s records of ``template`` for these customers."""
    if not customer_ids:
        return set()
    return {
        _identity(*values)
        for values in AgreementAcceptance.objects.filter(
            customer_id__in=customer_ids,
            partner=partner,
            template=template,
            method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
        ).values_list("customer_id", "date_agreed", "first_name", "last_name", "email", "phone")
    }
