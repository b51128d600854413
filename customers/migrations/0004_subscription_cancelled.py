"""Cancel subscription: who cancelled and when (the state alone said neither).

Subscriptions already cancelled were ended by renew_subscriptions when their
term ran out without auto-renewal, so they get that date, and no user.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def cancelled_at_term_end(apps, schema_editor):
    Subscription = apps.get_model("customers", "Subscription")
    for subscription in Subscription.objects.filter(state="cancelled", cancelled_at=None):
        subscription.cancelled_at = datetime.datetime.combine(
            subscription.term_end, datetime.time.min, tzinfo=datetime.UTC
        )
        subscription.save(update_fields=["cancelled_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_offer_catalogue"),
        ("partnercenter", "0002_submission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cancelled at"),
        ),
        migrations.AddField(
            model_name="subscription",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when the term ended without auto-renewal.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="cancelled by",
            ),
        ),
        migrations.RunPython(cancelled_at_term_end, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("cancelled_at__isnull", False), ("state", "cancelled")),
                    models.Q(
                        ("cancelled_at__isnull", True),
                        ("cancelled_by__isnull", True),
                        ("state", "active"),
                    ),
                    _connector="OR",
                ),
                name="customers_subscription_cancelled_at_iff_cancelled",
            ),
        ),
    ]
