"""Agreement templates (SPEC §4). Acceptance records arrive with the attestation work."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AgreementTemplateQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date):
        """Templates whose agreement type may be accepted on ``day`` (SPEC §4 table)."""
        return self.filter(in_force_from__lte=day).filter(
            Q(accepted_until__isnull=True) | Q(accepted_until__gte=day)
        )

    def current(self, day: datetime.date | None = None):
        """ "The current agreement": the newest version of the newest type in force on ``day``.

        Returns an AgreementTemplate, or None before any agreement was in force.
        ``day`` defaults to today (server date).
        """
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.in_force_on(day).order_by("-in_force_from", "-version_rank").first()


class AgreementTemplate(models.Model):
    """One version of a Microsoft agreement template (Partner Center's agreement metadata)."""

    class AgreementType(models.TextChoices):
        MICROSOFT_CLOUD_AGREEMENT = "MicrosoftCloudAgreement", _("Microsoft Cloud Agreement")
        MICROSOFT_CUSTOMER_AGREEMENT = (
            "MicrosoftCustomerAgreement",
            _("Microsoft Customer Agreement"),
        )

    agreement_type = models.CharField(
        _("agreement type"), max_length=64, choices=AgreementType.choices
    )
    template_id = models.UUIDField(_("templateId"))
    version_rank = models.PositiveIntegerField(_("versionRank"))
    link = models.URLField(_("link"))
    in_force_from = models.DateField(
        _("in force from"), help_text=_("The first date an acceptance of this type may carry.")
    )
    accepted_until = models.DateField(
        _("accepted until"),
        null=True,
        blank=True,
        help_text=_("The last date an acceptance of this type may carry; empty while in force."),
    )

    objects = AgreementTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["agreement_type", "-version_rank"]
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement_type", "version_rank"],
                name="%(app_label)s_%(class)s_unique_version_rank",
            ),
            models.CheckConstraint(
                condition=Q(
                    agreement_type__in=["MicrosoftCloudAgreement", "MicrosoftCustomerAgreement"]
                ),
                name="%(app_label)s_%(class)s_valid_agreement_type",
            ),
            models.CheckConstraint(
                condition=Q(accepted_until__isnull=True)
                | Q(accepted_until__gte=models.F("in_force_from")),
                name="%(app_label)s_%(class)s_accepted_until_after_in_force_from",
            ),
        ]

    def __str__(self):
        return f"{self.get_agreement_type_display()} (versionRank {self.version_rank})"
