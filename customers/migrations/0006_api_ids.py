"""GUIDs for the API: each offer's ``offerId``, each subscription's ``id``, and the order a
subscription came from. Existing rows get random GUIDs (in SQL on PostgreSQL, so a large
subscriptions table is one statement)."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    for model_name, field in (("Offer", "offer_id"), ("Subscription", "subscription_id")):
        model = apps.get_model("customers", model_name)
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(model._meta.db_table)
            column = schema_editor.quote_name(field)
            schema_editor.execute(f"UPDATE {table} SET {column} = gen_random_uuid()")
            continue
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(**{field: uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_customer_admins_time_zone")]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="offer_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="offer ID"),
        ),
        migrations.AddField(
            model_name="subscription",
            name="subscription_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="subscription ID"),
        ),
        migrations.AddField(
            model_name="subscription",
            name="order_id",
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name="order ID"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="offer",
            name="offer_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="offer ID"
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="subscription_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="subscription ID"
            ),
        ),
    ]
