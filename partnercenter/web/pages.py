"""Helpers every page may use: once-only submissions, a safe ``next`` address."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from partnercenter.models import Submission
from partnercenter.web.submissions import AlreadySubmitted, submission_find, submission_once

#: The hidden field every create-or-send form carries (templates/includes/submission_key.html).
SUBMISSION_KEY = "submission_key"


def _result(request, submission: Submission):
    if submission.message:
        messages.success(request, submission.message)
    return redirect(submission.result_url)


def submit_once(request, action):
    """Run ``action()`` once per form key and redirect to its result (docs/qualities.md, Integrity).

    ``action`` calls the service and returns ``(result_url, message)``; its
    ValidationError, PermissionDenied or other exceptions propagate, and then
    nothing is recorded. A double-click, resubmitted tab or retried request
    with the same key gets the first request's redirect and message instead of
    a second record or email (``partnercenter.web.submissions.submission_once``).
    """
    try:
        with submission_once(user=request.user, key=request.POST.get(SUBMISSION_KEY)) as once:
            once.result_url, message = action()
            once.message = str(message or "")
    except AlreadySubmitted as done:
        once = done.submission
    return _result(request, once)


def replayed(request):
    """The first result of this POST's form key, if it was already submitted; else None.

    For views that look objects up before acting (a removed user, an ended
    partnership): the repeat lands where the first one did, not on a 404.
    """
    if request.method != "POST":
        return None
    done = submission_find(user=request.user, key=request.POST.get(SUBMISSION_KEY))
    return _result(request, done) if done else None


def safe_next(request, target: str | None, default: str) -> str:
    """``target`` when it leads to this site, else ``default`` (open redirects refused).

    Django's ``url_has_allowed_host_and_scheme`` with this request's host, requiring
    https when the request came over https. ``target`` is a path or URL from the
    request (``next``); ``default`` a path the caller trusts.
    """
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def next_or(request, default: str) -> str:
    """The request's ``next`` (posted, else in the query) when it is safe, else ``default``."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)
