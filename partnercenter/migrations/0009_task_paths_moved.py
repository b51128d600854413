"""Jobs already queued keep running after their task functions moved into packages.

django-tasks stores each job's task as an import path; the worker imports it to run the
job. The platform packages moved four task functions, so rows written before the move
(queued emails and webhook deliveries, scheduled housekeeping) name paths that no longer
import. This rewrites them; going back rewrites them back.
"""

from django.db import migrations

MOVED = {
    "partnercenter.outbox.email_deliver": "partnercenter.delivery.outbox.email_deliver",
    "partnercenter.webhooks.webhook_deliver": "partnercenter.delivery.webhooks.webhook_deliver",
    "partnercenter.tasks.prune": "partnercenter.jobs.tasks.prune",
    "partnercenter.tasks.deliveries_requeue_stuck": "partnercenter.jobs.tasks.deliveries_requeue_stuck",
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
        ("partnercenter", "0008_outbound_email_security_notice"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
