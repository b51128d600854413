"""Scheduled jobs of the customers app (``settings.SCHEDULED_JOBS``)."""

from django_tasks import task

from customers.services import subscriptions_renew as renew


@task()
def subscriptions_renew() -> dict[str, int]:
    """Auto-renewal, daily (also ``manage.py renew_subscriptions``): ``{"renewed", "expired"}``."""
    renewed, expired = renew()
    return {"renewed": renewed, "expired": expired}
