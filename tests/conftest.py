"""Shared fixtures. Browser fixtures live in tests/browser/conftest.py."""

import importlib
import os

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection

from partnercenter.tenant.roles import Role
from tests.factories import PartnerFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# browser tests make beside ``page`` are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _end_stray_sessions_before_dropping_the_test_database(django_db_setup, django_db_blocker):
    """Let pytest-django drop the PostgreSQL test database at the end of the run.

    The session-scoped live server and Playwright's event loop can leave a
    database connection open after the browser tests (pytest-django #429,
    #454); PostgreSQL then refuses to drop the test database. This fixture is
    torn down just before the database, and ends such stray sessions first.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher (tested in test_settings); tests use a fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: the test client runs requests in the
    test's thread, so a Korean user's last request would leave Korean active."""
    from django.utils import translation

    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _page_cache(request, settings):
    """The Customers page's listing cache (CACHES["pages"]), empty at each test's start.

    Its versions change when a write *commits* (``customer_list_changed`` runs on
    commit). Tests inside one rolled-back transaction never commit, so they run with
    the cache off (TIMEOUT 0) unless they commit for real (``transactional_db``,
    ``live_server``) or ask for it (``page_cache``; with
    ``django_capture_on_commit_callbacks(execute=True)`` around each write).
    """
    from django.core.cache import caches

    real_commits = {"transactional_db", "live_server", "page_cache"} & set(request.fixturenames)
    if not real_commits:
        settings.CACHES = {**settings.CACHES, "pages": {**settings.CACHES["pages"], "TIMEOUT": 0}}
    caches["pages"].clear()


@pytest.fixture
def page_cache():
    """Keep the Customers page's listing cache on (see ``_page_cache``)."""


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Fabrikam Cloud Solutions")


@pytest.fixture
def other_partner(db):
    return PartnerFactory(name="Contoso Partner Services")


@pytest.fixture
def make_user(db, partner):
    """``make_user(Role.ADMIN_AGENT, partner=...)``: a user holding the given roles."""

    def make(*roles, partner=partner, **fields):
        return UserFactory(partner=partner, roles=list(roles), **fields)

    return make


@pytest.fixture
def global_admin(make_user):
    return make_user(Role.GLOBAL_ADMIN)


@pytest.fixture
def admin_agent(make_user):
    return make_user(Role.ADMIN_AGENT)


@pytest.fixture
def data_migration_rows(transactional_db):
    """Put back the rows data migrations made (agreement templates, offers).

    Tests on a transactional database (browser tests, races on the live
    server) see it flushed after each test, and a flush doesn't re-run data
    migrations. Their functions are idempotent, so running them again restores
    exactly what migrate made.
    """
    from django.apps import apps

    importlib.import_module("agreements.migrations.0003_agreement_templates").add_templates(
        apps, None
    )
    importlib.import_module("customers.migrations.0003_offer_catalogue").add_offers(apps, None)


@pytest.fixture
def run_jobs(monkeypatch, settings):
    """``run_jobs()``: run every queued background job now, as ``manage.py worker --batch``.

    The real worker command, minus its connection recycling (which would end
    the test's transaction). Retries are due at once (``RETRY_BASE_SECONDS``
    0), so a job that keeps failing runs all its attempts in one call.
    """
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.RETRY_BASE_SECONDS = 0

    def run(verbosity=0):
        call_command("worker", "--batch", "--no-schedule", verbosity=verbosity)

    return run


@pytest.fixture
def mail_server(settings):
    """A local SMTP server Django sends to, stopped (= down) until ``mail_server.start()``."""
    from tests.servers import MailServer

    server = MailServer()
    server.django_settings(settings)
    yield server
    server.stop()


@pytest.fixture
def webhook_receiver(settings):
    """A local HTTP receiver; webhooks may post to it (http, loopback allowed for the test)."""
    from tests.servers import WebhookReceiver

    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def database_down(monkeypatch):
    """Make the next connection attempt fail as a stopped database would; undo to restore."""

    def stop():
        if connection.vendor == "postgresql":
            connection.close()
            monkeypatch.setitem(connection.settings_dict, "PORT", "1")
        else:

            def refuse(*args, **kwargs):
                raise OperationalError("unable to open database file")

            monkeypatch.setattr(connection, "ensure_connection", refuse)

    return stop
