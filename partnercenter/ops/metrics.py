"""Prometheus metrics at ``/metrics`` (prometheus-client).

Counted in the process that sees them: requests by route name, method and status, with
a latency histogram and the number of SQL queries each took; the Customers page's
listing cache, hits and misses; failed sign-ins by reason. Under gunicorn with several
workers, set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory) and start gunicorn with
``-c python:partnercenter.ops.gunicorn_conf``: each worker writes its counts there and
a scrape adds them up, whichever worker answers it.

Read from the database when scraped (the same at any worker): background jobs by queue
and state and the age of the oldest waiting one, outgoing emails and webhook deliveries
by state, and the sign-in lockouts in force.

``/metrics`` answers only with ``Authorization: Bearer <METRICS_TOKEN>`` or from an
address in ``METRICS_ALLOWED_NETWORKS``; with neither set it doesn't exist (404).
"""

import hmac
import ipaddress
import os

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from partnercenter.signin.client import client_ip

#: Where the metrics answer.
PATH = "/metrics"

REQUESTS = Counter(
    "partnercenter_http_requests_total",
    "HTTP requests answered, by route name, method and status code.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "partnercenter_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUERIES = Histogram(
    "partnercenter_http_request_queries",
    "SQL queries one HTTP request ran, by route name.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
LISTING_CACHE = Counter(
    "partnercenter_listing_cache_total",
    "The Customers page's cached listing, read: hit or miss.",
    ["result"],
)
API_REQUESTS = Counter(
    "partnercenter_api_requests_total",
    "REST API calls answered, by API token id (empty: no valid token) and status code.",
    ["token", "status"],
)
API_THROTTLED = Counter(
    "partnercenter_api_throttled_total",
    "REST API calls refused with 429, by API token id and the limit hit (token, partner).",
    ["token", "scope"],
)
SIGNIN_FAILURES = Counter(
    "partnercenter_signin_failures_total",
    "Failed sign-ins, by reason (password, second_factor).",
    ["reason"],
)


class DatabaseCollector:
    """Gauges read from the database at each scrape (see the module docstring)."""

    def collect(self):
        from axes.models import AccessAttempt
        from django_tasks_db.models import DBTaskResult

        from partnercenter.models import OutboundEmail, WebhookDelivery

        now = timezone.now()
        jobs = GaugeMetricFamily(
            "partnercenter_jobs", "Background jobs by queue and state.", labels=["queue", "state"]
        )
        for row in DBTaskResult.objects.values("queue_name", "status").annotate(n=Count("id")):
            jobs.add_metric([row["queue_name"], row["status"].lower()], row["n"])
        yield jobs
        oldest = GaugeMetricFamily(
            "partnercenter_jobs_oldest_queued_seconds",
            "Age of the oldest job waiting to run, by queue (0 when none waits).",
            labels=["queue"],
        )
        waiting = DBTaskResult.objects.ready().values("queue_name").annotate(at=Min("enqueued_at"))
        for row in waiting:
            oldest.add_metric([row["queue_name"]], (now - row["at"]).total_seconds())
        yield oldest
        for name, model, text in (
            ("partnercenter_outbox_emails", OutboundEmail, "Outgoing emails by state."),
            ("partnercenter_webhook_deliveries", WebhookDelivery, "Webhook deliveries by state."),
        ):
            family = GaugeMetricFamily(name, text, labels=["state"])
            for row in model.objects.values("state").annotate(n=Count("id")):
                family.add_metric([row["state"]], row["n"])
            yield family
        since = now - settings.AXES_COOLOFF_TIME
        lockouts = AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).count()
        yield GaugeMetricFamily(
            "partnercenter_signin_lockouts", "Sign-in lockouts in force.", value=lockouts
        )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # every worker's counts, added up
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    if not getattr(registry, "_partnercenter_database", False):
        registry.register(DatabaseCollector())
        registry._partnercenter_database = True
    return registry


def allowed(request) -> bool | None:
    """Whether ``request`` may read the metrics; None when the metrics are off."""
    token, networks = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return None
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if address and networks:
        ip = ipaddress.ip_address(address)
        return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)
    return False


def metrics_response(request) -> HttpResponse:
    """The metrics in Prometheus' text format, or 401/404 (see ``allowed``)."""
    verdict = allowed(request)
    if verdict is None:
        return HttpResponse(status=404)
    if not verdict:
        response = HttpResponse("Metrics need a bearer token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
