"""Forms for invitations, partnerships and removing a relationship (docs/relationships.md, seed 004)."""

from django import forms
from django.utils.translation import gettext_lazy as _

REMOVAL_STATEMENT = _(
    "You represent that the decision to discontinue your relationship with customer was made in "
    "good faith, for a legitimate business purpose, and in accordance with your agreement with your "
    "customer or partner, and you agree to defend and hold Microsoft harmless from and against any "
    "third-party claims to the contrary."
)


class InvitationSendForm(forms.Form):
    """The editable invitation email, and whom to send it to."""

    dap = forms.BooleanField(label=_("Include delegated admin privileges"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    text = forms.CharField(label=_("Email text"), widget=forms.Textarea(attrs={"rows": 14}))
    to_email = forms.EmailField(
        label=_("Send to"), required=False, help_text=_("The customer's email address.")
    )

    def clean_to_email(self):
        value = self.cleaned_data["to_email"]
        if not value:
            raise forms.ValidationError(
                _("Enter the customer's email address to send the invitation.")
            )
        return value


class PartnershipInviteForm(forms.Form):
    """An indirect provider invites an indirect reseller (seed 004)."""

    reseller = forms.CharField(
        label=_("Partner ID or MPN ID"),
        max_length=64,
        help_text=_("The indirect reseller's Partner ID (tenant ID) or MPN ID."),
    )
    email = forms.EmailField(
        label=_("Email address"), help_text=_("Who at the reseller receives the invitation.")
    )


class PartnershipAuthorizeForm(forms.Form):
    """The reseller's Global admin confirms the partnership."""

    confirm = forms.BooleanField(
        label=_(
            "I authorize this indirect provider to submit orders and add subscriptions for our customers."
        ),
        required=False,
    )


class RelationshipRemoveForm(forms.Form):
    """Remove customer relationship: the good-faith statement must be ticked (seed 004)."""

    confirm = forms.BooleanField(label=REMOVAL_STATEMENT, required=False)
