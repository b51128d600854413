"""Agreement templates, their documents, and acceptance records (docs/rules.md)."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from customers.validators import parse_phone
from partnercenter.models import AppendOnlyModel

#: Rule A12's message (Partner Center error 600061), shared by the constraint and bulk checks.
A12_MESSAGE = _("This confirmation already exists.")


# --- The acceptance rules (docs/rules.md): one definition for the model, forms and bulk -----


def user_today(user) -> datetime.date:
    """Today's date in ``user``'s own time zone (rule A1); UTC when it has none."""
    try:
        zone = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.localdate(timezone=zone)


#: Rule A3's messages when a field is empty (the forms and bulk confirmation show them too).
A3_REQUIRED = {
    "date_agreed": _("Enter the agreement acceptance date."),
    "first_name": _("Enter the first name of the person who accepted."),
    "last_name": _("Enter the last name of the person who accepted."),
    "email": _("Enter the email address of the person who accepted."),
}
#: Longest first and last names (AgreementAcceptance's fields, Partner Center's limit).
NAME_MAX = 50
#: Rule A3's message for a name that is too long (the fields' ``max_length`` message too).
TOO_LONG = _("Enter at most %(limit_value)s characters (this has %(show_value)s).")


def national_cloud_message(cloud: str) -> str:
    """Rule A7's one message, naming the national ``cloud`` ("US Government")."""
    return gettext(
        "Confirmation of customer acceptance isn't supported for customers in national "
        "clouds (%(cloud)s)."
    ) % {"cloud": cloud}


def acceptor_errors(*, first_name: str, last_name: str, email: str, phone, country):
    """Rule A3 and the phone rule for the person who accepted, without queries.

    ``phone`` is a string or PhoneNumber, read for ``country`` (a country code).
    Returns ``(errors, phone)``: ``{field: [messages]}`` (empty when valid) and
    the parsed PhoneNumber ("" when empty or not valid). The model's ``clean()``,
    the forms and bulk confirmation all call it (one definition).
    """
    errors: dict[str, list[str]] = {}
    values = {"first_name": first_name, "last_name": last_name, "email": email}
    for name, value in values.items():
        value = (value or "").strip()
        if not value:
            errors[name] = [str(A3_REQUIRED[name])]
        elif name != "email" and len(value) > NAME_MAX:
            errors[name] = [str(TOO_LONG) % {"limit_value": NAME_MAX, "show_value": len(value)}]
    email = (email or "").strip()
    if email and "email" not in errors:
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            errors["email"] = list(exc.messages)
    parsed = ""
    if isinstance(phone, PhoneNumber):
        # Set on a model field, a number is parsed without a region at first: read what
        # was typed again, for the customer's country.
        phone = phone.raw_input or (phone.as_e164 if phone.is_valid() else "")
    try:
        parsed = parse_phone(str(phone or ""), country)
    except ValidationError as exc:
        errors["phone"] = list(exc.messages)
    return errors, parsed


def acceptance_rule_errors(
    *, date_agreed: datetime.date | None, template: "AgreementTemplate", today: datetime.date
) -> dict[str, list[str]]:
    """Rules A1 and A2 for one date; returns ``{field: [messages]}`` (empty when valid).

    ``today`` is the recording user's today (``user_today``, A1).
    """
    errors: dict[str, list[str]] = {}
    if template.accepted_until and today > template.accepted_until:
        errors.setdefault("__all__", []).append(
            gettext(
                "The %(agreement)s is no longer accepted after %(date)s; confirm the current agreement."
            )
            % {
                "agreement": template.get_agreement_type_display(),
                "date": formats.date_format(template.accepted_until),
            }
        )
    if date_agreed is None:
        return errors
    if date_agreed > today:
        errors.setdefault("date_agreed", []).append(
            gettext("The agreement acceptance date can't be in the future.")
        )
    elif date_agreed < template.in_force_from:
        errors.setdefault("date_agreed", []).append(
            gettext(
                "The agreement acceptance date can't be before the %(agreement)s came into force (%(date)s)."
            )
            % {
                "agreement": template.get_agreement_type_display(),
                "date": formats.date_format(template.in_force_from),
            }
        )
    elif template.accepted_until and date_agreed > template.accepted_until:
        errors.setdefault("date_agreed", []).append(
            gettext("The %(agreement)s can't be confirmed for dates after %(date)s.")
            % {
                "agreement": template.get_agreement_type_display(),
                "date": formats.date_format(template.accepted_until),
            }
        )
    return errors


class AgreementTemplateQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date):
        """Templates whose agreement type may be accepted on ``day`` (docs/rules.md table)."""
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
    template_id = models.UUIDField(_("template ID (templateId)"))
    version_rank = models.PositiveIntegerField(_("version (versionRank)"))
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
        with translation.override("en"):  # kept in audit events' object names
            return f"{self._type_label()} (version {self.version_rank})"

    def _type_label(self):
        # The label straight from the choices (not get_..._display(), which rebuilds a
        # dict of every choice per call: bulk confirmation names 100 000 records).
        try:
            return self.AgreementType(self.agreement_type).label
        except ValueError:  # not (yet) a valid choice
            return self.agreement_type

    @property
    def label(self) -> str:
        """How a person sees this version, as Partner Center writes it, in the active
        language: "Microsoft Customer Agreement (version 1)"."""
        return gettext("%(agreement)s (version %(rank)s)") % {
            "agreement": self._type_label(),
            "rank": self.version_rank,
        }

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
    refuses UPDATE and DELETE too (migration 0006).

    The newest record for a (customer, partner) pair is that partner's current
    confirmation; older ones are history (docs/rules.md).
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
    # Rule A3's words when a field is missing or too long, whoever calls full_clean().
    date_agreed = models.DateField(
        _("date agreed (dateAgreed)"),
        error_messages={"null": A3_REQUIRED["date_agreed"]},
    )
    first_name = models.CharField(
        _("first name"),
        max_length=NAME_MAX,
        error_messages={"blank": A3_REQUIRED["first_name"], "max_length": TOO_LONG},
    )
    last_name = models.CharField(
        _("last name"),
        max_length=NAME_MAX,
        error_messages={"blank": A3_REQUIRED["last_name"], "max_length": TOO_LONG},
    )
    email = models.EmailField(_("email address"), error_messages={"blank": A3_REQUIRED["email"]})
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
                violation_error_message=A12_MESSAGE,
            ),
            # A customer accepts an agreement version itself at most once (docs/admin-center.md).
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
        return self.describe(self.customer, self.template, self.date_agreed)

    def clean_fields(self, exclude=None):
        # The phone is read for the customer's country in clean(), not as the field
        # reads it (international format only), so its message names the country.
        super().clean_fields(exclude={*(exclude or ()), "phone"})

    def clean(self):
        """The acceptance rules a record must meet when it is recorded (docs/rules.md):
        A7 (no national cloud), A1 (no future date, judged in ``recorded_by``'s time
        zone), A2 (the agreement type in force) and A3 (the acceptor; the phone valid
        for the customer's country, stored parsed). Raises ValidationError keyed by
        field, ``__all__`` for A7 and for a retired agreement type. Stored records are
        history: only A3's shape is checked again for them.
        """
        errors: dict[str, list[str]] = {}
        customer = self.customer if self.customer_id else None
        if self._state.adding and customer is not None and customer.is_national_cloud:
            raise ValidationError(national_cloud_message(customer.get_cloud_instance_display()))
        if self._state.adding and self.template_id:
            today = user_today(self.recorded_by if self.recorded_by_id else None)
            errors.update(
                acceptance_rule_errors(
                    date_agreed=self.date_agreed
                    if isinstance(self.date_agreed, datetime.date)
                    else None,
                    template=self.template,
                    today=today,
                )
            )
        acceptor, phone = acceptor_errors(
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            phone=self.phone,
            country=customer.country if customer is not None else None,
        )
        # Empty and too-long names are the fields' own errors; only white space is left.
        for name in ("first_name", "last_name", "email"):
            value = getattr(self, name)
            if value and not str(value).strip():
                errors[name] = acceptor[name]
        if "phone" in acceptor:
            errors["phone"] = acceptor["phone"]
        else:
            self.phone = phone
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def describe(customer, template, date_agreed) -> str:
        """A record's name (its ``str()``), from its customer and template (instances, or
        their names: bulk confirmation names the template once for 100 000 records)."""
        return f"{customer} — {template} ({date_agreed})"

    @property
    def acceptor_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_direct(self) -> bool:
        return self.method == self.Method.CUSTOMER_DIRECT


class AgreementStatusRow(models.Model):
    """One partner's view of one customer: its list row and agreement status (docs/rules.md, A8).

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

    class Gdap(models.TextChoices):
        ACTIVE = "active", _("Active admin relationship")
        DAP = "dap", _("DAP only")
        NONE = "none", _("No admin access")

    class Compliance(models.TextChoices):
        """The Agreement compliance report's statuses, most urgent first."""

        MISSING = "missing", _("No confirmation")
        OTHER_PARTNER = "other_partner", _("Confirmed by another partner only")
        OLDER_AGREEMENT = "older_agreement", _("Older agreement")
        OLDER_VERSION = "older_version", _("Older version")
        CURRENT = "current", _("Current agreement")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="agreement_status_rows"
    )
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="agreement_status_rows"
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    # The compliance report's status: the newest confirmation this partner holds (its
    # own attestation or the customer's acceptance) against the current agreement's
    # exact version (templateId), then whether only other partners attested (A8).
    compliance = models.CharField(
        _("compliance"), max_length=32, choices=Compliance.choices, default=Compliance.MISSING
    )
    attested_template = models.ForeignKey(
        AgreementTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attested_type = models.CharField(max_length=64, blank=True)
    direct_template = models.ForeignKey(
        AgreementTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    direct_type = models.CharField(max_length=64, blank=True)
    # The newest agreement type any *other* partner attested for the customer ("" if none).
    other_attested_type = models.CharField(max_length=64, blank=True)
    # The partner's admin access to the customer (docs/relationships.md, "Admin
    # relationships"): an active GDAP admin relationship, else DAP on a reseller
    # relationship, else none. The coverage reports read it through an index.
    gdap = models.CharField(max_length=8, choices=Gdap.choices, default=Gdap.NONE)
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
            # The API's customers filtered by indirect reseller or indirect provider.
            models.Index(
                fields=["partner", "reseller", "sort_name", "customer"], name="agr_status_reseller"
            ),
            models.Index(
                fields=["partner", "provider", "sort_name", "customer"], name="agr_status_provider"
            ),
            # GDAP's coverage reports: customers without an active admin relationship.
            models.Index(
                fields=["partner", "gdap", "sort_name", "customer"], name="agr_status_gdap"
            ),
            # The compliance report: one status, or every customer lacking the current one.
            models.Index(
                fields=["partner", "compliance", "sort_name", "customer"],
                name="agr_status_compliance",
            ),
            models.Index(
                fields=["partner", "sort_name", "customer"],
                condition=~Q(compliance="current"),
                name="agr_status_lacking",
            ),
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


class BulkAttestation(models.Model):
    """One uploaded CSV of confirmations (Agreement compliance → **Confirm in bulk**).

    The file is kept as text (``content``, UTF-8 without BOM). A background job
    validates every row by the rules of the one-row service (A1–A8, A12) and
    keeps the rows that aren't valid as ``BulkAttestationProblem``s; **Confirm**
    starts a second job that validates again and records the valid rows in one
    transaction — all of them, or none if ``mode`` is ALL_OR_NOTHING and any
    row isn't valid. Counts are rows of the file (header excluded).
    """

    class State(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        VALIDATED = "validated", _("Validated")
        RECORDING = "recording", _("Recording")
        RECORDED = "recorded", _("Recorded")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("Only if every row is valid")
        VALID_ROWS = "valid", _("The valid rows")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="bulk_attestations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_attestations"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.TextField()
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.VALIDATING
    )
    mode = models.CharField(_("record"), max_length=8, choices=Mode.choices, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    recorded_rows = models.PositiveIntegerField(default=0)
    # What validation found valid, for Confirm to check again and record
    # (``agreements.bulk.checks.kept_rows``); emptied once recorded.
    validated = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the job failed, for the user.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk confirmation")
        verbose_name_plural = _("bulk confirmations")
        indexes = [models.Index(fields=["partner", "-created_at"], name="agr_bulk_partner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=["validating", "validated", "recording", "recorded", "failed"]
                ),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["", "all", "valid"]),
                name="%(app_label)s_%(class)s_valid_mode",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in {self.State.VALIDATING, self.State.RECORDING}

    @property
    def percent(self) -> int:
        """Progress of validation, 0–100."""
        if not self.total_rows:
            return 100 if not self.is_running else 0
        return min(100, self.checked_rows * 100 // self.total_rows)


class BulkAttestationProblem(models.Model):
    """A row of a BulkAttestation that isn't recorded: not valid, or already recorded (A12)."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("Not valid")
        DUPLICATE = "duplicate", _("Already recorded")

    job = models.ForeignKey(BulkAttestation, on_delete=models.CASCADE, related_name="problems")
    row_number = models.PositiveIntegerField(help_text="The file's line number (header = 1).")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_label = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    message = models.TextField()

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "row_number"], name="%(app_label)s_%(class)s_one_per_row"
            ),
        ]

    def __str__(self):
        return f"{self.row_number}: {self.message}"
