"""Agreement templates, their documents, and acceptance records (SPEC §4)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


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

    @property
    def is_customer_agreement(self) -> bool:
        return self.agreement_type == self.AgreementType.MICROSOFT_CUSTOMER_AGREEMENT

    def document_url(self, *, country: str = "US", language: str = "en-US") -> str:
        """The download link for ``country`` and ``language`` (Partner Center's defaults).

        Picks the document for the exact country and language, else one for the
        country, else the template's own link. The MCA is country-specific (seed 000).
        """
        documents = list(self.documents.all())
        by_language = {(str(d.country), d.language.lower()): d.url for d in documents}
        by_country = {str(d.country): d.url for d in documents}
        return (
            by_language.get((str(country), language.lower()))
            or by_country.get(str(country))
            or self.link
        )


class AgreementDocument(models.Model):
    """The agreement text for one country and language (a template's download link)."""

    template = models.ForeignKey(
        AgreementTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    country = CountryField(_("country/region"))
    language = models.CharField(
        _("language"), max_length=16, help_text=_("A culture such as ko-KR.")
    )
    url = models.URLField(_("download link"))

    class Meta:
        ordering = ["template", "country", "language"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "country", "language"],
                name="%(app_label)s_%(class)s_one_per_country_and_language",
            )
        ]

    def __str__(self):
        return f"{self.template} — {self.country} {self.language}"


class AgreementAcceptance(models.Model):
    """One confirmation that a customer accepted an agreement (never changed or deleted).

    The newest record for a (customer, partner) pair is that partner's current
    confirmation; older ones are history (SPEC §4).
    """

    class Method(models.TextChoices):
        PARTNER_ATTESTATION = "partner_attestation", _("Partner attestation")
        CUSTOMER_DIRECT = "customer_direct", _("Accepted directly by the customer")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="agreement_acceptances",
    )
    partner = models.ForeignKey(
        "partnercenter.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="agreement_acceptances",
        null=True,
        blank=True,
        help_text=_(
            "The partner that confirmed; for a direct acceptance, the inviting partner if any."
        ),
    )
    template = models.ForeignKey(
        AgreementTemplate,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    date_agreed = models.DateField(_("dateAgreed"))
    first_name = models.CharField(_("first name"), max_length=50)
    last_name = models.CharField(_("last name"), max_length=50)
    email = models.EmailField(_("email address"))
    phone = PhoneNumberField(_("phone number"), blank=True)
    method = models.CharField(_("method"), max_length=32, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="recorded_acceptances",
        help_text=_("Partner Center's userId: the user who confirmed or accepted."),
    )
    # The database's clock, at the insert (STATEMENT_TIMESTAMP() on PostgreSQL), so
    # "newest" is the order records were written in, whichever app server wrote them.
    created_at = models.DateTimeField(_("created at"), db_default=Now(), editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["partner_attestation", "customer_direct"]),
                name="%(app_label)s_%(class)s_valid_method",
            ),
            models.CheckConstraint(
                condition=Q(method="customer_direct") | Q(partner__isnull=False),
                name="%(app_label)s_%(class)s_attestation_names_partner",
            ),
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name="") & ~Q(email=""),
                name="%(app_label)s_%(class)s_acceptor_named",
            ),
            # Rule A12 (Partner Center error 600061).
            models.UniqueConstraint(
                fields=[
                    "customer",
                    "partner",
                    "template",
                    "date_agreed",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                ],
                condition=Q(method="partner_attestation"),
                name="%(app_label)s_%(class)s_no_identical_duplicate",
                violation_error_message=_("This confirmation already exists."),
            ),
            # A customer accepts an agreement version itself at most once (SPEC §6).
            models.UniqueConstraint(
                fields=["customer", "template"],
                condition=Q(method="customer_direct"),
                name="%(app_label)s_%(class)s_one_direct_per_template",
                violation_error_message=_("You already accepted this agreement."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "partner", "-created_at"], name="agreements_acc_current"
            ),
        ]

    def __str__(self):
        return f"{self.customer} — {self.template} ({self.date_agreed})"

    @property
    def acceptor_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_direct(self) -> bool:
        return self.method == self.Method.CUSTOMER_DIRECT
