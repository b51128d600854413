"""The Activity log's and a customer's History filters."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.audit.events import EventType
from partnercenter.audit.read import Filters
from partnercenter.models import User


class ActivityFilterForm(forms.Form):
    """The Activity log's and a customer's History filters; all optional.

    ``users`` are the partner's users to choose from (removed ones included:
    their events stay). ``with_customer=False`` drops the customer field (the
    History tab is one customer's). ``filters()`` gives ``audit.Filters``.
    """

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    event_type = forms.ChoiceField(label=_("Event type"), required=False)
    user = forms.ModelChoiceField(
        label=_("User"), required=False, queryset=User.objects.none(), empty_label=_("Anyone")
    )
    customer = forms.CharField(
        label=_("Customer domain"),
        required=False,
        max_length=60,
        help_text=_("For example contoso or contoso.onmicrosoft.com."),
    )

    def __init__(self, *args, users=None, with_customer: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = [("", _("All events")), *EventType.choices()]
        self.fields["user"].queryset = users if users is not None else User.objects.none()
        if not with_customer:
            del self.fields["customer"]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Row(
                *(Column(name, css_class="col-sm-6 col-lg-auto") for name in self.fields),
                css_class="g-2",
            ),
            Submit("", _("Apply filters"), css_class="btn-secondary"),
        )

    def clean_customer(self):
        value = self.cleaned_data["customer"].strip().lower()
        return value.removesuffix(".onmicrosoft.com")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date can't be before the start date."))
        return cleaned

    def filters(self) -> Filters:
        """The valid filters (empty ones for an invalid form, whose errors are shown)."""
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            event_type=data.get("event_type") or "",
            actor=data.get("user"),
            customer_domain=data.get("customer") or "",
        )
