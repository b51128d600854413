"""Pages of no one package: the start page, the CSRF, 500 and 503 pages, the benchmarks' bare view."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import (
    HttpResponse,
    HttpResponseForbidden,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static

from partnercenter.web.pages import safe_next


def home(request):
    """Partner users start on **Customers**; back-office staff (no partner) in Django admin."""
    if request.user.partner_id is None and request.user.is_staff:
        return redirect("admin:index")
    return redirect("customers:list")


@login_not_required
def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a translated, styled 403 that says what happened and what to
    do (typically a form left open past sign-out, or cookies cleared), with a way back to
    the page the form came from. Reads no user or session; ``reason`` (Django's English
    diagnosis) is logged by Django, not shown."""
    back = safe_next(request, request.path if request.method == "POST" else "/", "/")
    return HttpResponseForbidden(render_to_string("403_csrf.html", {"back": back}, request=None))


@login_not_required
def server_error(request):
    """``handler500``: the 503 page while the database is unreachable, else the 500 page.

    Neither page touches the database (no user, session or context processor),
    so both render during an outage. An OperationalError or InterfaceError here
    means the database went away, refused the connection or stayed locked: the user is told to try again in a
    minute, with ``Retry-After``; the app recovers by itself when it is back,
    since every request starts with a connection check (CONN_HEALTH_CHECKS).
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(render_to_string("500.html"))


def benchmark_bare(request):
    """The benchmarks' baseline: a signed-in request through every middleware, no page.

    Routed only when settings.BENCHMARK_VIEWS is on (benchmarks/throughput.py).
    """
    return HttpResponse(f"signed in as {request.user.pk}", content_type="text/plain")


@login_not_required
def favicon(request):
    """``/favicon.ico``, which browsers ask for on pages naming no icon: the app's icon.
    Resolved per request, as the static files' names are only known after collectstatic."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
