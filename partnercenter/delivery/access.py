"""Scoped access to the partner's outgoing emails and webhooks (docs/style.md, habit 1)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from partnercenter.models import OutboundEmail, WebhookDelivery, WebhookEndpoint
from partnercenter.tenant.access import partner_for_user, pk_or_404, require
from partnercenter.tenant.roles import Action

#: Who may see and **Resend** an email of each kind: those who may send it.
EMAIL_KIND_ACTION = {
    OutboundEmail.Kind.CUSTOMER_INVITATION: Action.INVITE_CUSTOMERS,
    OutboundEmail.Kind.PARTNERSHIP_INVITATION: Action.MANAGE_PARTNERSHIPS,
    OutboundEmail.Kind.ACCEPTANCE_NOTICE: Action.VIEW_CUSTOMERS,
    # A user's own sign-in notices: those who manage the partner's users.
    OutboundEmail.Kind.SECURITY_NOTICE: Action.MANAGE_USERS,
    OutboundEmail.Kind.ADMIN_RELATIONSHIP_REQUEST: Action.MANAGE_ADMIN_RELATIONSHIPS,
    OutboundEmail.Kind.ADMIN_RELATIONSHIP_NOTICE: Action.VIEW_CUSTOMERS,
}


def outbound_email_get_for_user(user, pk) -> OutboundEmail:
    """One outgoing email of ``user``'s partner.

    Raises Http404 when ``pk`` is malformed, unknown or another partner's,
    PermissionDenied when ``user`` may not send emails of its kind.
    """
    partner = partner_for_user(user)
    email = get_object_or_404(OutboundEmail, pk=pk_or_404(pk), partner=partner)
    require(user, EMAIL_KIND_ACTION[email.kind])
    return email


def emails_about(objects) -> dict:
    """The newest outgoing email about each of ``objects`` (one model), by primary key.

    One query however many objects; objects without an email are absent.
    """
    objects = list(objects)
    if not objects:
        return {}
    emails = OutboundEmail.objects.filter(
        about_type=ContentType.objects.get_for_model(objects[0]),
        about_id__in=[str(o.pk) for o in objects],
    ).order_by("created_at", "pk")
    return {int(e.about_id): e for e in emails}


def webhook_endpoints_for_user(user) -> QuerySet[WebhookEndpoint]:
    """The webhooks of ``user``'s partner. Raises PermissionDenied unless a Global admin."""
    partner = partner_for_user(user, Action.MANAGE_WEBHOOKS)
    return WebhookEndpoint.objects.filter(partner=partner)


def webhook_endpoint_get_for_user(user, pk) -> WebhookEndpoint:
    """One webhook of ``user``'s partner; Http404 outside it, PermissionDenied by role."""
    return get_object_or_404(webhook_endpoints_for_user(user), pk=pk_or_404(pk))


def webhook_delivery_get_for_user(user, pk) -> WebhookDelivery:
    """One delivery to a webhook of ``user``'s partner; Http404 outside it."""
    return get_object_or_404(
        WebhookDelivery.objects.filter(endpoint__in=webhook_endpoints_for_user(user)),
        pk=pk_or_404(pk),
    )
