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
