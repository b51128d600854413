"""``manage.py worker``: run background jobs — the outbox, webhooks and the schedule.

django-tasks-db's worker loop (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL: start as many as needed, each job runs once) plus a thread that
enqueues due scheduled jobs every 30 seconds (``partnercenter.jobs.schedule``), and
one that records the worker's heartbeat every 30 seconds (``/readyz`` reads it).
``--batch`` runs what is due now, then exits (tests, cron).
"""

import logging
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from partnercenter.jobs.schedule import (
    CHECK_SECONDS,
    HEARTBEAT_SECONDS,
    heartbeat,
    schedule_enqueue_due,
)

logger = logging.getLogger("partnercenter.worker")


def _heartbeat_loop(stop: threading.Event, worker_id: str) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            heartbeat(worker_id)
        except Exception:  # the database is away: /readyz says so; try again later
            logger.exception("Recording the worker's heartbeat failed")
        finally:
            connection.close()
        stop.wait(HEARTBEAT_SECONDS)


def _schedule_loop(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            for name in schedule_enqueue_due():
                logger.info("Scheduled job %s enqueued", name)
        except Exception:  # a failed check is retried at the next one, never kills the worker
            logger.exception("Checking the schedule failed")
        finally:
            connection.close()
        stop.wait(CHECK_SECONDS)


class Command(BaseCommand):
    help = "Run background jobs: outgoing email, webhooks and scheduled jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run every job due now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Don't enqueue scheduled jobs from this worker.",
        )
        parser.add_argument("--worker-id", default=None, help="Unique id (default: random).")

    def handle(self, *, batch, interval, no_schedule, worker_id, verbosity, **options):
        # Job starts and ends are logged at INFO through settings.LOGGING's console handler.
        for name in ("django_tasks_db", "django_tasks", "partnercenter.worker"):
            logging.getLogger(name).setLevel(logging.INFO if verbosity else logging.WARNING)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        stop = threading.Event()
        if not no_schedule and batch:
            schedule_enqueue_due()
        elif not no_schedule:
            threading.Thread(target=_schedule_loop, args=(stop,), daemon=True).start()
        if not batch:
            threading.Thread(
                target=_heartbeat_loop, args=(stop, worker.worker_id), daemon=True
            ).start()
            worker.configure_signals()
            self.stdout.write(f"Worker {worker.worker_id} started; Ctrl-C stops it.")
        try:
            worker.run()
        finally:
            stop.set()
