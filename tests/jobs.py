"""A job for the worker tests: it records its run under a unique key, so a second run fails."""

import time
from datetime import UTC, datetime

from django.db import transaction
from django_tasks import task

from partnercenter.models import ScheduledRun

#: The fixed slot of every record: (job, slot) is unique, so running job n twice raises.
SLOT = datetime(2000, 1, 1, tzinfo=UTC)


@task()
def record_run(n: int, pause: float = 0.0) -> int:
    """Insert ScheduledRun("exactly-once-<n>", SLOT); IntegrityError if it ran before."""
    with transaction.atomic():
        ScheduledRun.objects.create(job=f"exactly-once-{n}", slot=SLOT)
    time.sleep(pause)
    return n
