"""Scheduled jobs of the relationships app (``settings.SCHEDULED_JOBS``)."""

from django_tasks import task

from relationships.services import partnership_invitations_expire


@task()
def invitations_expire() -> int:
    """Mark partnership invitations past their expiry as expired, every 15 minutes
    (also ``manage.py expire_invitations``). Returns how many."""
    return partnership_invitations_expire()
