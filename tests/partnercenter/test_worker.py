"""The worker: exactly once with several workers, and the scheduled jobs."""

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from partnercenter.jobs.schedule import schedule_enqueue_due, slot_for
from partnercenter.models import ScheduledRun, Submission
from relationships.models import PartnershipInvitation
from tests.factories import PartnershipInvitationFactory, UserFactory
from tests.jobs import record_run

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_200_queued_jobs_each_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs two processes claiming rows at once (SELECT … FOR UPDATE SKIP LOCKED); "
            "SQLite runs one writer at a time (CI's PostgreSQL pass)"
        )
    for n in range(200):
        record_run.enqueue(n, 0.01)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    workers = [
        subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", "worker", "--batch", "--no-schedule", "--worker-id", w],
            cwd=BASE_DIR,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "DEBUG": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for w in ("worker-a", "worker-b")
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    results = DBTaskResult.objects.all()
    assert Counter(r.status for r in results) == {"SUCCESSFUL": 200}, outputs
    assert all(len(r.worker_ids) == 1 for r in results)
    by_worker = Counter(r.worker_ids[0] for r in results)
    assert set(by_worker) == {"worker-a", "worker-b"}, by_worker
    assert ScheduledRun.objects.filter(job__startswith="exactly-once-").count() == 200


def test_a_job_that_ran_once_fails_if_it_runs_again(db, run_jobs):
    """The check above can fail: a second run of the same job is an error, not a no-op."""
    record_run.enqueue(1)
    record_run.enqueue(1)
    run_jobs()
    assert Counter(r.status for r in DBTaskResult.objects.all()) == {
        "SUCCESSFUL": 1,
        "FAILED": 1,
    }


def test_the_slot_is_the_latest_time_the_cron_expression_names():
    at = datetime(2026, 11, 21, 10, 7, 30, tzinfo=UTC)
    assert slot_for("15 0 * * *", at) == datetime(2026, 11, 21, 0, 15, tzinfo=UTC)
    assert slot_for("*/15 * * * *", at) == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert slot_for("*/5 * * * *", at.replace(minute=5)) == at.replace(minute=5, second=0)


def test_each_slot_is_enqueued_once_however_many_workers_check(db, settings):
    at = datetime(2026, 11, 21, 10, 7, 30, tzinfo=UTC)
    assert sorted(schedule_enqueue_due(at)) == sorted(settings.SCHEDULED_JOBS)
    assert schedule_enqueue_due(at) == []
    assert schedule_enqueue_due(at + timedelta(minutes=1)) == []
    assert sorted(schedule_enqueue_due(at + timedelta(minutes=8))) == [
        "expire-invitations",
        "requeue-stuck-deliveries",
    ]
    assert DBTaskResult.objects.count() == len(settings.SCHEDULED_JOBS) + 2


def test_the_worker_runs_the_scheduled_jobs(db, monkeypatch, settings):
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.PRUNE_AFTER_DAYS = 30
    expired = PartnershipInvitationFactory(expires_at=timezone.now() - timedelta(minutes=1))
    current = PartnershipInvitationFactory()
    user = UserFactory()
    old = Submission.objects.create(key="0d9b3c1e-5f0e-4c8e-9d7a-2b1f6b0c9e11", user=user)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    fresh = Submission.objects.create(key="1d9b3c1e-5f0e-4c8e-9d7a-2b1f6b0c9e12", user=user)
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )

    call_command("worker", "--batch", verbosity=0)

    results = {r.task_name: r for r in DBTaskResult.objects.all()}
    assert {name: r.status for name, r in results.items()} == {
        "subscriptions_renew": "SUCCESSFUL",
        "agreement_status_refresh": "SUCCESSFUL",
        "invitations_expire": "SUCCESSFUL",
        "prune": "SUCCESSFUL",
        "deliveries_requeue_stuck": "SUCCESSFUL",
        "api_tokens_expire": "SUCCESSFUL",
        "admin_relationships_daily": "SUCCESSFUL",
    }
    assert results["invitations_expire"].return_value == 1
    expired.refresh_from_db()
    current.refresh_from_db()
    assert (expired.state, current.state) == ("expired", "pending")
    assert list(Submission.objects.all()) == [fresh]
    assert not Session.objects.exists()


def test_an_expired_invitation_can_be_resent_and_is_pending_again(client, db):
    from django.urls import reverse

    from partnercenter.tenant.roles import Role

    invitation = PartnershipInvitationFactory(expires_at=timezone.now() - timedelta(days=1))
    call_command("expire_invitations", verbosity=0)
    invitation.refresh_from_db()
    assert invitation.state == "expired" and invitation.is_expired and invitation.is_pending
    client.force_login(UserFactory(partner=invitation.provider, roles=[Role.GLOBAL_ADMIN]))
    page = client.get(reverse("relationships:indirect_resellers")).content.decode()
    assert "Expired" in page
    client.post(reverse("relationships:partnership_invitation_resend", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == PartnershipInvitation.State.PENDING and not invitation.is_expired


def test_the_jobs_are_still_management_commands(db, capsys):
    call_command("renew_subscriptions")
    call_command("expire_invitations")
    call_command("prune")
    call_command("rebuild_agreement_status", "--status-only")
    out = capsys.readouterr().out
    assert "Renewed 0 subscription(s)" in out and "0 invitation(s) expired." in out
    assert "submissions" in out and "status rows re-judged" in out
