"""Scheduled jobs of the relationships app (``settings.SCHEDULED_JOBS``)."""

from django_tasks import task

from relationships.adminrelationships import admin_relationships_lifecycle
from relationships.services import partnership_invitations_expire


@task()
def invitations_expire() -> int:
    """Mark partnership invitations past their expiry as expired, every 15 minutes
    (also ``manage.py expire_invitations``). Returns how many."""
    return partnership_invitations_expire()


@task()
def admin_relationships_daily() -> dict[str, int]:
    """GDAP's daily lifecycle (rule G8; also ``manage.py admin_relationships_lifecycle``):
    expire stale requests, extend or expire relationships at their end date, send the
    30/7/1-day notices. Returns how many of each."""
    return admin_relationships_lifecycle()
