"""``manage.py seed_demo``: load demo partners, users and customers, and print the sign-ins."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnercenter.management.demo import DEMO_PASSWORD, demo_bulk_customers, demo_seed

#: How the sign-ins list names each demo user's language.
LANGUAGE_NAMES = {"en": "English", "ko": "한국어 (Korean)"}


class Command(BaseCommand):
    help = (
        "Create (or refresh) demo partners, one user per role, and ~40 customers. Idempotent. "
        "--customers N adds N more customers (direct and shared through an indirect provider, "
        "in several agreement states), for benchmarks, printing progress."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers", type=int, default=0, metavar="N", help="Bulk-create N more customers."
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (demo accounts share one published password).",
        )

    def handle(self, *args, customers=0, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with "
                "DEBUG off. Pass --allow-production if you really mean it."
            )
        if customers < 0:
            raise CommandError("--customers takes a number of customers, 0 or more.")
        sign_ins = demo_seed()
        if customers:
            started = time.monotonic()

            def progress(done, total):
                elapsed = max(time.monotonic() - started, 1e-6)
                self.stdout.write(
                    f"  {done:>9,} / {total:,} customers ({done / total:4.0%}), "
                    f"{done / elapsed:,.0f}/s, {elapsed:.0f} s"
                )

            total = demo_bulk_customers(customers, progress=progress)
            self.stdout.write(
                f"Added {customers:,} benchmark customers in {time.monotonic() - started:.1f} s "
                f"({total:,} in all): two in three to {sign_ins[0].partner}, one in three to "
                "Tailspin IT Services through Northwind Distribution."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data is ready. Demo sign-ins (password for all: {DEMO_PASSWORD}; each "
                "sees the language shown, and switches it with the language menu at the top):"
            )
        )
        width = max(len(s.email) for s in sign_ins)
        partner_width = max(len(s.partner) for s in sign_ins)
        role_width = max(len(s.role) for s in sign_ins)
        for s in sign_ins:
            language = LANGUAGE_NAMES.get(s.language, s.language)
            self.stdout.write(
                f"  {s.email:<{width}}  {s.partner:<{partner_width}}  {s.role:<{role_width}}  "
                f"{language}"
            )
