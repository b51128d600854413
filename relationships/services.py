"""Writes on reseller relationships, indirect partnerships and invitations (docs/relationships.md, seed 004)."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agreements.statusrows import agreement_status_sync
from customers.models import Customer
from customers.selectors import customer_has_active_subscriptions_through
from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_event, audit_record, audit_record_many
from partnercenter.delivery.outbox import email_enqueue, notice_enqueue
from partnercenter.delivery.webhooks import event_publish
from partnercenter.models import OutboundEmail, Partner, User
from partnercenter.tenant.access import partner_admins, partner_for_user
from partnercenter.tenant.roles import Action, Role
from partnercenter.tenant.services import validated_save
from partnercenter.web.sealing import token_digest
from relationships.invitations import (
    InvitationEmail,
    InvitationKind,
    compose_body,
    invitation_url,
)
from relationships.models import (
    IndirectPartnership,
    Invitation,
    PartnershipInvitation,
    ResellerRelationship,
)


def _clean_email(value: str, field: str) -> str:
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError({field: _("Enter a valid email address.")}) from exc
    return value


def active_partnership(*, provider: Partner, reseller: Partner) -> IndirectPartnership | None:
    """The active partnership between ``provider`` and ``reseller``, or None."""
    return IndirectPartnership.objects.filter(
        provider=provider, reseller=reseller, state=IndirectPartnership.State.ACTIVE
    ).first()


def customer_invitation_url(*, partner: Partner, provider: Partner | None, dap: bool) -> str:
    """The link for Request a reseller relationship (no provider) or Invite new customers."""
    if provider is None:
        return invitation_url(InvitationKind.RESELLER, partner=partner, dap=dap)
    return invitation_url(
        InvitationKind.INDIRECT_RESELLER, partner=partner, provider=provider, dap=dap
    )


@transaction.atomic
def invitation_send(
    *, user, to_email: str, subject: str, text: str, dap: bool, provider: Partner | None = None
) -> Invitation:
    """Email a customer the invitation to a reseller relationship, and record it.

    The link is generated here (``dap`` asks for delegated admin privileges)
    and always included: ``text`` may be edited, but if it lacks the link, the
    link is added (docs/relationships.md). With ``provider``, the invitation is an indirect
    reseller's "Invite new customers" for that provider. The email leaves after
    the transaction commits. Raises PermissionDenied (role), Http404 (no such
    partnership), ValidationError keyed by ``to_email``/``subject``.
    """
    partner = partner_for_user(user, Action.INVITE_CUSTOMERS)
    if provider is not None and active_partnership(provider=provider, reseller=partner) is None:
        raise Http404("No partnership with this indirect provider.")
    to_email = _clean_email(to_email, "to_email")
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Enter a subject.")})
    url = customer_invitation_url(partner=partner, provider=provider, dap=dap)
    other = customer_invitation_url(partner=partner, provider=provider, dap=not dap)
    body = compose_body((text or "").replace(other, url), url)
    invitation = Invitation(
        partner=partner,
        indirect_provider=provider,
        kind=InvitationKind.INDIRECT_RESELLER if provider else InvitationKind.RESELLER,
        delegated_admin=dap,
        to_email=to_email,
        subject=subject,
        body=body,
        url=url,
        sent_by=user,
    )
    validated_save(invitation)
    audit_record(
        EventType.INVITATION_SENT,
        actor=user,
        partner=partner,
        related_partner=provider,
        obj=invitation,
        object_type="invitation",
        object_repr=to_email,
        after={"email": to_email, "delegated_admin": dap, "url": url},
    )
    email_enqueue(
        kind=OutboundEmail.Kind.CUSTOMER_INVITATION,
        to_email=to_email,
        subject=subject,
        body=body,
        about=invitation,
        caused_by=user,
        partner=partner,
    )
    return invitation


def reseller_find(key: str) -> Partner:
    """An indirect reseller by Partner ID (tenant UUID) or MPN ID.

    Raises ValidationError keyed by ``reseller`` when none matches.
    """
    key = (key or "").strip()
    partners = Partner.objects.filter(partner_type=Partner.PartnerType.INDIRECT_RESELLER)
    try:
        found = partners.filter(tenant_id=uuid.UUID(key)).first()
    except ValueError:
        found = partners.filter(mpn_id=key).first() if key.isdigit() else None
    if found is None:
        raise ValidationError(
            {"reseller": _("No indirect reseller has this Partner ID or MPN ID.")}
        )
    return found


@transaction.atomic
def partnership_invite(*, user, reseller_key: str, email: str) -> PartnershipInvitation:
    """An indirect provider invites an indirect reseller to authorize it (seed 004).

    ``reseller_key`` is the reseller's Partner ID or MPN ID. The email, with a
    link into this dashboard, is queued in the outbox in this transaction. Raises PermissionDenied
    (role, or the user's partner isn't an indirect provider) and
    ValidationError keyed by ``reseller``/``email``.
    """
    provider = partner_for_user(user, Action.MANAGE_PARTNERSHIPS)
    if not provider.is_indirect_provider:
        raise PermissionDenied(_("Only indirect providers invite indirect resellers."))
    reseller = reseller_find(reseller_key)
    email = _clean_email(email, "email")
    if active_partnership(provider=provider, reseller=reseller):
        raise ValidationError(
            {"reseller": _("You already work with %(name)s.") % {"name": reseller.name}}
        )
    token = secrets.token_urlsafe(32)
    invitation = validated_save(
        PartnershipInvitation(
            provider=provider,
            reseller=reseller,
            email=email,
            token_hash=token_digest(token),
            sent_by=user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
        )
    )
    audit_record(
        EventType.PARTNERSHIP_INVITED,
        actor=user,
        partner=provider,
        related_partner=reseller,
        obj=invitation,
        object_type="partnership_invitation",
        object_repr=email,
        after=_partnership_sides(provider, reseller) | {"email": email},
    )
    _partnership_invitation_mail(invitation, token=token, user=user)
    return invitation


def _partnership_sides(provider: Partner, reseller: Partner) -> dict:
    return {"provider": provider.name, "reseller": reseller.name}


def partnership_invitation_email(
    invitation: PartnershipInvitation, *, token: str, user
) -> InvitationEmail:
    """The email inviting ``invitation.reseller``, with the link that carries ``token``.

    Written in ``user``'s language (the provider's sender). ``url`` is the
    absolute link (settings.SITE_URL) to ``relationships:authorize``.
    """
    link = settings.SITE_URL + reverse("relationships:authorize", args=[token])
    with translation.override(user.language):
        subject = _("%(provider)s invites you to authorize them as your indirect provider") % {
            "provider": invitation.provider.name
        }
        body = render_to_string(
            "relationships/email/partnership_invitation.txt",
            {
                "provider": invitation.provider,
                "reseller": invitation.reseller,
                "link": link,
                "sender": user,
                "expires_at": invitation.expires_at,
            },
        )
    return InvitationEmail(subject=subject, body=body, url=link, to=invitation.email)


def _partnership_invitation_mail(invitation: PartnershipInvitation, *, token: str, user) -> None:
    """Queue the email with the invitation link; the link's ``token`` is stored only sealed."""
    email = partnership_invitation_email(invitation, token=token, user=user)
    email_enqueue(
        kind=OutboundEmail.Kind.PARTNERSHIP_INVITATION,
        to_email=invitation.email,
        subject=email.subject,
        body=email.body,
        about=invitation,
        caused_by=user,
        partner=invitation.provider,
        secret=email.url,
    )


@transaction.atomic
def partnership_invitation_resend(
    *, user, invitation: PartnershipInvitation
) -> PartnershipInvitation:
    """Send a pending invitation again with a fresh link.

    The new link gets a new token and a new ``expires_at``; the old link stops
    working, and an expired invitation is pending again. Raises
    PermissionDenied unless ``user`` may manage partnerships of the inviting
    provider, ValidationError when it was already accepted.
    """
    invitation, token = _partnership_invitation_renew(user=user, invitation=invitation)
    _partnership_invitation_mail(invitation, token=token, user=user)
    return invitation


@transaction.atomic
def partnership_invitation_link(*, user, invitation: PartnershipInvitation) -> InvitationEmail:
    """**Get link**: a fresh link for a pending invitation, to copy or open in the
    provider's own email app — nothing is emailed.

    As **Resend**: a new token and ``expires_at``, the earlier link stops
    working, an expired invitation is pending again; the same errors. Returns
    the invitation email (``partnership_invitation_email``) carrying the link,
    which is kept nowhere: the caller shows it once.
    """
    invitation, token = _partnership_invitation_renew(user=user, invitation=invitation)
    return partnership_invitation_email(invitation, token=token, user=user)


def _partnership_invitation_renew(*, user, invitation: PartnershipInvitation):
    """Give a pending invitation a new token and expiry; ``(invitation, token)``."""
    provider = partner_for_user(user, Action.MANAGE_PARTNERSHIPS)
    invitation = PartnershipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.provider_id != provider.pk:
        raise PermissionDenied
    if not invitation.is_pending:
        raise ValidationError(_("This invitation was already accepted."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_digest(token)
    invitation.sent_at = now
    invitation.sent_by = user
    invitation.expires_at = now + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    invitation.state = PartnershipInvitation.State.PENDING
    invitation.save(update_fields=["token_hash", "sent_at", "sent_by", "expires_at", "state"])
    return invitation, token


def partnership_invitations_expire(*, now=None) -> int:
    """Mark pending partnership invitations past ``expires_at`` as ``expired``.

    The scheduled ``expire-invitations`` job and ``manage.py
    expire_invitations`` call it. Returns how many changed.
    """
    return PartnershipInvitation.objects.filter(
        state=PartnershipInvitation.State.PENDING, expires_at__lte=now or timezone.now()
    ).update(state=PartnershipInvitation.State.EXPIRED)


def relationship_acceptance_notify(
    *, customer, invitation, created: list[ResellerRelationship], agreement: bool
) -> None:
    """Tell the inviting partner that ``customer`` accepted.

    ``invitation`` is the ParsedInvitation the customer followed; ``created``
    the relationships the acceptance made (none when it repeated an earlier
    one: nobody is told twice); ``agreement`` whether the customer accepted
    the agreement too. The partner's users who emailed that link (either DAP
    variant) get an email — Admin agents and Global admins when the link was
    copied rather than sent. Webhooks: ``reseller-relationship-accepted-by-
    customer`` for the inviting partner, and ``indirect-reseller-relationship-
    accepted-by-customer`` for its indirect provider.
    """
    partner = invitation.partner
    ours = [r for r in created if r.partner_id == partner.pk]
    if not ours:
        return
    urls = [
        customer_invitation_url(partner=partner, provider=invitation.provider, dap=dap)
        for dap in (False, True)
    ]
    senders = list(
        User.objects.filter(
            pk__in=Invitation.objects.filter(partner=partner, url__in=urls).values("sent_by")
        )
    )
    resource_uri = settings.SITE_URL + reverse("customers:detail", args=[customer.pk])
    notice_enqueue(
        recipients=senders or partner_admins(partner),
        partner=partner,
        about=ours[0],
        subject=_lazy("%(customer)s accepted your reseller relationship"),
        template="relationships/email/relationship_accepted.txt",
        context={
            "customer": customer,
            "provider": invitation.provider,
            "agreement": agreement,
            "link": resource_uri,
        },
        params={"customer": customer.company_name},
    )
    audit_uri = settings.SITE_URL + reverse("agreements:history", args=[customer.pk])
    event_publish(
        partner=partner,
        event_name="reseller-relationship-accepted-by-customer",
        resource_uri=resource_uri,
        resource_name="customerrelationship",
        audit_uri=audit_uri,
    )
    if invitation.provider is not None:
        event_publish(
            partner=invitation.provider,
            event_name="indirect-reseller-relationship-accepted-by-customer",
            resource_uri=resource_uri,
            resource_name="customerrelationship",
            audit_uri=audit_uri,
        )


INVITATION_EXPIRED = _lazy("This invitation has expired — ask for a new one.")


def partnership_invitation_get_for_user(user, token: str) -> PartnershipInvitation:
    """The invitation behind an emailed link, for a user of the invited reseller.

    Raises Http404 for an unknown token (a resent link replaces the old one) or
    a user of another partner. An expired invitation is returned: the caller
    shows it as expired (``is_expired``).
    """
    partner = partner_for_user(user)
    invitation = (
        PartnershipInvitation.objects.select_related("provider", "reseller")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if invitation is None or invitation.reseller_id != partner.pk:
        raise Http404("No such invitation for your organization.")
    return invitation


@transaction.atomic
def partnership_authorize(
    *, user, invitation: PartnershipInvitation, confirmed: bool
) -> IndirectPartnership:
    """The reseller's Global admin ticks the box and selects **Authorize indirect provider**.

    Returns the active partnership (an existing one if already active).
    Raises PermissionDenied unless ``user`` is a Global admin of the invited
    reseller, ValidationError when the box isn't ticked or the invitation was
    already used.
    """
    if user.partner_id != invitation.reseller_id or Role.GLOBAL_ADMIN.value not in user.role_names:
        raise PermissionDenied(
            _("Only a Global admin of the invited reseller can authorize an indirect provider.")
        )
    if not confirmed:
        raise ValidationError({"confirm": _("Check the box to confirm the partnership.")})
    invitation = PartnershipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation was already accepted."))
    if invitation.is_expired:
        raise ValidationError(INVITATION_EXPIRED)
    notice_enqueue(
        recipients=[invitation.sent_by],
        partner=invitation.provider,
        about=invitation,
        subject=_lazy("%(reseller)s authorized you as their indirect provider"),
        template="relationships/email/partnership_accepted.txt",
        context={"reseller": invitation.reseller, "provider": invitation.provider, "user": user},
        params={"reseller": invitation.reseller.name},
    )
    partnership = active_partnership(provider=invitation.provider, reseller=invitation.reseller)
    if partnership is None:
        partnership = IndirectPartnership(
            provider=invitation.provider, reseller=invitation.reseller
        )
        validated_save(partnership)
    invitation.state = PartnershipInvitation.State.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["state", "accepted_by", "accepted_at"])
    audit_record(
        EventType.PARTNERSHIP_AUTHORIZED,
        actor=user,
        partner=invitation.reseller,
        related_partner=invitation.provider,
        obj=partnership,
        object_type="partnership",
        object_repr=f"{invitation.provider} → {invitation.reseller}",
        after=_partnership_sides(invitation.provider, invitation.reseller),
    )
    return partnership


@transaction.atomic
def partnership_end(*, user, partnership: IndirectPartnership) -> IndirectPartnership:
    """Either side ends an active partnership; the row stays, as ``ended``.

    Raises PermissionDenied (role), Http404 (not one of the user's partnerships
    or not active).
    """
    partner = partner_for_user(user, Action.MANAGE_PARTNERSHIPS)
    partnership = IndirectPartnership.objects.select_for_update().get(pk=partnership.pk)
    if (
        partner.pk not in (partnership.provider_id, partnership.reseller_id)
        or partnership.state != "active"
    ):
        raise Http404("No such active partnership.")
    partnership.state = IndirectPartnership.State.ENDED
    partnership.ended_at = timezone.now()
    partnership.save(update_fields=["state", "ended_at"])
    provider, reseller = partnership.provider, partnership.reseller
    audit_record(
        EventType.PARTNERSHIP_ENDED,
        actor=user,
        partner=partner,
        related_partner=reseller if partner.pk == provider.pk else provider,
        obj=partnership,
        object_type="partnership",
        object_repr=f"{provider} → {reseller}",
        before={"state": "active"},
        after=_partnership_sides(provider, reseller) | {"state": "ended"},
    )
    return partnership


@transaction.atomic
def relationship_remove(
    *, user, relationship: ResellerRelationship, confirmed: bool
) -> ResellerRelationship:
    """**Remove customer relationship**: the customer leaves the partner's list (seed 004).

    The row stays with state ``removed``; the status rows follow in this transaction
    (the partner's row goes, and its provider's if no other reseller serves the
    customer). Raises PermissionDenied (role),
    Http404 (not the partner's own active relationship), ValidationError when
    the good-faith statement isn't ticked or the customer has active
    subscriptions through this partner.
    """
    partner = partner_for_user(user, Action.REMOVE_RELATIONSHIP)
    relationship = ResellerRelationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.partner_id != partner.pk or not relationship.is_active:
        raise Http404("No such active relationship.")
    if not confirmed:
        raise ValidationError({"confirm": _("Check the box to confirm the statement.")})
    if customer_has_active_subscriptions_through(relationship.customer, partner=partner):
        raise ValidationError(
            _(
                "You can't remove this relationship while the customer has active subscriptions "
                "through your organization. Cancel them first."
            )
        )
    relationship.state = ResellerRelationship.State.REMOVED
    relationship.removed_at = timezone.now()
    relationship.save(update_fields=["state", "removed_at"])
    # The customer leaves the partner's list (and its provider's, if no other reseller
    # serves it) in this transaction.
    agreement_status_sync(relationship.customer)
    audit_record(
        EventType.RELATIONSHIP_REMOVED,
        actor=user,
        partner=partner,
        related_partner=relationship.indirect_provider,
        customer=relationship.customer,
        obj=relationship,
        object_type="relationship",
        object_repr=partner.name,
        before={"state": "active"},
        after={"state": "removed", "partner": partner.name},
    )
    return relationship


@transaction.atomic
def relationship_create(
    *, partner: Partner, customer, indirect_provider: Partner | None = None, user=None
) -> ResellerRelationship:
    """The active relationship a partner gets by creating ``customer`` (docs/customers.md).

    Records ``relationship.activated`` by ``user``. Raises ValidationError when
    the provider doesn't fit the partner's type or the partner already has an
    active relationship with the customer.
    """
    relationship = ResellerRelationship(
        partner=partner, customer=customer, indirect_provider=indirect_provider
    )
    validated_save(relationship)
    agreement_status_sync(customer)
    audit_record_many([_activated(relationship, user=user)])
    return relationship


def _activated(relationship: ResellerRelationship, *, user):
    """The ``relationship.activated`` event of a new relationship (unsaved)."""
    return audit_event(
        EventType.RELATIONSHIP_ACTIVATED,
        actor=user,
        partner=relationship.partner,
        related_partner=relationship.indirect_provider,
        customer=relationship.customer,
        obj=relationship,
        object_type="relationship",
        object_repr=relationship.partner.name,
        after={
            "state": "active",
            "partner": relationship.partner.name,
            "source": relationship.source,
            "delegated_admin": relationship.delegated_admin,
        },
    )


@transaction.atomic
def invitation_relationships_activate(
    *, customer, invitation, user=None
) -> tuple[list[ResellerRelationship], list[ResellerRelationship]]:
    """The relationship(s) a customer gets by accepting ``invitation`` (a ParsedInvitation).

    An existing active relationship is kept (accepting twice creates nothing
    new) and gains delegated admin privileges if the link asked for them.
    Returns the active relationships, one per partner the link names, and
    the subset this call created; records ``relationship.activated`` by
    ``user`` (the customer's admin account) for each created one, in one INSERT.
    """
    # Concurrent accepts of one customer's invitations (20 tabs) queue here, so each
    # finds what the one before it made instead of failing on the unique constraint.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    relationships, created = [], []
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
            validated_save(relationship)
            created.append(relationship)
        elif invitation.dap and not relationship.delegated_admin:
            relationship.delegated_admin = True
            relationship.save(update_fields=["delegated_admin"])
        relationships.append(relationship)
    audit_record_many(_activated(r, user=user) for r in created)
    agreement_status_sync(customer)
    return relationships, created
