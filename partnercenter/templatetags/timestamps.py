"""``{% load timestamps %}``: times shown with their time zone."""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def timestamp(value):
    """An aware datetime in the current time zone (the user's, ``time_zone``) as
    SHORT_DATETIME_FORMAT plus the zone's abbreviation, in a ``<time>`` element whose
    ``datetime`` is ISO 8601 with the offset: ``<time datetime="2026-11-21T15:04+09:00">
    2026-11-21 15:04 KST</time>`` in English. "" for None."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value)
    shown = f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname()}"
    return format_html('<time datetime="{}">{}</time>', local.isoformat(timespec="minutes"), shown)
