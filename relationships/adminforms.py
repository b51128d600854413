"""Forms of the GDAP pages: **Create an admin relationship request**, the approval email,
**Add access assignment** and security groups (docs/relationships.md)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relationships.entraroles import BY_ID, ROLES


def _role_choices(ids=None):
    roles = ROLES if ids is None else [BY_ID[i] for i in ids if i in BY_ID]
    return [(role.id, role.name) for role in roles]


class AdminRelationshipForm(forms.Form):
    """ "Create an admin relationship request": name, duration in days, the Microsoft Entra
    roles, auto-extend; for a tenant that isn't a customer yet, its tenant ID and name.
    Shapes only: the rules (G1–G4) are the service's, shown beside their fields."""

    display_name = forms.CharField(
        label=_("Admin relationship name"),
        max_length=50,
        help_text=_(
            "Up to 50 characters; the customer sees it. It must be unique in your organization."
        ),
    )
    duration_days = forms.IntegerField(
        label=_("Duration (days)"),
        initial=730,
        min_value=1,
        max_value=730,
        help_text=_("1 to 730 days."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Select Microsoft Entra roles"),
        choices=_role_choices(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one Microsoft Entra role.")},
    )
    auto_extend = forms.BooleanField(
        label=_("Auto-extend by 180 days at the end date"),
        required=False,
        help_text=_("Not available with the Global Administrator role."),
    )

    def __init__(self, *args, tenant: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant:
            self.fields["customer_tenant_id"] = forms.UUIDField(
                label=_("Customer tenant ID"),
                help_text=_("The Microsoft Entra tenant ID of the organization to ask."),
            )
            self.fields["customer_name"] = forms.CharField(
                label=_("Organization name"), max_length=255
            )


class ApprovalEmailForm(forms.Form):
    """The editable approval email and whom to send it to."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    text = forms.CharField(label=_("Email text"), widget=forms.Textarea(attrs={"rows": 12}))
    to_email = forms.EmailField(
        label=_("Send to"),
        help_text=_("The customer's admin."),
        error_messages={
            "required": _("Enter the customer admin's email address to send the request.")
        },
    )


class AccessAssignmentForm(forms.Form):
    """**Add access assignment**: a security group and some of the approved roles."""

    security_group = forms.ChoiceField(label=_("Security group"))
    roles = forms.MultipleChoiceField(
        label=_("Microsoft Entra roles"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one of the relationship's roles.")},
    )

    def __init__(self, *args, groups=(), roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["security_group"].choices = [("", "—")] + [(str(g.pk), g.name) for g in groups]
        self.fields["roles"].choices = _role_choices(roles)


class SecurityGroupForm(forms.Form):
    """Settings → **Security groups** → **Add security group**."""

    name = forms.CharField(label=_("Name"), max_length=100)
    members = forms.MultipleChoiceField(
        label=_("Members"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(u.pk), u.get_full_name() or u.email) for u in people]
