"""Scheduled housekeeping jobs of the core (``settings.SCHEDULED_JOBS``)."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from partnercenter.api.tokens import tokens_expired_record
from partnercenter.delivery.outbox import emails_requeue_stuck
from partnercenter.delivery.webhooks import deliveries_requeue_stuck_webhooks
from partnercenter.models import (
    ApiRequest,
    ScheduledRun,
    Submission,
    WebhookDelivery,
    WorkerHeartbeat,
)


def prune_old_records(*, now=None) -> dict[str, int]:
    """Delete what has served its purpose, older than ``PRUNE_AFTER_DAYS``.

    Expired sessions (Django's ``clear_expired``), one-time form keys
    (Submission), the API's kept answers past ``API_REQUEST_ID_HOURS``, finished job
    rows, delivered webhook deliveries and scheduled-run markers. Outgoing emails are kept (they are evidence of
    what was sent). Returns the number deleted per kind.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRUNE_AFTER_DAYS)
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    return {
        "submissions": Submission.objects.filter(created_at__lt=cutoff).delete()[0],
        "api_requests": ApiRequest.objects.filter(
            created_at__lt=now - timedelta(hours=settings.API_REQUEST_ID_HOURS)
        ).delete()[0],
        "jobs": finished.delete()[0],
        "webhook_deliveries": WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.SENT, created_at__lt=cutoff
        ).delete()[0],
        "scheduled_runs": ScheduledRun.objects.filter(slot__lt=cutoff).delete()[0],
        # A worker that stopped a day ago isn't coming back under that id.
        "worker_heartbeats": WorkerHeartbeat.objects.filter(
            beat_at__lt=now - timedelta(days=1)
        ).delete()[0],
    }


@task()
def prune() -> dict[str, int]:
    """The scheduled ``prune`` job (also ``manage.py prune``)."""
    return prune_old_records()


@task()
def deliveries_requeue_stuck() -> dict[str, int]:
    """Queue again emails and webhook deliveries whose worker died mid-attempt."""
    return {"emails": emails_requeue_stuck(), "webhooks": deliveries_requeue_stuck_webhooks()}


@task()
def api_tokens_expire() -> int:
    """Put each API token that expired since the last run on the activity log (also
    ``manage.py expire_api_tokens``)."""
    return tokens_expired_record()
