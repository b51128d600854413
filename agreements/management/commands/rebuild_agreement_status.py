"""``manage.py rebuild_agreement_status``: recompute the status rows from the records."""

import time

from django.core.management.base import BaseCommand

from agreements.status import agreement_status_rebuild
from agreements.statusrows import agreement_status_recompute
from partnercenter.tenant.services import customer_list_changed


class Command(BaseCommand):
    help = (
        "Recompute every customer's agreement status rows (the Customers page's data) from "
        "reseller relationships and acceptance records. The services keep them in step; run "
        "this after loading data outside them, or to prove they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status-only",
            action="store_true",
            help="Only re-judge each row against today's current agreement (the daily job).",
        )

    def handle(self, *args, status_only=False, **options):
        started = time.monotonic()
        if status_only:
            rows = agreement_status_recompute()
            self.stdout.write(self.style.SUCCESS(f"{rows:,} status rows re-judged."))
            return

        def progress(done):
            self.stdout.write(f"  {done:>9,} customers, {time.monotonic() - started:.0f} s")

        rows = agreement_status_rebuild(progress=progress)
        customer_list_changed()  # every partner's Customers page may list something else now
        self.stdout.write(
            self.style.SUCCESS(f"{rows:,} status rows in {time.monotonic() - started:.1f} s.")
        )
