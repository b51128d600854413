"""Health probes for a load balancer or Kubernetes: ``/healthz`` and ``/readyz``.

``/healthz`` (liveness) says the process answers: it touches nothing, not even the
database, so a database outage never restarts healthy app servers. ``/readyz``
(readiness) says this server should get traffic: the database answers, every migration
is applied, each shared cache (Redis) answers, and a worker's heartbeat is recent —
200 with ``{"status": "ready"}``, or 503 with the list of what failed.

``HealthProbeMiddleware`` answers both first in ``MIDDLEWARE``: before the host check
(a balancer probes by address, not by ``ALLOWED_HOSTS`` name), the HTTPS redirect, the
session (a probe writes no session row), CSRF, sign-in and MFA, and the audit context
(a probe writes no audit event). Responses are never cached.
"""

import json
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.utils import timezone

from partnercenter.models import WorkerHeartbeat
from partnercenter.ops import metrics

logger = logging.getLogger("partnercenter.health")

#: Where the probes answer.
LIVENESS, READINESS = "/healthz", "/readyz"
_REDIS = "django.core.cache.backends.redis.RedisCache"
_migrations_applied = False  # once all are applied, a running process stays so


def _database() -> list[str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure to answer means not ready
        return [f"database: {type(exc).__name__}"]
    return []


def _migrations() -> list[str]:
    global _migrations_applied
    if _migrations_applied:
        return []
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return [f"migrations: {type(exc).__name__}"]
    if unapplied:
        return [f"migrations: {len(unapplied)} not applied"]
    _migrations_applied = True
    return []


def _caches() -> list[str]:
    problems = []
    for alias, config in settings.CACHES.items():
        backend = config["BACKEND"]
        if not (backend == _REDIS or backend.endswith("ResilientRedisCache")):
            continue  # per-process memory: nothing to reach
        try:
            caches[alias].ping()
        except Exception as exc:
            problems.append(f"cache {alias}: {type(exc).__name__}")
    return problems


def _worker() -> list[str]:
    limit = settings.WORKER_HEARTBEAT_MAX_SECONDS
    if not limit:
        return []
    since = timezone.now() - timezone.timedelta(seconds=limit)
    if WorkerHeartbeat.objects.filter(beat_at__gte=since).exists():
        return []
    return [f"worker: no heartbeat in the last {limit} s"]


def readiness_problems() -> list[str]:
    """What keeps this server from taking traffic, as short sentences ([] when ready).

    Without a database the migrations can't be checked, and without them the worker's
    heartbeat: they aren't."""
    problems = _database()
    if not problems:
        problems += _migrations()
    if not problems:  # the heartbeat's table may be one of the missing migrations
        problems += _worker()
    return problems + _caches()


def _answer(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthProbeMiddleware:
    """Answer ``GET``/``HEAD`` ``/healthz`` and ``/readyz``, and ``/metrics``
    (``partnercenter.ops.metrics``), before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == metrics.PATH:  # its own guard: a token or an allowed network
            return metrics.metrics_response(request)
        if request.method in ("GET", "HEAD") and request.path in (LIVENESS, READINESS):
            if request.path == LIVENESS:
                return _answer(200, {"status": "alive"})
            problems = readiness_problems()
            if problems:
                logger.warning("Not ready: %s", "; ".join(problems))
                return _answer(503, {"status": "not ready", "problems": problems})
            return _answer(200, {"status": "ready"})
        return self.get_response(request)
