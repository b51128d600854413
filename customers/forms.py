"""Customer forms: the wizard's **Account info** step and orders (docs/customers.md).

The wizard's **Microsoft agreement** step is ``agreements.forms.AgreementStepForm``.
"""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from customers.markets import CULTURES
from customers.models import Customer, Offer
from customers.selectors import customers_with_domains
from customers.services import CUSTOMER_FIELDS
from customers.validators import parse_phone
from partnercenter.models import Partner


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
        if customers_with_domains([value]).exclude(pk=self.instance.pk).exists():
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


class NewOrderForm(forms.Form):
    """**New order**: an offer from the catalogue and a seat count.

    ``existing`` maps offer pks to the customer's active subscription of that offer
    through this partner. Partner Center allows a second subscription of one offer, but
    an agent almost never means one (a Back and a second **Place order**): ordering an
    offer the customer already has asks for ``another`` to be ticked.
    """

    offer = forms.ModelChoiceField(label=_("Offer"), queryset=Offer.objects.filter(is_active=True))
    seats = forms.IntegerField(
        label=_("Seats"), min_value=1, max_value=300_000, initial=1,
        help_text=_("Ignored for usage-based offers such as Azure plan."),
    )  # fmt: skip
    another = forms.BooleanField(
        label=_("Yes, order another subscription of an offer the customer already has"),
        required=False,
    )

    def __init__(self, *args, existing=None, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing or {}
        self.customer = customer
        if not self.existing:
            del self.fields["another"]  # nothing to repeat

    def clean(self):
        cleaned = super().clean()
        offer = cleaned.get("offer")
        held = self.existing.get(offer.pk) if offer is not None else None
        if held is not None and not cleaned.get("another", False):
            self.add_error(
                "offer",
                _(
                    "%(customer)s already has %(offer)s, %(seats)s seats. Change its seat count "
                    "instead, or tick the box below to order a second subscription."
                )
                % {
                    "customer": self.customer.company_name if self.customer else "",
                    "offer": offer.name,
                    "seats": held.seats,
                },
            )
        return cleaned


class SeatCountForm(forms.Form):
    """**Change seat count** of a subscription."""

    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=300_000)


class CustomerContactForm(forms.Form):
    """Account info → Primary contact → **Edit**: the customer's primary contact.

    Field names are the model's, so the service's errors land beside them;
    the phone number is read for ``country`` (the customer's market).
    """

    contact_first_name = forms.CharField(label=_("First name"), max_length=50)
    contact_last_name = forms.CharField(label=_("Last name"), max_length=50)
    contact_email = forms.EmailField(label=_("Email address"), max_length=254)
    contact_phone = forms.CharField(label=_("Phone number"), required=False, max_length=32)

    def __init__(self, *args, country, **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_contact_phone(self):
        return parse_phone(self.cleaned_data["contact_phone"], self.country)
