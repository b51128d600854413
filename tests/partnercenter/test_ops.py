"""Running it as a service: health probes, metrics, JSON logs and the shared Redis cache."""

import datetime
import io
import json
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partnercenter.jobs.schedule import heartbeat
from partnercenter.models import AuditEvent, WorkerHeartbeat
from partnercenter.ops import health
from partnercenter.ops.logs import RedactingFilter, RequestIdFilter
from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, ResellerRelationshipFactory

#: The machine's Redis; database 15 is the tests' own (``clear()`` empties it).
REDIS = "redis://127.0.0.1:6379/15"
#: Where no Redis listens: a stopped one, as the app sees it.
REDIS_DOWN = "redis://127.0.0.1:1/15"


def _redis_caches(settings, url):
    base = {
        "BACKEND": "partnercenter.ops.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    settings.CACHES = {
        "default": {**base, "KEY_PREFIX": "default"},
        "pages": {**base, "KEY_PREFIX": "pages", "TIMEOUT": 300},
    }
    for alias in ("default", "pages"):
        caches[alias].close()
        del caches[alias]


@pytest.fixture
def ready(settings, db):
    """A worker alive now; the migration memo forgotten, so each test checks afresh."""
    health._migrations_applied = False
    heartbeat("test-worker")
    settings.WORKER_HEARTBEAT_MAX_SECONDS = 180


# --- /healthz and /readyz ------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_healthz_200_and_readyz_503_while_the_database_is_down_then_ready(
    client, ready, database_down, monkeypatch
):
    database_down()
    assert client.get("/healthz").status_code == 200
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json()["problems"][0].startswith("database:")
    monkeypatch.undo()
    connection.close()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_readyz_says_a_migration_is_missing_until_it_is_applied(client, ready):
    from django.core.management import call_command

    call_command("migrate", "agreements", "0014", verbosity=0)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "migrations: 1 not applied" in response.json()["problems"]
    finally:
        call_command("migrate", "agreements", verbosity=0)
    heartbeat("test-worker")
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_wants_a_recent_worker_heartbeat(client, ready):
    assert client.get("/readyz").status_code == 200
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=5))
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json()["problems"] == ["worker: no heartbeat in the last 180 s"]
    heartbeat("another-worker")
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_with_redis_configured_stopped_then_back(client, ready, settings):
    _redis_caches(settings, REDIS_DOWN)
    down = client.get("/readyz")
    assert down.status_code == 503
    assert {p.split(":")[0] for p in down.json()["problems"]} == {"cache default", "cache pages"}
    _redis_caches(settings, REDIS)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_probes_skip_hosts_https_sessions_and_audit(client, ready, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["partners.example.com"]
    sessions, events = Session.objects.count(), AuditEvent.objects.count()
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.1.2.3:8000")  # a balancer probes by address
        assert response.status_code == 200, (path, response.status_code)
        assert "sessionid" not in response.cookies
    assert (Session.objects.count(), AuditEvent.objects.count()) == (sessions, events)


# --- /metrics -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_off_until_configured_then_need_the_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    refused = client.get("/metrics")
    assert refused.status_code == 401 and "Bearer" in refused["WWW-Authenticate"]
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    client.get(reverse("login"))
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    text = ok.content.decode()
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    for name in (
        'partnercenter_http_requests_total{method="GET",route="login",status="200"}',
        "partnercenter_http_request_duration_seconds_bucket",
        "partnercenter_http_request_queries_bucket",
        "partnercenter_signin_lockouts",
        "partnercenter_jobs_oldest_queued_seconds",
    ):
        assert name in text, name


@pytest.mark.django_db
def test_metrics_from_an_allowed_network_need_no_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.9.8.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 401


@pytest.mark.django_db
def test_metrics_count_the_listing_cache_and_failed_sign_ins(client, admin_agent, settings):
    from partnercenter.ops.metrics import LISTING_CACHE, SIGNIN_FAILURES

    misses = LISTING_CACHE.labels("miss")._value.get()
    failures = SIGNIN_FAILURES.labels("password")._value.get()
    client.post(reverse("login"), {"username": admin_agent.username, "password": "wrong"})
    client.force_login(admin_agent)
    client.get(reverse("customers:list"))
    assert LISTING_CACHE.labels("miss")._value.get() == misses + 1
    assert SIGNIN_FAILURES.labels("password")._value.get() == failures + 1


# --- JSON logs ------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """Every log line of the test, formatted as LOG_FORMAT=json formats it."""
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    request_logger = logging.getLogger("partnercenter.request")
    old_levels = (root.level, request_logger.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    request_logger.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_levels[0])
    request_logger.setLevel(old_levels[1])


@pytest.mark.django_db
def test_json_lines_parse_carry_the_request_id_and_hold_no_secret(
    client, json_log, make_user, settings, webhook_receiver, run_jobs
):
    """Sign-in with MFA, Add user, New customer, Add webhook, then the jobs they queued
    (emails, webhook deliveries): every line is JSON, each request is logged once with
    its id, each job run and delivery attempt is logged, and no secret appears."""
    from django_otp.plugins.otp_static.models import StaticToken

    from partnercenter.web.sealing import session_secret_take
    from tests.partnercenter.test_mfa import code_for, enrolled

    settings.MFA_REQUIRED = True
    admin = make_user(Role.GLOBAL_ADMIN)
    device = enrolled(admin)
    secrets = {TEST_PASSWORD, device.key}
    secrets |= set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    request_ids = []

    def go(method, url, data=None, **kwargs):
        response = getattr(client, method)(url, data or {}, **kwargs)
        request_ids.append(response["X-Request-ID"])
        return response

    go("post", reverse("login"), {"username": admin.username, "password": TEST_PASSWORD})
    go("post", reverse("mfa_verify"), {"code": code_for(device)})
    added = go(
        "post",
        reverse("users:add"),
        {
            "first_name": "New",
            "last_name": "User",
            "email": "n@x.example",
            "roles": ["Sales agent"],
        },
    )
    secrets.add(
        session_secret_take(client.session, "new_user_passwords", added.url.split("/")[-3]) or ""
    )
    from tests.customers.test_wizard import ACCOUNT

    go("post", reverse("customers:new"), ACCOUNT)
    go("post", reverse("customers:new_agreement"), {"option": "invite"})
    created = go("post", reverse("customers:new_review"))
    page = go("get", created.url)
    secrets.add(page.context["password"])
    hook = go(
        "post",
        reverse("webhooks:list"),
        {"url": webhook_receiver.url, "events": ["customer-created"]},
    )
    secret_page = go("get", hook.url)
    secrets.add(secret_page.context["secret"])
    go("post", reverse("webhooks:test", args=[secret_page.context["endpoint"].pk]))
    webhook_receiver.statuses = [500]  # the first attempt fails, the retry succeeds
    run_jobs(verbosity=1)

    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    requests = [line for line in lines if line["logger"] == "partnercenter.request"]
    assert [line["request_id"] for line in requests] == request_ids, "each request once"
    first = requests[0]
    assert {"route", "method", "status", "duration_ms", "queries", "user_id", "partner_id"} <= set(
        first
    )
    assert requests[-1]["user_id"] == admin.pk and requests[-1]["partner_id"] == admin.partner_id
    attempts = [line for line in lines if line["logger"] == "partnercenter.delivery"]
    assert [(line["delivery"], line["state"]) for line in attempts] == [
        ("webhook", "queued"),
        ("webhook", "sent"),
    ]
    assert attempts[0]["level"] == "WARNING" and attempts[0]["error"] == "HTTP 500"
    assert all(line["attempt"] >= 1 and line["delivery_id"] for line in attempts)
    jobs = [line for line in lines if line["logger"] == "django_tasks"]
    assert any("webhook_deliver" in line["message"] for line in jobs), "job runs are logged"
    text = json_log.getvalue()
    for secret in filter(None, secrets):
        assert secret not in text, "a secret reached the log"


def test_a_token_in_a_path_is_masked_in_any_log_line():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s",
        ("/indirect-providers/authorize/AbCdEf123-secret/",), None,
    )  # fmt: skip
    RedactingFilter().filter(record)
    assert record.getMessage() == "Not Found: /indirect-providers/authorize/[token]/"


# --- The shared cache -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_customers_listing_is_shared_through_redis_and_renewed_by_a_write(
    client, admin_agent, settings, django_capture_on_commit_callbacks
):
    """Another app server (a second cache client) reads the listing one rendered; a
    write renews it for both; the app serves on with Redis stopped."""
    from partnercenter.ops.cache import ResilientRedisCache

    _redis_caches(settings, REDIS)
    caches["pages"].clear()
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__company_name="Shared Listing Co"
    ).customer
    client.force_login(admin_agent)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("customers:list")).content.decode()
    assert "Shared Listing Co" in page
    other_server = ResilientRedisCache(REDIS, {"KEY_PREFIX": "pages"})
    keys = list(other_server._cache.get_client().scan_iter("pages:*customers*"))
    assert keys, "the listing is in Redis, where every app server reads it"
    from agreements.services import acceptance_record

    with django_capture_on_commit_callbacks(execute=True):
        acceptance_record(
            customer=customer,
            user=admin_agent,
            date_agreed=datetime.date(2026, 11, 1),
            first_name="Minji",
            last_name="Kang",
            email="minji@contoso.example",
        )
    assert re.search(
        r"Shared Listing Co.*?Confirmed",
        client.get(reverse("customers:list")).content.decode(),
        re.S,
    )

    _redis_caches(settings, REDIS_DOWN)
    assert client.get(reverse("customers:list")).status_code == 200
