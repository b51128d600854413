"""Forms of the New customer wizard (SPEC §3–4; seed 000 "Confirm customer acceptance")."""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country
from phonenumber_field.phonenumber import PhoneNumber
from phonenumber_field.phonenumber import to_python as phone_to_python

from agreements.services import acceptance_rule_errors, user_today
from customers.markets import CULTURES
from customers.models import Customer, Offer
from customers.services import CUSTOMER_FIELDS
from partnercenter.models import Partner


def parse_phone(raw: str, country) -> PhoneNumber | str:
    """Parse ``raw`` as a phone number of ``country``; raise ValidationError if it isn't one.

    Returns a PhoneNumber, or "" for an empty value.
    """
    raw = (raw or "").strip()
    if not raw:
        return ""
    number = phone_to_python(raw, region=str(country) if country else None)
    if not number or not number.is_valid():
        name = Country(str(country)).name if country else ""
        raise forms.ValidationError(
            _("Enter a valid phone number for %(country)s.")
            % {"country": name or _("the customer's country")}
        )
    return number


class CustomerAccountForm(forms.ModelForm):
    """Step 1, **Account info**: the company and its primary contact."""

    culture = forms.ChoiceField(label=_("Language and culture"), choices=CULTURES)
    contact_phone = forms.CharField(label=_("Phone number"), required=False, max_length=32)
    indirect_provider = forms.ModelChoiceField(
        label=_("Indirect provider"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("The indirect provider you work with for this customer."),
    )

    class Meta:
        model = Customer
        fields = [f for f in CUSTOMER_FIELDS if f not in {"culture", "contact_phone"}]
        labels = {
            "company_name": _("Company name"),
            "domain_prefix": _("Domain name"),
            "country": _("Country/region"),
            "address_line1": _("Address line 1"),
            "address_line2": _("Address line 2"),
            "city": _("City"),
            "state": _("State/province/region"),
            "postal_code": _("Postal code"),
            "cloud_instance": _("Cloud instance"),
            "contact_first_name": _("First name"),
            "contact_last_name": _("Last name"),
            "contact_email": _("Email address"),
        }

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = list(providers)
        if self.providers:
            self.fields["indirect_provider"].queryset = Partner.objects.filter(
                pk__in=[p.pk for p in self.providers]
            )
            self.fields["indirect_provider"].required = True
        else:
            del self.fields["indirect_provider"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        company = [
            "company_name",
            AppendedText("domain_prefix", ".onmicrosoft.com"),
            "country",
            "address_line1",
            "address_line2",
            Div(
                Div("city", css_class="col-md-4"),
                Div("state", css_class="col-md-4"),
                Div("postal_code", css_class="col-md-4"),
                css_class="row",
            ),
            "culture",
            "cloud_instance",
        ]
        if self.providers:
            company.append("indirect_provider")
        self.helper.layout = Layout(
            Fieldset(_("Company"), *company),
            Fieldset(
                _("Primary contact"),
                "contact_first_name",
                "contact_last_name",
                "contact_email",
                "contact_phone",
            ),
        )

    def clean_domain_prefix(self):
        value = self.cleaned_data["domain_prefix"].strip().lower()
        # Said here, beside the field; the case-insensitive unique constraint
        # (customers_customer_unique_domain) is the guarantee.
        if (
            Customer.objects.filter(domain_prefix__iexact=value)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("This domain is already taken."), code="domain_taken")
        return value

    def clean(self):
        cleaned = super().clean()
        if "contact_phone" in self.cleaned_data:
            try:
                cleaned["contact_phone"] = parse_phone(
                    self.data.get("contact_phone", ""), cleaned.get("country")
                )
            except forms.ValidationError as exc:
                self.add_error("contact_phone", exc)
        return cleaned

    def _post_clean(self):
        # Both fields are the form's own; hand the parsed values to the model so its
        # clean() applies the market's phone rule and its constraints see everything.
        self.instance.contact_phone = self.cleaned_data.get("contact_phone") or ""
        self.instance.culture = self.cleaned_data.get("culture") or "en-US"
        super()._post_clean()


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
        """Require what A3 requires, parse the phone, and apply A1/A2 to the date."""
        for name, message in (
            ("date_agreed", _("Enter the agreement acceptance date.")),
            ("first_name", _("Enter the first name of the person who accepted.")),
            ("last_name", _("Enter the last name of the person who accepted.")),
            ("email", _("Enter the email address of the person who accepted.")),
        ):
            value = cleaned.get(name)
            if (isinstance(value, str) and not value.strip()) or (
                value is None and name not in self.errors
            ):
                self.add_error(name, message)
        try:
            cleaned["phone"] = parse_phone(
                self.data.get(self.add_prefix("phone"), ""), self.customer_country
            )
        except forms.ValidationError as exc:
            self.add_error("phone", exc)
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

    def __init__(self, *args, may_attest=True, national_cloud=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.national_cloud = national_cloud
        if not may_attest:
            self.fields["option"].choices = [
                c for c in self.fields["option"].choices if c[0] != AgreementOption.ATTEST
            ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("option") == AgreementOption.ATTEST:
            if self.national_cloud:
                self.add_error(
                    "option",
                    _(
                        "Confirmation of customer acceptance isn't supported for customers in national clouds."
                    ),
                )
            else:
                self.check_acceptor(cleaned)
        return cleaned


class AcceptanceForm(AcceptorFields):
    """Account info → Microsoft Customer Agreement → **Update** (seed 000, existing customers)."""

    field_order = ["first_name", "last_name", "email", "phone", "date_agreed"]

    def clean(self):
        return self.check_acceptor(super().clean())


class NewOrderForm(forms.Form):
    """**New order**: an offer from the catalogue and a seat count."""

    offer = forms.ModelChoiceField(label=_("Offer"), queryset=Offer.objects.filter(is_active=True))
    seats = forms.IntegerField(
        label=_("Seats"), min_value=1, max_value=300_000, initial=1,
        help_text=_("Ignored for usage-based offers such as Azure plan."),
    )  # fmt: skip


class SeatCountForm(forms.Form):
    """**Change seat count** of a subscription."""

    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=300_000)
