"""Once per form key: idempotent create-or-send POSTs (docs/qualities.md, Integrity)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from partnercenter.models import Submission, User


class AlreadySubmitted(Exception):
    """The form's key was used before: ``submission`` says where its result is."""

    def __init__(self, submission: Submission):
        super().__init__(str(submission.key))
        self.submission = submission


def submission_key(value) -> uuid.UUID:
    """``value`` (a form's hidden key) as a UUID, or a fresh one when missing or malformed.

    A fresh key means the request is treated as new: only forms we rendered
    carry a key, and a tampered one can't reach anybody else's result.
    """
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return uuid.uuid4()


def submission_find(*, user: User, key) -> Submission | None:
    """The user's earlier submission with form key ``key``, or None."""
    try:
        key = uuid.UUID(str(key))
    except (TypeError, ValueError, AttributeError):
        return None
    return Submission.objects.filter(key=key, user=user).first()


@contextmanager
def submission_once(*, user: User, key) -> Iterator[Submission]:
    """Do the body once per form key: idempotent POSTs (docs/qualities.md, Integrity).

    Views reach it through ``partnercenter.web.pages.submit_once``; directly::

        with submission_once(user=request.user, key=request.POST.get("submission_key")) as once:
            thing = thing_create(...)
            once.result_url, once.message = reverse(...), _("... was created.")

    The key is inserted first, in the same transaction as the body: a second
    request with the same key waits on the unique index until the first
    commits, then raises AlreadySubmitted carrying the first one's result page
    and message. If the first one failed (a ValidationError rolled it back),
    the key is free again and the second request runs as new. Keys belong to
    one user; another user's key counts as no key.
    """
    key = submission_key(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(key=key, user=user)
        except IntegrityError:
            done = Submission.objects.filter(key=key, user=user).first()
            if done is None:
                key = uuid.uuid4()
                submission = Submission.objects.create(key=key, user=user)
            else:
                raise AlreadySubmitted(done) from None
        yield submission
        submission.save(update_fields=["result_url", "message"])
