"""Outgoing messages: emails and webhook deliveries, sent by the worker."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from partnercenter.tenant.models import Partner


class Delivery(models.Model):
    """What every outgoing message shares: its state, attempts and last error.

    A message is recorded in the same transaction as what caused it, then a
    worker delivers it: ``queued`` → ``sending`` (claimed by one worker) →
    ``sent``, or back to ``queued`` with ``next_attempt_at`` after a failure,
    and ``failed`` after the last attempt (``partnercenter.delivery.outbox``).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "sending", "sent", "failed"]),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=models.Q(state="sent", sent_at__isnull=False)
                | (~models.Q(state="sent") & models.Q(sent_at__isnull=True)),
                name="%(app_label)s_%(class)s_sent_at_iff_sent",
            ),
        ]


class OutboundEmail(Delivery):
    """One email the app sends: recorded first, then sent by a worker.

    ``about_type``/``about_id`` name the record it is about (an invitation, a
    relationship); ``partner`` is the partner whose users may see it and
    select **Resend**. A body carrying a secret (an emailed link's token) is
    kept only sealed (``sealed_body``, Fernet from SECRET_KEY) until sent, and
    ``body`` holds the text with the link left out.
    """

    class Kind(models.TextChoices):
        CUSTOMER_INVITATION = "customer_invitation", _("Reseller relationship request")
        PARTNERSHIP_INVITATION = "partnership_invitation", _("Indirect provider invitation")
        ACCEPTANCE_NOTICE = "acceptance_notice", _("Acceptance notice")
        SECURITY_NOTICE = "security_notice", _("Security notice")
        ADMIN_RELATIONSHIP_REQUEST = "admin_relationship_request", _("Admin relationship request")
        ADMIN_RELATIONSHIP_NOTICE = (
            "admin_relationship_notice",
            _("Admin relationship expiry notice"),
        )

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    sealed_body = models.TextField(_("sealed text"), blank=True, editable=False)
    about_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("about (type)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Room for an admin relationship id: two GUIDs joined by a dash (73 characters).
    about_id = models.CharField(_("about (id)"), max_length=80, blank=True)
    caused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caused by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta(Delivery.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="pc_outboundemail_about_idx"),
            models.Index(fields=["state", "created_at"], name="pc_outboundemail_state_idx"),
        ]

    def __str__(self):
        return f"{self.to_email}: {self.subject} ({self.get_state_display()})"


class WebhookEndpoint(models.Model):
    """A partner's HTTPS address that receives chosen events (Settings → Webhooks).

    ``events`` is a list of event names (``partnercenter.delivery.webhooks.EVENTS``).
    ``sealed_secret`` is the HMAC-SHA256 signing key, sealed with Fernet from
    SECRET_KEY; it is shown to the partner once, when the endpoint is added.
    """

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    sealed_secret = models.TextField(_("signing secret (sealed)"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), db_default=Now())

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.url


class WebhookDelivery(Delivery):
    """One event sent (or to be sent) to one endpoint, with the receiver's answer.

    ``body`` is the exact JSON text signed and posted; ``status_code`` the HTTP
    status of the last attempt (None when no answer came).
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_name = models.CharField(_("event"), max_length=80)
    body = models.TextField(_("body"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)

    class Meta(Delivery.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="pc_webhookdelivery_ep_idx"),
        ]

    def __str__(self):
        return f"{self.event_name} → {self.endpoint} ({self.get_state_display()})"
