"""Bulk confirmation jobs already queued keep running after ``agreements.bulk`` became a
package: their task paths (stored by django-tasks, imported by the worker) are rewritten
to the functions' new home, ``agreements.bulk.jobs``, and back when going back."""

from django.db import migrations

MOVED = {
    "agreements.bulk.bulk_attestation_validate": "agreements.bulk.jobs.bulk_attestation_validate",
    "agreements.bulk.bulk_attestation_record": "agreements.bulk.jobs.bulk_attestation_record",
}


def _rewrite(apps, mapping):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in mapping.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    _rewrite(apps, MOVED)


def backwards(apps, schema_editor):
    _rewrite(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0010_acceptance_rule_messages"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
