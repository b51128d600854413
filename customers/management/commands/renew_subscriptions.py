"""``manage.py renew_subscriptions``: the auto-renewal run (not blocked by rule A10)."""

from django.core.management.base import BaseCommand

from customers.services import subscriptions_renew


class Command(BaseCommand):
    help = (
        "Renew active auto-renew subscriptions whose term has ended, whether or not a "
        "Microsoft Customer Agreement confirmation exists; cancel expired ones without auto-renew."
    )

    def handle(self, *args, **options):
        renewed, expired = subscriptions_renew()
        self.stdout.write(
            f"Renewed {renewed} subscription(s); {expired} without auto-renew expired."
        )
