"""Reseller relationships, indirect partnerships and GDAP admin relationships (docs/relationships.md)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Partner


class ResellerRelationship(models.Model):
    """A partner's reseller relationship with a customer, maybe through an indirect provider."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed")

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="reseller_relationships",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="reseller_relationships",
    )
    indirect_provider = models.ForeignKey(
        Partner,
        verbose_name=_("indirect provider"),
        on_delete=models.PROTECT,
        related_name="provided_reseller_relationships",
        null=True,
        blank=True,
        help_text=_("Set when an indirect reseller serves the customer through this provider."),
    )

    class Source(models.TextChoices):
        CREATED_CUSTOMER = "created_customer", _("Created the customer")
        INVITATION = "invitation", _("Customer accepted an invitation")

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    source = models.CharField(
        _("established by"), max_length=32, choices=Source.choices, default=Source.CREATED_CUSTOMER
    )
    delegated_admin = models.BooleanField(
        _("delegated admin privileges"),
        default=False,
        help_text=_("Granted when the customer accepted an invitation that asked for them."),
    )
    since = models.DateTimeField(_("since"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        verbose_name = _("reseller relationship")
        verbose_name_plural = _("reseller relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"],
                condition=models.Q(state="active"),
                name="%(app_label)s_%(class)s_one_active_per_partner_and_customer",
                violation_error_message=_(
                    "This partner already has an active relationship with this customer."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "active", "removed"]),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=models.Q(state="removed", removed_at__isnull=False)
                | (~models.Q(state="removed") & models.Q(removed_at__isnull=True)),
                name="%(app_label)s_%(class)s_removed_at_iff_removed",
            ),
            models.CheckConstraint(
                condition=~models.Q(indirect_provider=models.F("partner")),
                name="%(app_label)s_%(class)s_provider_is_not_partner",
            ),
        ]
        indexes = [
            # "Which active relationships does this customer have?" — the Customers page asks per row.
            models.Index(
                fields=["customer", "partner"],
                condition=models.Q(state="active"),
                name="rel_active_by_customer",
            ),
            models.Index(
                fields=["indirect_provider", "customer"],
                condition=models.Q(state="active"),
                name="rel_active_by_provider",
            ),
        ]

    def __str__(self):
        return f"{self.partner} → {self.customer} ({self.get_state_display()})"

    def clean(self):
        if self.indirect_provider_id is not None:
            if not self.indirect_provider.is_indirect_provider:
                raise ValidationError(
                    {"indirect_provider": _("This partner is not an indirect provider.")}
                )
            if self.partner_id and not self.partner.is_indirect_reseller:
                raise ValidationError(
                    {"partner": _("Only an indirect reseller works through an indirect provider.")}
                )

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class IndirectPartnership(models.Model):
    """An indirect provider's partnership with an indirect reseller (seed 004)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    provider = models.ForeignKey(
        Partner,
        verbose_name=_("indirect provider"),
        on_delete=models.PROTECT,
        related_name="reseller_partnerships",
    )
    reseller = models.ForeignKey(
        Partner,
        verbose_name=_("indirect reseller"),
        on_delete=models.PROTECT,
        related_name="provider_partnerships",
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    since = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        verbose_name = _("indirect partnership")
        verbose_name_plural = _("indirect partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reseller"],
                condition=models.Q(state="active"),
                name="%(app_label)s_%(class)s_one_active_per_pair",
                violation_error_message=_("These partners already have an active partnership."),
            ),
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("reseller")),
                name="%(app_label)s_%(class)s_provider_is_not_reseller",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["active", "ended"]),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=models.Q(state="ended", ended_at__isnull=False)
                | models.Q(state="active", ended_at__isnull=True),
                name="%(app_label)s_%(class)s_ended_at_iff_ended",
            ),
        ]

    def __str__(self):
        return f"{self.provider} ↔ {self.reseller}"

    def clean(self):
        errors = {}
        if self.provider_id and not self.provider.is_indirect_provider:
            errors["provider"] = _("This partner is not an indirect provider.")
        if self.reseller_id and not self.reseller.is_indirect_reseller:
            errors["reseller"] = _("This partner is not an indirect reseller.")
        if errors:
            raise ValidationError(errors)


class Invitation(models.Model):
    """A sent invitation email asking a customer to accept a reseller relationship (docs/relationships.md)."""

    class Kind(models.TextChoices):
        RESELLER = "ResellerRelationship", _("Reseller relationship")
        INDIRECT_RESELLER = "IndirectResellerRelationship", _("Indirect reseller and provider")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="invitations"
    )
    indirect_provider = models.ForeignKey(
        Partner,
        verbose_name=_("indirect provider"),
        on_delete=models.PROTECT,
        related_name="provider_invitations",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    delegated_admin = models.BooleanField(_("delegated admin privileges requested"), default=False)
    to_email = models.EmailField(_("sent to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    url = models.URLField(_("invitation link"), max_length=1000)
    sent_by = models.ForeignKey(
        "partnercenter.User", verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="ResellerRelationship", indirect_provider__isnull=True)
                | models.Q(kind="IndirectResellerRelationship", indirect_provider__isnull=False),
                name="%(app_label)s_%(class)s_provider_iff_indirect",
            ),
        ]

    def __str__(self):
        return f"{self.partner} → {self.to_email} ({self.sent_at:%Y-%m-%d})"


class PartnershipInvitation(models.Model):
    """An indirect provider's emailed invitation to an indirect reseller (seed 004)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")

    provider = models.ForeignKey(
        Partner, verbose_name=_("indirect provider"), on_delete=models.PROTECT, related_name="+"
    )
    reseller = models.ForeignKey(
        Partner, verbose_name=_("indirect reseller"), on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("sent to"))
    # Only the SHA-256 of the emailed link's token is kept (partnercenter.web.sealing.token_digest):
    # a copy of the database can't authorize anything.
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    sent_by = models.ForeignKey(
        "partnercenter.User", verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("expires at"), help_text=_("The link stops working then; the provider can resend it.")
    )
    accepted_by = models.ForeignKey(
        "partnercenter.User",
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("partnership invitation")
        verbose_name_plural = _("partnership invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "accepted", "expired"]),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "expired"], accepted_at__isnull=True)
                | models.Q(state="accepted", accepted_at__isnull=False),
                name="%(app_label)s_%(class)s_accepted_at_iff_accepted",
            ),
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("reseller")),
                name="%(app_label)s_%(class)s_provider_is_not_reseller",
            ),
        ]

    def __str__(self):
        return f"{self.provider} → {self.reseller} ({self.get_state_display()})"

    @property
    def is_pending(self) -> bool:
        """Not accepted yet (pending, or expired and waiting for **Resend**)."""
        return self.state != self.State.ACCEPTED

    @property
    def is_expired(self) -> bool:
        """Past ``expires_at`` (settings.INVITATION_EXPIRY_DAYS) and not accepted.

        The scheduled ``expire-invitations`` job sets ``state`` to ``expired``;
        until it runs, the time alone decides.
        """
        return self.state == self.State.EXPIRED or (
            self.state == self.State.PENDING and self.expires_at <= timezone.now()
        )


# --- GDAP: granular delegated admin privileges (docs/relationships.md) -----------------


def admin_relationship_id() -> str:
    """Partner Center's form of an admin relationship id: two GUIDs joined by a dash."""
    return f"{uuid.uuid4()}-{uuid.uuid4()}"


class SecurityGroup(models.Model):
    """A partner's security group: a named set of its own users that an access assignment
    gives some of an admin relationship's roles (Settings → **Security groups**)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="security_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        "partnercenter.User", verbose_name=_("members"), related_name="security_groups", blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = [Lower("name"), "id"]
        verbose_name = _("security group")
        verbose_name_plural = _("security groups")
        constraints = [
            models.UniqueConstraint(
                "partner",
                Lower("name"),
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("Your organization already has a group with this name."),
            )
        ]

    def __str__(self):
        return self.name


class AdminRelationship(models.Model):
    """A GDAP admin relationship (Microsoft Graph's ``delegatedAdminRelationship``): the
    Microsoft Entra roles a partner asks of a customer, for a number of days, approved
    by the customer's admin. Kept for the record when it ends (terminated, expired).

    ``roles`` holds role template ids (``relationships.entraroles``). ``end_at`` is
    ``activated_at`` + ``duration_days`` (rule G4), moved on by ``auto_extend_days`` (0 or
    180) at each renewal. ``version`` is the ETag: it changes with every write. Rules
    G1–G9 are in docs/relationships.md.
    """

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        APPROVAL_PENDING = "approvalPending", _("Approval pending")
        APPROVED = "approved", _("Approved")
        ACTIVATING = "activating", _("Activating")
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Expiring")
        EXPIRED = "expired", _("Expired")
        TERMINATION_REQUESTED = "terminationRequested", _("Termination requested")
        TERMINATING = "terminating", _("Terminating")
        TERMINATED = "terminated", _("Terminated")

    id = models.CharField(
        primary_key=True, max_length=73, default=admin_relationship_id, editable=False
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="admin_relationships",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="admin_relationships",
        null=True,
        blank=True,
    )
    #: The tenant a request without a listed customer is for; the approval fills ``customer``.
    customer_tenant_id = models.UUIDField(_("customer tenant ID"), null=True, blank=True)
    customer_display_name = models.CharField(_("customer name"), max_length=255, blank=True)
    display_name = models.CharField(_("name"), max_length=50)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"))
    auto_extend_days = models.PositiveSmallIntegerField(_("auto-extend (days)"), default=0)
    roles = models.JSONField(_("Microsoft Entra roles"), default=list)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.CREATED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_modified_at = models.DateTimeField(_("last modified"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    end_at = models.DateTimeField(_("ends"), null=True, blank=True)
    created_by = models.ForeignKey(
        "partnercenter.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_by = models.ForeignKey(
        "partnercenter.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    #: The last "expires in n days" notice sent for the current end date (30, 7, 1; 0: none).
    notice_days = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("admin relationship")
        verbose_name_plural = _("admin relationships")
        constraints = [
            models.UniqueConstraint(
                "partner",
                Lower("display_name"),
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "Your organization already has an admin relationship with this name."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(duration_days__gte=1, duration_days__lte=730),
                name="%(app_label)s_%(class)s_duration_1_to_730_days",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_extend_days__in=[0, 180]),
                name="%(app_label)s_%(class)s_auto_extend_0_or_180",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "-created_at", "id"], name="gdap_partner_list"),
            models.Index(fields=["partner", "status", "end_at"], name="gdap_partner_status_end"),
            models.Index(fields=["customer", "status"], name="gdap_customer_status"),
            models.Index(fields=["status", "end_at"], name="gdap_status_end"),
            models.Index(fields=["status", "created_at"], name="gdap_status_created"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def etag(self) -> str:
        """The ETag Microsoft Graph sends (``@odata.etag``) and ``If-Match`` must match."""
        return f'W/"{self.version}"'

    @property
    def duration(self) -> str:
        """ISO 8601, as Graph writes it: ``P730D``."""
        return f"P{self.duration_days}D"

    @property
    def auto_extend_duration(self) -> str:
        return f"P{self.auto_extend_days}D"


class AccessAssignment(models.Model):
    """An admin relationship's roles given to one of the partner's security groups
    (Graph's ``delegatedAdminAccessAssignment``): a subset of the roles the customer
    approved (rule G7)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        DELETING = "deleting", _("Deleting")
        DELETED = "deleted", _("Deleted")
        ERROR = "error", _("Error")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    relationship = models.ForeignKey(
        AdminRelationship,
        verbose_name=_("admin relationship"),
        on_delete=models.PROTECT,
        related_name="access_assignments",
    )
    security_group = models.ForeignKey(
        SecurityGroup, verbose_name=_("security group"), on_delete=models.PROTECT, related_name="+"
    )
    roles = models.JSONField(_("Microsoft Entra roles"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_modified_at = models.DateTimeField(_("last modified"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("access assignment")
        verbose_name_plural = _("access assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "security_group"],
                condition=models.Q(status__in=["pending", "active"]),
                name="%(app_label)s_%(class)s_one_live_per_group",
                violation_error_message=_(
                    "This security group already has an access assignment here."
                ),
            )
        ]

    def __str__(self):
        return f"{self.security_group} → {self.relationship}"

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'
