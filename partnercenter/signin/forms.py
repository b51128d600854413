"""Forms of signing in: password, second factor, fresh proof."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from partnercenter.models import User
from partnercenter.web.forms import form_helper


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a user name longer than any account's beside the field.

    Django sets the field's ``max_length`` only after the field was built, so
    without this a 10 000-character "user name" reached ``authenticate``.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = User._meta.get_field("username").max_length
        if len(username) > limit:
            raise forms.ValidationError(
                _("A user name has at most %(limit)s characters.") % {"limit": limit}
            )
        return username


class MfaCodeForm(forms.Form):
    """The second factor: a 6-digit authenticator code or a recovery code."""

    code = forms.CharField(max_length=32, strip=True)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label or _("Code")
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        )
        self.helper = form_helper(_("Verify"))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code:
            raise forms.ValidationError(_("Enter the code."))
        return code


class PasswordProofForm(forms.Form):
    """**Confirm your password**: the signed-in user's password, typed again."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": _("Enter your password.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Confirm"), form_tag=False)
