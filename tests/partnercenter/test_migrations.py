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
