"""API tokens and the answers kept for ``MS-RequestId`` replay (docs/api.md)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_digest(secret: str) -> str:
    """SHA-256 of a token, hex: what is stored and looked up (the token has 256 random
    bits, so a fast hash is enough; nobody can guess back from it)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API, made by a partner user under **App management**.

    It acts as ``user`` with the roles the user holds at call time (rule T1). The
    token itself is shown once; only ``digest`` (``token_digest``) and the first
    characters (``prefix``) are kept. ``expires_at`` is at most a year after
    ``created_at`` (rule T2); a revoked or expired token answers 401 (rule T3).
    """

    partner = models.ForeignKey(
        "partnercenter.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("begins with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    #: Set by the daily job once the expiry is on the activity log.
    expiry_recorded = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="api_token_partner_created"),
            models.Index(fields=["expiry_recorded", "expires_at"], name="api_token_expiry"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        """Neither revoked nor expired, and its user still active."""
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active


class ApiRequest(models.Model):
    """The first answer to a write made with an ``MS-RequestId`` header, per token, kept
    ``API_REQUEST_ID_HOURS`` (24) so a retry gets it again instead of writing twice
    (rule T5). ``fingerprint`` is the SHA-256 of method, path and body: a different
    request under the same id is refused. ``status`` 0 while the first call runs."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "request_id"], name="api_request_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="api_request_created")]

    def __str__(self):
        return f"{self.request_id} ({self.status or 'running'})"
