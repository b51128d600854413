"""Customer admin accounts made before they took their customer's time zone kept UTC, so
their admin center dated a Korean customer's acceptance at 08:00 on 7 December as
6 December. Give those still on UTC the zone of their customer's country. Going back
leaves them as they are (the zone is a correction, not a schema change)."""

from django.db import migrations

from customers.markets import DEFAULT_TIME_ZONE


def forwards(apps, schema_editor):
    User = apps.get_model("partnercenter", "User")
    for country, zone in DEFAULT_TIME_ZONE.items():
        User.objects.filter(customer__country=country, time_zone="UTC").update(time_zone=zone)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_subscription_cancelled"),
        ("partnercenter", "0009_task_paths_moved"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
