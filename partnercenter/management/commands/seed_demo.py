"""``manage.py seed_demo``: load demo partners, users and customers, and print the sign-ins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnercenter.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create (or refresh) demo partners, one user per role, and customers. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (demo accounts share one published password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with "
                "DEBUG off. Pass --allow-production if you really mean it."
            )
        sign_ins = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data is ready. Demo sign-ins (password for all: {DEMO_PASSWORD}):"
            )
        )
        width = max(len(s.email) for s in sign_ins)
        partner_width = max(len(s.partner) for s in sign_ins)
        for s in sign_ins:
            self.stdout.write(f"  {s.email:<{width}}  {s.partner:<{partner_width}}  {s.role}")
