"""Accepting an invitation link in the admin center: relationship and agreement at once."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.services import direct_acceptance_record
from relationships.models import ResellerRelationship
from relationships.selectors import ParsedInvitation
from relationships.services import (
    invitation_relationships_activate,
    relationship_acceptance_notify,
)


@transaction.atomic
def invitation_accept(
    *, user, invitation: ParsedInvitation, accept_relationship: bool, accept_agreement: bool
) -> list[ResellerRelationship]:
    """**Accept**: activate the relationship(s) and, if chosen, accept the agreement directly.

    ``user`` is the customer's admin account; ``invitation`` comes from
    ``relationships.selectors.invitation_parse``. Accepting twice creates
    nothing new. Returns the list of active relationships. Raises
    PermissionDenied for accounts that aren't a customer's, ValidationError
    when the relationship box isn't ticked or the agreement can't be accepted
    directly (A9, A7); nothing is saved then (A13). The inviting partner is
    told by email and webhook (``relationship_acceptance_notify``), in this
    transaction.
    """
    customer = getattr(user, "customer", None)
    if customer is None:
        raise PermissionDenied(_("Only a customer's admin account can accept an invitation."))
    if not accept_relationship:
        raise ValidationError(
            {"accept_relationship": _("Check the box to accept the reseller relationship.")}
        )
    relationships, created = invitation_relationships_activate(
        customer=customer, invitation=invitation, user=user
    )
    if accept_agreement:
        direct_acceptance_record(user=user, partner=invitation.partner)
    relationship_acceptance_notify(
        customer=customer, invitation=invitation, created=created, agreement=accept_agreement
    )
    return relationships
