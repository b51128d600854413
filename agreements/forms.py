"""Agreement forms: who accepted and when (rules A1–A4), for the wizard and **Update**.

``AgreementStepForm`` is the New customer wizard's **Microsoft agreement** step
(option 1 attest, option 2 invite); ``AcceptanceForm`` is Account info →
Microsoft Customer Agreement → **Update** (seed 000, existing customers). Both
check A1–A3 beside the fields; ``agreements.services.acceptance_record``
checks everything again when saving.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.services import acceptance_rule_errors, user_today
from customers.validators import parse_phone


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
