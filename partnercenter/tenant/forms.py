"""Forms for sign-in related pages and User management."""

import zoneinfo

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from partnercenter.models import User
from partnercenter.tenant.roles import Role, may_grant
from partnercenter.tenant.services import EMAIL_UNAVAILABLE, email_taken, user_password_set
from partnercenter.web.forms import form_helper


class RoleCheckboxes(forms.CheckboxSelectMultiple):
    """Role checkboxes; the roles in ``locked`` are shown but can't be ticked (rule U1:
    only a Global admin grants Global admin). The service refuses them all the same."""

    locked: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.locked:
            option["attrs"]["disabled"] = True
        return option


class RolesField(forms.MultipleChoiceField):
    """Checkboxes for Partner Center's roles."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault("widget", RoleCheckboxes)
        kwargs.setdefault("error_messages", {"required": _("Choose at least one role.")})
        super().__init__(**kwargs)

    def lock_for(self, user) -> None:
        """Show the roles ``user`` may not grant (``may_grant``) as locked checkboxes."""
        self.widget.locked = frozenset(r.value for r in Role if not may_grant(user, r))
        if self.widget.locked:
            self.help_text = _("Only a Global admin can grant the Global admin role.")


class PartnerUserAddForm(forms.Form):
    """Seed 004 "Add a new user": full name, unique email address, roles.

    ``acting_user``: who adds; the roles it may not grant are shown locked.
    """

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=150)
    roles = RolesField()

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acting_user is not None:
            self.fields["roles"].lock_for(acting_user)
        self.helper = form_helper(_("Add"), form_tag=False)

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the user's first name."))
        return value

    def clean_last_name(self):
        value = self.cleaned_data["last_name"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the user's last name."))
        return value

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        # Checked here for a message beside the field; the database constraint
        # (partnercenter_user_unique_email) is the guarantee. One answer whoever
        # holds the address: never reveal another partner's users.
        if email_taken(email):
            raise forms.ValidationError(EMAIL_UNAVAILABLE)
        return email


class PartnerUserRolesForm(forms.Form):
    """Seed 004 "Assign user permissions": the roles a user holds.

    ``acting_user``: who assigns; the roles it may not grant are shown locked.
    """

    roles = RolesField()

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acting_user is not None:
            self.fields["roles"].lock_for(acting_user)
        self.helper = form_helper(_("Update"))


class ProfileForm(forms.ModelForm):
    """The signed-in user's own time zone and language."""

    time_zone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = User
        fields = ["time_zone", "language"]
        labels = {"language": _("Language")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.helper = form_helper(_("Save"))


class TemporaryPasswordChangeForm(PasswordChangeForm):
    """Django's password change form (old password, new one twice); saving it sets the
    password through ``user_password_set``, which ends the temporary-password state and
    records ``user.password_changed``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Change password"))

    def save(self, commit=True):
        if not commit:
            self.user.set_password(self.cleaned_data["new_password1"])
            self.user.must_change_password = False
            return self.user
        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])
