"""Migrations that rewrite data: what was queued before a release still runs after it."""

import importlib

import pytest
from django.apps import apps
from django_tasks_db.models import DBTaskResult

from partnercenter.delivery.outbox import email_deliver

pytestmark = pytest.mark.django_db

moved = importlib.import_module("partnercenter.migrations.0009_task_paths_moved")


def test_jobs_queued_under_the_old_task_paths_point_at_the_moved_functions():
    result = email_deliver.enqueue(1)
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(task_path="partnercenter.outbox.email_deliver")

    moved.forwards(apps, None)
    row.refresh_from_db()
    assert row.task_path == "partnercenter.delivery.outbox.email_deliver"
    assert row.task.func is email_deliver.func, "the worker can import what the row names"

    moved.backwards(apps, None)
    row.refresh_from_db()
    assert row.task_path == "partnercenter.outbox.email_deliver"


bulk_moved = importlib.import_module("agreements.migrations.0011_bulk_task_paths_moved")


def test_queued_bulk_confirmation_jobs_point_at_agreements_bulk_jobs():
    from agreements.bulk.jobs import bulk_attestation_record

    result = bulk_attestation_record.enqueue("00000000-0000-0000-0000-000000000000")
    DBTaskResult.objects.filter(pk=result.id).update(
        task_path="agreements.bulk.bulk_attestation_record"
    )
    bulk_moved.forwards(apps, None)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.task.func is bulk_attestation_record.func
