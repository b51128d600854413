"""``manage.py api_token_create --user EMAIL --name NAME [--days N]``: an API token for
operators' automation, made and audited as on Settings → **App management**; the token
alone is the last line printed."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnercenter.api.tokens import token_create
from partnercenter.models import User


class Command(BaseCommand):
    help = "Make an API token acting as a partner user; prints the token alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The partner user's email address.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires.")

    def handle(self, *args, user, name, days, **options):
        account = User.objects.filter(email__iexact=user, is_active=True).first()
        if account is None or not account.partner_id:
            raise CommandError(f"No active partner user has the email address {user}.")
        try:
            token, secret = token_create(user=account, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name} for {account.email} ({token.partner.name}) expires "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write(secret)
