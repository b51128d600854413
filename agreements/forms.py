"""Agreement forms: who accepted and when (rules A1–A4), for the wizard and **Update**.

``AgreementStepForm`` is the New customer wizard's **Microsoft agreement** step
(option 1 attest, option 2 invite); ``AcceptanceForm`` is Account info →
Microsoft Customer Agreement → **Update** (seed 000, existing customers). Both
check A1–A3 beside the fields; ``agreements.services.acceptance_record``
checks everything again when saving.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from agreements.bulk.files import BulkFileError, bulk_rows, bulk_text, too_large_message
from agreements.compliance import LACKING, STATUS_CHOICES, ReportFilters
from agreements.models import (
    A3_REQUIRED,
    BulkAttestation,
    acceptance_rule_errors,
    acceptor_errors,
    national_cloud_message,
    user_today,
)
from partnercenter.models import Partner


class AgreementOption:
    ATTEST = "attest"
    INVITE = "invite"


class AcceptorFields(forms.Form):
    """The person who accepted the agreement, and when (rules A1–A4)."""

    date_agreed = forms.DateField(
        label=_("Agreement acceptance date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    first_name = forms.CharField(label=_("First name"), max_length=50, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone number (optional)"), max_length=32, required=False)

    def __init__(self, *args, user, customer_country, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer_country = customer_country
        self.template = template

    def check_acceptor(self, cleaned):
        """Require what A3 requires, parse the phone, and apply A1/A2 to the date
        (the rules of ``agreements.services``, shown beside the fields)."""
        if cleaned.get("date_agreed") is None and "date_agreed" not in self.errors:
            self.add_error("date_agreed", A3_REQUIRED["date_agreed"])
        errors, cleaned["phone"] = acceptor_errors(
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
            email=cleaned.get("email", ""),
            phone=self.data.get(self.add_prefix("phone"), ""),
            country=self.customer_country,
        )
        for name, messages in errors.items():
            if name not in self.errors:  # a field's own error (a malformed email) comes first
                for message in messages:
                    self.add_error(name, message)
        if self.template is not None:
            errors = acceptance_rule_errors(
                date_agreed=cleaned.get("date_agreed"),
                template=self.template,
                today=user_today(self.user),
            )
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(None if field == "__all__" else field, message)
        return cleaned

    def attestation(self) -> dict:
        """The keyword arguments ``acceptance_record`` takes."""
        return {
            k: self.cleaned_data[k]
            for k in ("date_agreed", "first_name", "last_name", "email", "phone")
        }


class AgreementStepForm(AcceptorFields):
    """Step 2, **Microsoft agreement**: option 1 (attest) or option 2 (invite)."""

    option = forms.ChoiceField(
        label=_("Microsoft Customer Agreement"),
        widget=forms.RadioSelect,
        choices=[
            (
                AgreementOption.ATTEST,
                _("The customer has accepted the Microsoft Customer Agreement"),
            ),
            (
                AgreementOption.INVITE,
                _(
                    "Customer will be asked to accept the Microsoft Customer Agreement in the admin center"
                ),
            ),
        ],
        error_messages={"required": _("Choose one of the two options.")},
    )
    field_order = ["option", "date_agreed", "first_name", "last_name", "email", "phone"]

    def __init__(self, *args, may_attest=True, national_cloud="", **kwargs):
        """``national_cloud``: the name of the customer's national cloud, "" for the
        public cloud (rule A7 then refuses option 1)."""
        super().__init__(*args, **kwargs)
        self.national_cloud = national_cloud
        if not may_attest:
            self.fields["option"].choices = [
                c for c in self.fields["option"].choices if c[0] != AgreementOption.ATTEST
            ]
            # The one option left is chosen, not shown as a lone empty radio.
            self.fields["option"].initial = AgreementOption.INVITE

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("option") == AgreementOption.ATTEST:
            if self.national_cloud:
                self.add_error("option", national_cloud_message(self.national_cloud))
            else:
                self.check_acceptor(cleaned)
        return cleaned


class AcceptanceForm(AcceptorFields):
    """Account info → Microsoft Customer Agreement → **Update** (seed 000, existing customers)."""

    field_order = ["first_name", "last_name", "email", "phone", "date_agreed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What A3 requires is marked required (the asterisk), with A3's own message.
        for name, message in A3_REQUIRED.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message

    def clean(self):
        return self.check_acceptor(super().clean())


class ComplianceFilterForm(forms.Form):
    """Agreement compliance's filters; ``filters()`` gives the report's."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    country = forms.ChoiceField(label=_("Country/region"), required=False)
    reseller = forms.ModelChoiceField(
        label=_("Indirect reseller"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("All resellers"),
    )
    created_since = forms.DateField(
        label=_("Customer since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    active_subscriptions = forms.BooleanField(label=_("Has active subscriptions"), required=False)

    def __init__(self, *args, resellers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries/regions")), *countries]
        if resellers is None:
            del self.fields["reseller"]
        else:
            self.fields["reseller"].queryset = resellers
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-sm-6 col-lg-auto") for name in self.fields)),
            Submit("", _("Apply filters"), css_class="btn-secondary"),
        )

    def filters(self) -> ReportFilters:
        """The chosen filters; an invalid value is shown as an error and ignored."""
        data = self.cleaned_data if self.is_bound and (self.is_valid() or True) else {}
        return ReportFilters(
            status=data.get("status") or LACKING,
            country=data.get("country") or "",
            reseller=data.get("reseller"),
            created_since=data.get("created_since"),
            active_subscriptions=bool(data.get("active_subscriptions")),
        )


class BulkUploadForm(forms.Form):
    """**Confirm in bulk**: the CSV file, read and checked for its header and size here;
    its rows are validated by the background job (``agreements.bulk``)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, separated by commas or semicolons, up to 100,000 rows. Dates as YYYY-MM-DD."
        ),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        """``too_large``: the upload was stopped for passing ``UPLOAD_MAX_BYTES``
        (``partnercenter.web.uploads.too_large``), so the file never arrived."""
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        try:
            self.text = bulk_text(upload.read())
            self.rows = bulk_rows(self.text)
        except BulkFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean(self):
        if self.too_large:
            # The file was cut off, so "This field is required" would be wrong.
            self.errors.pop("file", None)
            self.add_error("file", too_large_message())
        return super().clean()


class BulkConfirmForm(forms.Form):
    """**Confirm**: record the valid rows, or only if every row is valid.

    ``job``: the checked upload. When some rows aren't valid, each choice says what it
    will record and neither is chosen for the user (the old default recorded nothing);
    when every row is valid both record them all, and "every row" stays chosen.
    """

    mode = forms.ChoiceField(
        label=_("Record"),
        choices=BulkAttestation.Mode.choices,
        widget=forms.RadioSelect,
        initial=BulkAttestation.Mode.ALL_OR_NOTHING,
        error_messages={"required": _("Choose which rows to record.")},
    )

    def __init__(self, *args, job=None, **kwargs):
        super().__init__(*args, **kwargs)
        if job is None or not job.invalid_rows:
            return
        field = self.fields["mode"]
        field.initial = None
        Mode = BulkAttestation.Mode
        field.choices = [
            (
                Mode.VALID_ROWS,
                ngettext(
                    "The valid rows: %(valid)s valid row will be recorded; %(invalid)s won't",
                    "The valid rows: %(valid)s valid rows will be recorded; %(invalid)s won't",
                    job.valid_rows,
                )
                % {"valid": f"{job.valid_rows:,}", "invalid": f"{job.invalid_rows:,}"},
            ),
            (
                Mode.ALL_OR_NOTHING,
                _("Only if every row is valid: nothing will be recorded, as some rows aren't"),
            ),
        ]
