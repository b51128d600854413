"""``manage.py rebuild_agreement_status``: recompute the status rows from the records."""

import time

from django.core.management.base import BaseCommand

from agreements.status import agreement_status_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every customer's agreement status rows (the Customers page's data) from "
        "reseller relationships and acceptance records. The services keep them in step; run "
        "this after loading data outside them, or to prove they are."
    )

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done):
            self.stdout.write(f"  {done:>9,} customers, {time.monotonic() - started:.0f} s")

        rows = agreement_status_rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"{rows:,} status rows in {time.monotonic() - started:.1f} s.")
        )
