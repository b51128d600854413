"""Scheduled jobs of the agreements app (``settings.SCHEDULED_JOBS``)."""

from django_tasks import task

from agreements.statusrows import agreement_status_recompute


@task()
def agreement_status_refresh() -> int:
    """Recompute every status row against today's current agreement, daily just after 00:00 UTC.

    A template whose effective date arrives changes what "current" means
    overnight without any write; this makes the Customers page follow
    (also ``manage.py rebuild_agreement_status --status-only``). Returns the
    number of rows.
    """
    return agreement_status_recompute()
