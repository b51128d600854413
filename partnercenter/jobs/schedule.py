"""Scheduled jobs: which job is due, enqueued once per slot however many workers look.

``settings.SCHEDULED_JOBS`` maps a job name to ``(task path, cron expression)``
(UTC). ``manage.py worker`` calls ``schedule_enqueue_due`` every
``CHECK_SECONDS``; the job runs on the queue like any other. The unique
``ScheduledRun(job, slot)`` row is what makes a slot run once: the worker
that inserts it enqueues the job in the same transaction.
"""

from datetime import UTC, datetime

from croniter import croniter
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from partnercenter.models import ScheduledRun, WorkerHeartbeat

CHECK_SECONDS = 30


def slot_for(expression: str, now: datetime) -> datetime:
    """The latest time at or before ``now`` that the cron ``expression`` names (UTC)."""
    now = now.astimezone(UTC)
    matches = croniter.match(expression, now.replace(second=0, microsecond=0))
    if matches:
        return now.replace(second=0, microsecond=0)
    return croniter(expression, now).get_prev(datetime)


def schedule_enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every scheduled job whose current slot hasn't been enqueued yet.

    Returns the names of the jobs enqueued by this call. A job never run
    before runs at the first check (each job is safe to run at any time).
    """
    now = now or timezone.now()
    enqueued = []
    for name, (path, expression) in settings.SCHEDULED_JOBS.items():
        slot = slot_for(expression, now)
        if ScheduledRun.objects.filter(job=name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=name, slot=slot)
                import_string(path).enqueue()
        except IntegrityError:
            continue  # another worker took this slot first
        enqueued.append(name)
    return enqueued


#: How often a running worker records its heartbeat (seconds).
HEARTBEAT_SECONDS = 30


def heartbeat(worker_id: str, *, now: datetime | None = None) -> None:
    """Record that worker ``worker_id`` is alive now (``/readyz`` reads it)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64], defaults={"beat_at": now or timezone.now()}
    )
