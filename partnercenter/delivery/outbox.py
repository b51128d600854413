"""The outbox: every email recorded with what caused it, then sent by a worker.

A service calls ``email_enqueue`` inside its own transaction: the email row
and its job (a django-tasks row) commit with the invitation or acceptance, or
vanish with it on rollback. A worker (``manage.py worker``) claims the row,
sends it through Django's email backend, and records the result; a failure is
retried with exponential backoff (``RETRY_BASE_SECONDS`` × 2ⁿ) until
``EMAIL_MAX_ATTEMPTS``, then the email is ``failed`` with the error, and a
user may select **Resend**. A mail server that is down never reaches the web
request. ``delivery_claim``/``delivery_finish`` are shared with webhooks.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from partnercenter.models import Delivery, OutboundEmail, Partner, User
from partnercenter.web.sealing import secret_open, secret_seal

logger = logging.getLogger("partnercenter.delivery")

#: Stands in for an emailed link's secret in the stored (readable) copy of a body.
LINK_HIDDEN = "[link not stored]"


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: RETRY_BASE_SECONDS × 2^(attempts − 1)."""
    return timedelta(seconds=settings.RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def error_text(exc: BaseException) -> str:
    """A one-line description of ``exc`` for ``last_error`` (at most 1000 characters)."""
    return f"{type(exc).__name__}: {exc}"[:1000]


def delivery_claim(model: type[Delivery], pk: int) -> Delivery | None:
    """Claim a queued, due message for this worker: ``queued`` → ``sending``, attempts + 1.

    Returns None when the row is gone, not queued (sent, failed, or claimed
    by another worker) or not yet due, so a job that runs twice sends once.
    """
    with transaction.atomic():
        item = model.objects.select_for_update().filter(pk=pk).first()
        now = timezone.now()
        if item is None or item.state != Delivery.State.QUEUED:
            return None
        if item.next_attempt_at is not None and item.next_attempt_at > now:
            return None
        item.state = Delivery.State.SENDING
        item.claimed_at = now
        item.attempts += 1
        item.save(update_fields=["state", "claimed_at", "attempts"])
    return item


def delivery_finish(
    item: Delivery,
    *,
    error: str | None,
    max_attempts: int,
    retry: Callable[[int, datetime], object],
    fields: tuple[str, ...] = (),
) -> Delivery:
    """Record the outcome of one attempt on a claimed ``item``.

    ``error`` None means delivered (``sent``). Otherwise the item is queued
    again after ``backoff(attempts)`` — ``retry(pk, run_after)`` enqueues the
    job — or, after ``max_attempts``, left ``failed``. ``fields`` names extra
    fields the caller set on ``item`` to save with it. Each attempt is logged once
    (``partnercenter.delivery``: kind, id, attempt, state, error; a warning unless sent).
    """
    now = timezone.now()
    item.claimed_at = None
    if error is None:
        item.state, item.sent_at, item.next_attempt_at = Delivery.State.SENT, now, None
        item.last_error = ""
    elif item.attempts >= max_attempts:
        item.state, item.next_attempt_at, item.last_error = Delivery.State.FAILED, None, error
    else:
        item.state, item.last_error = Delivery.State.QUEUED, error
        item.next_attempt_at = now + backoff(item.attempts)
    with transaction.atomic():
        item.save(
            update_fields=[
                "state",
                "sent_at",
                "next_attempt_at",
                "last_error",
                "claimed_at",
                *fields,
            ]
        )
        if item.state == Delivery.State.QUEUED:
            retry(item.pk, item.next_attempt_at)
    kind = "email" if isinstance(item, OutboundEmail) else "webhook"
    (logger.info if error is None else logger.warning)(
        "%s %s, attempt %s: %s%s",
        kind,
        item.pk,
        item.attempts,
        item.state,
        f" ({error})" if error else "",
        extra={
            "delivery": kind,
            "delivery_id": item.pk,
            "attempt": item.attempts,
            "state": item.state,
            "error": error or "",
        },
    )
    return item


def delivery_requeue(item: Delivery, *, enqueue: Callable[[int], object]) -> Delivery:
    """Put a failed ``item`` back in the queue for a fresh set of attempts (**Resend**).

    Raises ValidationError unless it is ``failed``. Call inside a transaction
    holding the row lock.
    """
    if item.state != Delivery.State.FAILED:
        raise ValidationError(_("Only a message that failed can be sent again."))
    item.state, item.attempts, item.next_attempt_at = Delivery.State.QUEUED, 0, None
    item.save(update_fields=["state", "attempts", "next_attempt_at"])
    enqueue(item.pk)
    return item


def deliveries_requeue_stuck(model: type[Delivery], *, enqueue: Callable[[int], object]) -> int:
    """Queue again the ``sending`` items whose worker died mid-attempt.

    An item claimed more than ``DELIVERY_STUCK_MINUTES`` ago without an
    outcome is queued for another attempt (it may have left: a mail server
    gives no way to ask). Returns how many.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.DELIVERY_STUCK_MINUTES)
    count = 0
    with transaction.atomic():
        for item in model.objects.select_for_update(skip_locked=True).filter(
            state=Delivery.State.SENDING, claimed_at__lt=cutoff
        ):
            item.state, item.claimed_at = Delivery.State.QUEUED, None
            item.save(update_fields=["state", "claimed_at"])
            enqueue(item.pk)
            count += 1
    return count


# --- Email -----------------------------------------------------------------------------


def email_enqueue(
    *,
    kind: str,
    to_email: str,
    subject: str,
    body: str,
    about: models.Model | None = None,
    caused_by: User | None = None,
    partner: Partner | None = None,
    secret: str | None = None,
) -> OutboundEmail:
    """Record an email and its delivery job in the caller's transaction.

    ``kind`` is an ``OutboundEmail.Kind``; ``about`` the record the email is
    about; ``partner`` the partner whose users see its state. ``secret`` is a
    part of ``body`` (an emailed link carrying a token) that must not be kept
    readable: the body is then stored sealed, and ``body`` keeps a copy with
    ``secret`` replaced. Returns the saved ``OutboundEmail`` (``queued``).
    """
    email = OutboundEmail(
        kind=kind,
        to_email=to_email,
        subject=" ".join(subject.split())[:255],
        body=body,
        partner=partner,
        caused_by=caused_by,
    )
    if secret:
        email.sealed_body = secret_seal(body)
        email.body = body.replace(secret, LINK_HIDDEN)
    if about is not None:
        email.about_type = ContentType.objects.get_for_model(about)
        email.about_id = str(about.pk)
    email.save()
    email_deliver.enqueue(email.pk)
    return email


def notice_enqueue(
    *,
    recipients,
    partner: Partner,
    about: models.Model,
    subject,
    template: str,
    context: dict,
    params: dict,
) -> list[OutboundEmail]:
    """Queue one acceptance notice per distinct active recipient, in each one's language.

    ``subject`` is a lazy string formatted with ``params``; ``template`` a text
    template rendered with ``context`` plus ``recipient``. Users without an
    email address are skipped. Returns the queued emails.
    """
    queued, seen = [], set()
    for recipient in recipients:
        if recipient is None or recipient.pk in seen or not recipient.is_active:
            continue
        seen.add(recipient.pk)
        if not recipient.email:
            continue
        with translation.override(recipient.language):
            queued.append(
                email_enqueue(
                    kind=OutboundEmail.Kind.ACCEPTANCE_NOTICE,
                    to_email=recipient.email,
                    subject=str(subject) % params,
                    body=render_to_string(template, {**context, "recipient": recipient}),
                    about=about,
                    partner=partner,
                )
            )
    return queued


def _email_retry(pk: int, run_after) -> None:
    email_deliver.using(run_after=run_after).enqueue(pk)


@task()
def email_deliver(email_id: int) -> str:
    """The job: send one queued email through ``settings.EMAIL_BACKEND``.

    Returns the state it left the email in ("sent", "queued" for a retry,
    "failed", or "skipped" when it wasn't queued and due).
    """
    email = delivery_claim(OutboundEmail, email_id)
    if email is None:
        return "skipped"
    error = None
    try:
        body = email.body
        if email.sealed_body:
            body = secret_open(email.sealed_body, forever=True)
            if body is None:
                raise ValueError("The sealed text can't be opened (was SECRET_KEY changed?).")
        message = EmailMessage(
            email.subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [email.to_email],
            connection=get_connection(fail_silently=False),
        )
        message.send()
    except Exception as exc:  # any failure of the mail server is recorded, never raised
        error = error_text(exc)
    fields = ()
    if error is None and email.sealed_body:
        email.sealed_body = ""
        fields = ("sealed_body",)
    delivery_finish(
        email,
        error=error,
        max_attempts=settings.EMAIL_MAX_ATTEMPTS,
        retry=_email_retry,
        fields=fields,
    )
    return email.state


@transaction.atomic
def email_resend(*, email: OutboundEmail) -> OutboundEmail:
    """**Resend** a failed email: queued again for a fresh set of attempts.

    The caller has checked the user may (``partnercenter.tenant.access.
    outbound_email_get_for_user``). Raises ValidationError unless it failed.
    """
    email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
    return delivery_requeue(email, enqueue=email_deliver.enqueue)


def emails_requeue_stuck() -> int:
    """``deliveries_requeue_stuck`` for emails. Returns how many."""
    return deliveries_requeue_stuck(OutboundEmail, enqueue=email_deliver.enqueue)
