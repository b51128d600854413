"""Scheduled jobs' runs, one per job and time slot."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One run of a scheduled job for one time slot (``settings.SCHEDULED_JOBS``).

    Unique per job and slot: however many workers check the schedule, the
    first to insert the row enqueues the job, the others find it taken.
    """

    job = models.CharField(_("job"), max_length=80)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), db_default=Now())

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="pc_scheduledrun_unique_slot"),
        ]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """When a worker (``manage.py worker``) last said it is alive; ``/readyz`` reads the
    newest (``WORKER_HEARTBEAT_MAX_SECONDS``). One row per worker id, rewritten every
    ``HEARTBEAT_SECONDS``; the prune job deletes a day-old worker's row."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.worker_id} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
