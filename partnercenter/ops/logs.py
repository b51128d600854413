"""Structured logs: ``LOG_FORMAT=json`` writes one JSON object per line (python-json-logger).

Logging is configured before Django's apps load, so this module imports no model.

Every line carries the id of the request it belongs to (the ``X-Request-ID`` the
response shows), when there is one. ``RequestTelemetryMiddleware`` logs each request
once — request id, route, method, status, duration in ms, user id, partner id, SQL
query count — and counts it for the metrics. Text stays the default (``make run``).

No secret reaches a line: requests are logged by their route pattern, never their
path (an invitation link's path holds its token), and ``RedactingFilter``
masks the secrets other loggers could print in a path or a message (Django's "Not
Found: /indirect-providers/authorize/<token>/").
"""

import logging
import re
import time

from django.db import connection
from django.utils.functional import empty

from partnercenter.audit.context import request_context
from partnercenter.ops.metrics import LATENCY, QUERIES, REQUESTS

request_logger = logging.getLogger("partnercenter.request")


#: Path segments that are secrets: an invitation link's token.
_SECRET_IN_PATH = re.compile(r"(/authorize/)[^/\s\"']+")


def redact(text: str) -> str:
    """``text`` with the secrets it may hold in a URL path masked."""
    return _SECRET_IN_PATH.sub(r"\1[token]", text)


class RequestIdFilter(logging.Filter):
    """Give every record the current request's id (``request_id``; "" outside one)."""

    def filter(self, record):
        context = request_context()
        record.request_id = str(context.request_id) if context else ""
        return True


class RedactingFilter(logging.Filter):
    """Mask secrets in a record's message and arguments (``redact``)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def _signed_in(request):
    """The request's user when the request already loaded it, else None (no extra query)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", empty)
    if wrapped is empty or wrapped is None or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped


class RequestTelemetryMiddleware:
    """Count each request for the metrics and log it once (see the module docstring).

    Sits just inside the audit context (the request id) and outside everything else, so
    its duration and query count are the request's whole.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match else "unmatched"
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        LATENCY.labels(route).observe(seconds)
        QUERIES.labels(route).observe(queries)
        user = _signed_in(request)
        request_logger.info(
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "route": route,
                "path_pattern": match.route if match else "",
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "queries": queries,
                "user_id": user.pk if user else None,
                "partner_id": getattr(user, "partner_id", None) if user else None,
            },
        )
        return response
