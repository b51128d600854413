"""Relationship writes that also move the partners' agreement status rows."""

from django.db import transaction

from agreements.services import agreement_status_sync
from relationships import services
from relationships.models import ResellerRelationship


@transaction.atomic
def relationship_remove(
    *, user, relationship: ResellerRelationship, confirmed: bool
) -> ResellerRelationship:
    """**Remove customer relationship** (seed 004), and the customer leaves the partner's list.

    Takes and raises what ``relationships.services.relationship_remove`` does;
    the status rows follow in the same transaction (the partner's row goes,
    and with it its provider's if no other reseller serves the customer).
    """
    relationship = services.relationship_remove(
        user=user, relationship=relationship, confirmed=confirmed
    )
    agreement_status_sync(relationship.customer)
    return relationship
