"""Settings → **Webhooks** → **Add webhook**."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnercenter.delivery.webhooks import EVENTS, url_check
from partnercenter.web.forms import form_helper


class WebhookEndpointForm(forms.Form):
    """Settings → **Webhooks** → **Add webhook**: the URL and the events to send there."""

    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_("An https:// address of your PSA, CRM or integration that accepts POST."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Add webhook"), form_tag=False)

    def clean_url(self):
        """The service's own check (``partnercenter.delivery.webhooks.url_check``), shown beside the field."""
        try:
            return url_check(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from exc
