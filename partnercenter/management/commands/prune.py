"""``manage.py prune``: delete expired sessions and old one-time records (the daily job)."""

from django.core.management.base import BaseCommand

from partnercenter.jobs.tasks import prune_old_records


class Command(BaseCommand):
    help = (
        "Delete expired sessions, and form keys, finished jobs, delivered webhook deliveries "
        "and schedule markers older than PRUNE_AFTER_DAYS. Outgoing emails are kept."
    )

    def handle(self, *args, **options):
        counts = prune_old_records()
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in counts.items()) + " deleted.")
