"""When the database goes away: a 503 page that needs no database, then recovery (docs/qualities.md).

On PostgreSQL the app is pointed at a port where no database listens, which is
what a stopped server looks like to it; a kept connection is killed under it
the way a restart kills it. SQLite's test database lives in memory and can't be
stopped, so there the connection is made to fail on use.
"""

import subprocess
import sys

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse

from customers.models import Customer
from partnercenter.tenant.roles import Role
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("data_migration_rows"),
]
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stopping and restarting the database needs a real server (CI's PostgreSQL pass)",
)


def test_an_outage_shows_the_translated_503_page_and_the_app_recovers(
    client, database_down, monkeypatch
):
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    client.force_login(user)
    assert client.get(reverse("customers:list")).status_code == 200

    database_down()
    client.raise_request_exception = False
    down = client.get(reverse("customers:list"), headers={"accept-language": "ko"})
    assert down.status_code == 503
    assert down["Retry-After"] == "60"
    assert "일시적으로" in down.content.decode()  # "temporarily", in Korean

    english = client.get(reverse("customers:list"), headers={"accept-language": "en"})
    assert "temporarily unavailable — try again in a minute" in english.content.decode()

    monkeypatch.undo()  # the database is back; no app restart
    connection.close()
    assert client.get(reverse("customers:list")).status_code == 200


def test_an_error_that_is_not_an_outage_is_still_a_500(client, monkeypatch):
    client.force_login(UserFactory(roles=[Role.ADMIN_AGENT]))
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("customers.views.customer_list_page", broken)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def _kill_this_connection():
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@postgresql_only
@pytest.mark.parametrize("health_checks", [True, False])
def test_a_kept_connection_survives_a_database_restart_only_with_health_checks(
    monkeypatch, health_checks
):
    """CONN_MAX_AGE > 0 keeps connections; a restart kills them while idle (issue: 4 of 40 × 500)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks)
    connection.close()
    Customer.objects.count()  # a request used the connection and kept it
    _kill_this_connection()
    close_old_connections()  # what Django does as the next request starts
    if health_checks:
        assert Customer.objects.count() == 0
    else:
        with pytest.raises(OperationalError):
            Customer.objects.count()
        connection.close()


def test_kept_connections_are_health_checked_by_default():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {"DJANGO_SETTINGS_MODULE": "partnercenter.settings", "PATH": "/usr/bin:/bin"}
    for max_age, expected in (("60", "60 True"), ("0", "0 False")):
        out = subprocess.run(  # noqa: S603 - our own settings module, read in a child process
            [sys.executable, "-c", "import django; django.setup(); " + code],
            env={**env, "CONN_MAX_AGE": max_age},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out == expected
