"""Forms for sign-in related pages and User management."""

import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from partnercenter.audit import EventType, Filters
from partnercenter.models import Submission, User
from partnercenter.roles import Role, may_grant
from partnercenter.services import (
    EMAIL_UNAVAILABLE,
    AlreadySubmitted,
    email_taken,
    submission_find,
    submission_once,
    user_password_set,
)
from partnercenter.webhooks import EVENTS, url_check

#: The hidden field every create-or-send form carries (templates/includes/submission_key.html).
SUBMISSION_KEY = "submission_key"


def _result(request, submission: Submission):
    if submission.message:
        messages.success(request, submission.message)
    return redirect(submission.result_url)


def submit_once(request, action):
    """Run ``action()`` once per form key and redirect to its result (docs/qualities.md, Integrity).

    ``action`` calls the service and returns ``(result_url, message)``; its
    ValidationError, PermissionDenied or other exceptions propagate, and then
    nothing is recorded. A double-click, resubmitted tab or retried request
    with the same key gets the first request's redirect and message instead of
    a second record or email (``partnercenter.services.submission_once``).
    """
    try:
        with submission_once(user=request.user, key=request.POST.get(SUBMISSION_KEY)) as once:
            once.result_url, message = action()
            once.message = str(message or "")
    except AlreadySubmitted as done:
        once = done.submission
    return _result(request, once)


def replayed(request):
    """The first result of this POST's form key, if it was already submitted; else None.

    For views that look objects up before acting (a removed user, an ended
    partnership): the repeat lands where the first one did, not on a 404.
    """
    if request.method != "POST":
        return None
    done = submission_find(user=request.user, key=request.POST.get(SUBMISSION_KEY))
    return _result(request, done) if done else None


def add_service_errors(form, error: ValidationError, *, field_map=None) -> None:
    """Put a service's ValidationError on ``form``, beside the field it concerns.

    ``field_map`` renames model fields to form fields (``{"username": "email"}``);
    errors on fields the form doesn't have go to the top of the form.
    """
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = field_map.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_helper(submit_label, *, form_tag: bool = True) -> FormHelper:
    """A crispy FormHelper with one submit button labelled ``submit_label`` (None: the
    template writes its buttons, e.g. **Save** beside **Cancel**).

    ``novalidate`` leaves validation to the server, so every error appears as
    the same clear message beside its field, whatever the browser. With
    ``form_tag=False`` the template writes the ``<form>`` (and its hidden
    submission key) itself.
    """
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.attrs = {"novalidate": ""}
    if submit_label is not None:
        helper.add_input(Submit("submit", submit_label))
    return helper


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
        """The service's own check (``partnercenter.webhooks.url_check``), shown beside the field."""
        try:
            return url_check(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from exc


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
                *(Column(name, css_class="col-sm-6 col-lg") for name in self.fields),
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
