"""``{% load activity %}``: an audit event's type by its name ("Subscription ordered"),
not its stable code (``subscription.ordered``), for people."""

from django import template

from partnercenter.audit.events import EventType

register = template.Library()


@register.filter
def event_label(code: str) -> str:
    """The translated name of event type ``code``; the code itself if it has none."""
    return str(EventType.LABELS.get(code, code))
