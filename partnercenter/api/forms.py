"""Settings → **App management** → **Add token**."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partnercenter.web.forms import form_helper


class TokenForm(forms.Form):
    """A new API token: what it is for, and how many days it works."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Nightly CRM sync”."),
        error_messages={"required": _("Enter a name that says what the token is for.")},
    )
    days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        help_text=_("At most 365 days."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].validators[-1:] = []
        self.helper = form_helper(_("Add token"), form_tag=False)
