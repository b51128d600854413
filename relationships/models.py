"""Reseller relationships and indirect partnerships (SPEC §5)."""

from django.core.exceptions import ValidationError
from django.db import models
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
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
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
