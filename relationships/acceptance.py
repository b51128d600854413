"""The customer's side of an invitation link (SPEC §6): read it, then accept it.

``invitation_parse`` reads the query string of Partner Center's invitation URL
(SPEC §5) and ``invitation_accept`` records what the customer accepted.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.services import direct_acceptance_record
from partnercenter.models import Partner
from relationships.invitations import InvitationKind
from relationships.models import IndirectPartnership, ResellerRelationship


class InvalidInvitation(Exception):
    """The link's parameters are malformed or name partners that don't fit."""


@dataclass(frozen=True)
class ParsedInvitation:
    """What an invitation link asks: who invites, through which provider, with DAP or not."""

    kind: str
    partner: Partner
    provider: Partner | None
    dap: bool

    @property
    def partners(self) -> list[tuple[Partner, Partner | None]]:
        """The (partner, indirect provider) relationships accepting creates.

        The indirect kind authorizes the reseller (through the provider) and the
        provider itself at once (seed 004).
        """
        if self.provider is None:
            return [(self.partner, None)]
        return [(self.partner, self.provider), (self.provider, None)]


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInvitation from exc


def invitation_parse(params) -> ParsedInvitation:
    """Read ``invType``, ``partnerId``, ``msppId``, ``indirectCSPId`` and ``DAP`` from ``params``.

    Raises InvalidInvitation for an unknown kind, malformed values, a partner or
    provider that doesn't exist, or a provider without a partnership with the
    reseller.
    """
    kind = params.get("invType", "")
    dap_value = params.get("DAP", "false").lower()
    if dap_value not in {"true", "false"}:
        raise InvalidInvitation
    dap = dap_value == "true"
    mspp_id = params.get("msppId", "")
    if not mspp_id.isdigit():
        raise InvalidInvitation
    partner = Partner.objects.filter(tenant_id=_uuid(params.get("partnerId"))).first()
    if partner is None:
        raise InvalidInvitation
    if kind == InvitationKind.RESELLER:
        if partner.is_indirect_reseller or "indirectCSPId" in params:
            raise InvalidInvitation
        return ParsedInvitation(kind=kind, partner=partner, provider=None, dap=dap)
    if kind == InvitationKind.INDIRECT_RESELLER:
        provider = Partner.objects.filter(tenant_id=_uuid(params.get("indirectCSPId"))).first()
        if provider is None or not partner.is_indirect_reseller or mspp_id != partner.mpn_id:
            raise InvalidInvitation
        if not IndirectPartnership.objects.filter(
            provider=provider, reseller=partner, state=IndirectPartnership.State.ACTIVE
        ).exists():
            raise InvalidInvitation
        return ParsedInvitation(kind=kind, partner=partner, provider=provider, dap=dap)
    raise InvalidInvitation


@transaction.atomic
def invitation_accept(
    *, user, invitation: ParsedInvitation, accept_relationship: bool, accept_agreement: bool
):
    """**Accept**: activate the relationship(s) and, if chosen, accept the agreement directly.

    ``user`` is the customer's admin account. Accepting twice creates nothing
    new. Returns the list of active relationships. Raises PermissionDenied for
    accounts that aren't a customer's, ValidationError when the relationship
    box isn't ticked or the agreement can't be accepted directly (A9); nothing
    is saved then (A13).
    """
    customer = getattr(user, "customer", None)
    if customer is None:
        raise PermissionDenied(_("Only a customer's admin account can accept an invitation."))
    if not accept_relationship:
        raise ValidationError(
            {"accept_relationship": _("Check the box to accept the reseller relationship.")}
        )
    relationships = []
    for partner, provider in invitation.partners:
        relationship = ResellerRelationship.objects.filter(
            partner=partner, customer=customer, state=ResellerRelationship.State.ACTIVE
        ).first()
        if relationship is None:
            relationship = ResellerRelationship(
                partner=partner,
                customer=customer,
                indirect_provider=provider,
                source=ResellerRelationship.Source.INVITATION,
                delegated_admin=invitation.dap,
            )
            relationship.full_clean()
            relationship.save()
        elif invitation.dap and not relationship.delegated_admin:
            relationship.delegated_admin = True
            relationship.save(update_fields=["delegated_admin"])
        relationships.append(relationship)
    if accept_agreement:
        direct_acceptance_record(user=user, partner=invitation.partner)
    return relationships
