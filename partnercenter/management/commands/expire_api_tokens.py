"""``manage.py expire_api_tokens``: put API tokens that expired on the activity log (the
hourly job)."""

from django.core.management.base import BaseCommand

from partnercenter.api.tokens import tokens_expired_record


class Command(BaseCommand):
    help = "Record an api_token.expired event for each API token that expired since the last run."

    def handle(self, *args, **options):
        self.stdout.write(f"{tokens_expired_record()} expired API tokens recorded.")
