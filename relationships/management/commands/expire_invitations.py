"""``manage.py expire_invitations``: mark partnership invitations past their expiry (the job)."""

from django.core.management.base import BaseCommand

from relationships.services import partnership_invitations_expire


class Command(BaseCommand):
    help = "Mark pending partnership invitations whose link has expired as expired."

    def handle(self, *args, **options):
        count = partnership_invitations_expire()
        self.stdout.write(f"{count} invitation(s) expired.")
