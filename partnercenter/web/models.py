"""Form keys that make a create-or-send POST happen once (docs/qualities.md, Integrity)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One user action that created or sent something, by its one-time form key.

    Every form that creates or sends carries a fresh ``key`` (a hidden field).
    The view records the key in the same transaction as what it creates, under
    a unique constraint, so a double-click, a resubmitted tab or a retried
    request finds the key taken and lands on the first one's ``result_url``
    instead of doing it again (``partnercenter.web.submissions.submission_once``).
    """

    key = models.UUIDField(_("form key"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    result_url = models.CharField(_("result page"), max_length=500, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=Now())

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"{self.key} → {self.result_url}"
