"""The backup and restore drill the README's Operating section describes, on PostgreSQL.

Seed, ``pg_dump --format=custom``, ``pg_restore`` into a new database, then prove the
copy: the same rows in every table, the append-only triggers still refusing UPDATE and
DELETE, the status rows equal to a rebuild, and the app serving the Customers page.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from agreements.models import AgreementAcceptance, AgreementStatusRow
from partnercenter.models import AuditEvent, User
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import user_event_record

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("data_migration_rows"),
]

#: Run in a separate process on the restored database: the status rows against a
#: rebuild, then the Customers page as the given user sees it.
CHECK_RESTORED = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from django.urls import reverse
from agreements.models import AgreementStatusRow
from agreements.status import agreement_status_rebuild
from partnercenter.models import User

fields = [f.attname for f in AgreementStatusRow._meta.concrete_fields if f.name != "id"]
def rows():
    return sorted(map(list, AgreementStatusRow.objects.values_list(*fields)))
kept = rows()
agreement_status_rebuild()
client = Client()
client.force_login(User.objects.get(pk=int(sys.argv[1])))
page = client.get(reverse("customers:list"))
print(json.dumps({
    "rows": len(kept),
    "rows_equal_rebuild": kept == rows(),
    "status": page.status_code,
    "html": page.content.decode(),
}))
"""


def _pg_env(settings_dict, name):
    return {
        **os.environ,
        "PGHOST": settings_dict["HOST"] or "127.0.0.1",
        "PGPORT": str(settings_dict["PORT"] or 5432),
        "PGUSER": settings_dict["USER"] or "postgres",
        "PGPASSWORD": settings_dict["PASSWORD"] or "",
        "PGDATABASE": name,
    }


def _fingerprints(cursor) -> dict[str, tuple[int, str]]:
    """Every table in the public schema: (row count, md5 of its rows in a fixed order)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    prints = {}
    for table in tables:
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608 - names from pg_tables
        )
        prints[table] = tuple(cursor.fetchone())
    return prints


@pytest.fixture
def restored_name():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL; CI's second pass runs this drill")
    name = f"{connection.settings_dict['NAME']}_restored"
    env = _pg_env(connection.settings_dict, "postgres")
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)  # noqa: S603, S607
    yield name
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)  # noqa: S603, S607


def test_backup_restores_into_a_new_database_that_serves(restored_name, tmp_path, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    # A partner's Admin agent and the first customer their Customers page lists.
    first = AgreementStatusRow.objects.filter(own=True).order_by("partner_id", "sort_name").first()
    agent = User.objects.filter(partner=first.partner_id, groups__name=Role.ADMIN_AGENT).first()
    user_event_record("user.password_changed", user=agent, actor=agent)
    assert AgreementAcceptance.objects.exists() and AuditEvent.objects.exists()

    source = connection.settings_dict
    dump = tmp_path / "partnercenter.dump"
    env = _pg_env(source, source["NAME"])
    run = {"env": env, "check": True, "capture_output": True, "timeout": 300}
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}"], **run)  # noqa: S603, S607
    subprocess.run(["createdb", restored_name], **run)  # noqa: S603, S607
    restore = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}"]
    subprocess.run([*restore, str(dump)], **run)  # noqa: S603 - the README's restore

    with connection.cursor() as cursor:
        before = _fingerprints(cursor)
    restored = psycopg.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], dbname=restored_name,
        password=env["PGPASSWORD"] or None, autocommit=True,
    )  # fmt: skip
    with restored:
        with restored.cursor() as cursor:
            assert _fingerprints(cursor) == before
            assert before["agreements_agreementacceptance"][0] > 0
            assert before["partnercenter_auditevent"][0] > 0
            # The evidence stays append-only in the copy.
            for table in ("agreements_agreementacceptance", "partnercenter_auditevent"):
                for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
                    with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
                        cursor.execute(statement)

        checked = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", CHECK_RESTORED, str(agent.pk)],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": (
                    f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{restored_name}"
                ),
                "DEBUG": "1",
                "CACHE_URL": "",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert checked.returncode == 0, checked.stderr[-3000:]
        result = json.loads(checked.stdout.strip().splitlines()[-1])
        assert result["rows"] > 0 and result["rows_equal_rebuild"]
        assert result["status"] == 200
        assert first.customer.company_name in result["html"]
