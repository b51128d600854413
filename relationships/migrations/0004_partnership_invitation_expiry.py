"""Partnership invitation links expire, and only a hash of their token is kept.

Existing invitations expire ``INVITATION_EXPIRY_DAYS`` after they were sent (so
a years-old link stops working at once), and their tokens are replaced by the
tokens' SHA-256, which the links already sent still match.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def expire_and_hash(apps, schema_editor):
    PartnershipInvitation = apps.get_model("relationships", "PartnershipInvitation")
    days = timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    for invitation in PartnershipInvitation.objects.only("pk", "token_hash", "sent_at").iterator():
        invitation.token_hash = hashlib.sha256(invitation.token_hash.encode()).hexdigest()
        invitation.expires_at = invitation.sent_at + days
        invitation.save(update_fields=["token_hash", "expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0003_resellerrelationship_delegated_admin_and_more"),
    ]

    operations = [
        migrations.RenameField("partnershipinvitation", "token", "token_hash"),
        migrations.AddField(
            model_name="partnershipinvitation",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(expire_and_hash, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partnershipinvitation",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="token (SHA-256)"
            ),
        ),
        migrations.AlterField(
            model_name="partnershipinvitation",
            name="expires_at",
            field=models.DateTimeField(
                help_text="The link stops working then; the provider can resend it.",
                verbose_name="expires at",
            ),
        ),
    ]
