"""``{% load agreement_status %}``: the Microsoft Customer Agreement status badge, rule A7's message."""

from django import template
from django.utils.html import format_html

from agreements.models import national_cloud_message
from agreements.selectors import AgreementStatus

register = template.Library()

_BADGE_CLASS = {
    AgreementStatus.CONFIRMED: "text-bg-success",
    AgreementStatus.ACCEPTED_BY_CUSTOMER: "text-bg-info",
    AgreementStatus.NOT_CONFIRMED: "text-bg-warning",
}


@register.simple_tag
def status_badge(status: str):
    """``<span class="badge ...">label</span>`` for an AgreementStatus value
    (``"confirmed"``, ``"accepted_by_customer"``, ``"not_confirmed"``); anything
    else shows as Not confirmed. A tag, not an ``{% include %}``: the Customers
    page shows one per row."""
    if status not in _BADGE_CLASS:
        status = AgreementStatus.NOT_CONFIRMED
    return format_html(
        '<span class="badge {}">{}</span>', _BADGE_CLASS[status], AgreementStatus.LABELS[status]
    )


@register.simple_tag
def a7_message(customer) -> str:
    """Rule A7's one message for ``customer``'s national cloud (docs/rules.md)."""
    return national_cloud_message(customer.get_cloud_instance_display())
