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

from partnercenter.models import AppendOnlyModel


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


class AgreementAcceptance(AppendOnlyModel):
    """One confirmation that a customer accepted an agreement (never changed or deleted).

    Append-only: ``save()`` of a stored row, ``delete()`` and the queryset's
    ``update()``/``delete()`` raise ``AppendOnlyError``; on PostgreSQL a trigger
    refuses UPDATE and DELETE too (migration 0006, issue #13).

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


class AgreementStatusRow(models.Model):
    """One partner's view of one customer: its list row and agreement status (SPEC §4, A8).

    Derived data, kept in step by the services that change what it is derived
    from — relationships and acceptance records — in the same transaction
    (``agreements.services.agreement_status_sync``), and rebuilt from them by
    ``manage.py rebuild_agreement_status``. The Customers page, its search and
    status filter and Recent acceptances read only this table, through
    indexes that start with the partner, so their cost doesn't grow with the
    number of customers.

    A partner has a row for each customer it serves: by its own active
    relationship, or — as an indirect provider — through a reseller's (then
    ``reseller`` names it). ``status`` compares ``attested_type`` (the
    partner's own newest attestation) and ``direct_type`` (the customer's
    newest direct acceptance) with the current agreement type.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        ACCEPTED_BY_CUSTOMER = "accepted_by_customer", _("Accepted by customer")
        NOT_CONFIRMED = "not_confirmed", _("Not confirmed")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="agreement_status_rows"
    )
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="agreement_status_rows"
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    attested_template = models.ForeignKey(
        AgreementTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attested_type = models.CharField(max_length=64, blank=True)
    direct_template = models.ForeignKey(
        AgreementTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    direct_type = models.CharField(max_length=64, blank=True)
    # The list's sort key and search keys, copied from the customer.
    sort_name = models.CharField(max_length=255)
    domain_prefix = models.CharField(max_length=27)
    own = models.BooleanField(help_text="The partner has its own active relationship.")
    provider = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reseller = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Recent acceptances: when the customer accepted an invitation of this partner's
    # (or its reseller's), and when it accepted the agreement itself.
    relationship_accepted_at = models.DateTimeField(null=True, blank=True)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agreement status")
        verbose_name_plural = _("agreement statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "partner"], name="%(app_label)s_%(class)s_one_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "accepted_by_customer", "not_confirmed"]),
                name="%(app_label)s_%(class)s_valid_status",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "sort_name", "customer"], name="agr_status_list"),
            models.Index(
                fields=["partner", "status", "sort_name", "customer"], name="agr_status_filter"
            ),
            models.Index(fields=["partner", "domain_prefix"], name="agr_status_domain"),
            # Partial: only accepted rows, so "newest 5" is a short walk from the top.
            models.Index(
                fields=["partner", "-relationship_accepted_at"],
                condition=Q(relationship_accepted_at__isnull=False),
                name="agr_status_recent_rel",
            ),
            models.Index(
                fields=["partner", "-agreement_accepted_at"],
                condition=Q(agreement_accepted_at__isnull=False),
                name="agr_status_recent_agr",
            ),
        ]

    def __str__(self):
        return f"{self.partner_id} · {self.customer_id}: {self.status}"
