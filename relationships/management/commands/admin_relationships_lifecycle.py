"""``manage.py admin_relationships_lifecycle``: GDAP's daily lifecycle (rule G8)."""

from django.core.management.base import BaseCommand

from relationships.adminrelationships import admin_relationships_lifecycle


class Command(BaseCommand):
    help = (
        "Expire admin relationship requests not approved in 90 days, extend or expire "
        "relationships at their end date, and send the 30/7/1-day expiry notices."
    )

    def handle(self, *args, **options):
        counts = admin_relationships_lifecycle()
        self.stdout.write(
            ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()) + "."
        )
