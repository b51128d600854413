"""Writes on GDAP admin relationships, access assignments and security groups
(docs/relationships.md, rules G1–G9).

Every write is one transaction that locks the relationship's row first, so a double
click or two approvals at once make one transition: the second sees the new state and
is refused with the rule's message (``StateConflict``). Each transition writes an audit
event and publishes Partner Center's webhook event in the same transaction.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.statusrows import agreement_status_gdap
from customers.models import Customer
from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_event, audit_record, audit_record_many
from partnercenter.delivery.outbox import email_enqueue
from partnercenter.delivery.webhooks import event_publish
from partnercenter.models import OutboundEmail, Partner, User, WebhookEndpoint
from partnercenter.tenant.access import partner_admins, partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.tenant.services import validated_save
from relationships.entraroles import BY_ID, GLOBAL_ADMINISTRATOR
from relationships.models import AccessAssignment, AdminRelationship, SecurityGroup

Status = AdminRelationship.Status

#: Microsoft's limits (rules G2, G4, G8).
MAX_DURATION_DAYS = 730
AUTO_EXTEND_DAYS = 180
REQUEST_EXPIRES_DAYS = 90
NOTICE_DAYS = (30, 7, 1)
#: **Enable / Disable auto-extend** takes at most this many relationships at once.
BULK_AUTO_EXTEND_MAX = 25


class StateConflict(ValidationError):
    """Rule G6: the action doesn't apply to the relationship's status (or it was already
    taken). The message says what the status is."""


class PreconditionFailed(Exception):
    """Rule G5: ``If-Match`` doesn't match the relationship's ETag (Graph answers 412)."""


def _state_message(relationship: AdminRelationship) -> str:
    return _("This admin relationship is %(status)s; that can't be done now.") % {
        "status": relationship.get_status_display().lower()
    }


def _publish(
    relationship: AdminRelationship, event: str, *, assignment: AccessAssignment | None = None
):
    """Partner Center's webhook event about the relationship (or one of its assignments)."""
    uri = f"{settings.SITE_URL}/v1.0/tenantRelationships/delegatedAdminRelationships/{relationship.pk}"
    if assignment is not None:
        uri += f"/accessAssignments/{assignment.pk}"
    event_publish(
        partner=relationship.partner,
        event_name=event,
        resource_uri=uri,
        resource_name="GranularAdminAccessAssignment"
        if assignment
        else "GranularAdminRelationship",
        audit_uri=None,
    )


def _audit(event_type: str, relationship: AdminRelationship, *, actor, **fields) -> None:
    audit_record(
        event_type,
        actor=actor,
        partner=relationship.partner,
        customer=relationship.customer,
        obj=relationship,
        object_type="admin_relationship",
        object_repr=relationship.display_name,
        **fields,
    )


def _assignment_event(event_type: str, assignment: AccessAssignment, relationship: AdminRelationship, *,
                      actor, **fields):  # fmt: skip
    """An unsaved audit event about an access assignment of ``relationship``."""
    return audit_event(
        event_type,
        actor=actor,
        partner=relationship.partner,
        customer=relationship.customer,
        obj=assignment,
        object_type="access_assignment",
        object_repr=f"{assignment.security_group} → {relationship.display_name}",
        **fields,
    )


def _touch(relationship: AdminRelationship, **changes) -> AdminRelationship:
    """Save ``changes`` with a new ETag and modification time."""
    now = timezone.now()
    for field, value in changes.items():
        setattr(relationship, field, value)
    relationship.version += 1
    relationship.last_modified_at = now
    relationship.save(update_fields=[*changes, "version", "last_modified_at"])
    return relationship


def _locked(relationship: AdminRelationship) -> AdminRelationship:
    # Only the relationship's own row is locked: PostgreSQL refuses FOR UPDATE on the
    # nullable side of the join to the customer.
    return (
        AdminRelationship.objects.select_for_update(of=("self",))
        .select_related("partner", "customer")
        .get(pk=relationship.pk)
    )


# --- Checks shared by create and change (rules G1–G4) -----------------------------------


def _check(
    *,
    partner: Partner,
    display_name: str,
    duration_days,
    roles,
    auto_extend_days,
    pk: str | None = None,
) -> dict:
    errors: dict[str, str] = {}
    name = (display_name or "").strip()
    if not name:
        errors["display_name"] = _("Enter a name for the admin relationship.")
    elif len(name) > 50:
        errors["display_name"] = _("Use at most 50 characters.")
    elif (
        AdminRelationship.objects.filter(partner=partner)
        .exclude(pk=pk)
        .annotate(lower_name=Lower("display_name"))
        .filter(lower_name=name.lower())
        .exists()
    ):
        errors["display_name"] = _(
            "Your organization already has an admin relationship with this name."
        )
    if not isinstance(duration_days, int) or not 1 <= duration_days <= MAX_DURATION_DAYS:
        errors["duration_days"] = _("Choose a duration from 1 to %(max)s days.") % {
            "max": MAX_DURATION_DAYS
        }
    ids = [str(r).lower() for r in (roles or [])]
    unknown = [r for r in ids if r not in BY_ID]
    if not ids:
        errors["roles"] = _("Select at least one Microsoft Entra role.")
    elif unknown:
        errors["roles"] = _("These aren't Microsoft Entra roles: %(ids)s.") % {
            "ids": ", ".join(unknown[:5])
        }
    if auto_extend_days not in (0, AUTO_EXTEND_DAYS):
        errors["auto_extend_days"] = _("Auto-extend is 0 or 180 days.")
    elif auto_extend_days and GLOBAL_ADMINISTRATOR in ids:
        errors["auto_extend_days"] = _(
            "Admin relationships with the Global Administrator role can't be extended automatically."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "display_name": name,
        "duration_days": duration_days,
        "roles": [r for r in BY_ID if r in set(ids)],
        "auto_extend_days": auto_extend_days,
    }


# --- The partner's side -------------------------------------------------------------------


@transaction.atomic
def admin_relationship_create(
    *,
    user: User,
    display_name: str,
    duration_days: int,
    roles: Iterable[str],
    auto_extend_days: int = 0,
    customer: Customer | None = None,
    customer_tenant_id: uuid.UUID | None = None,
    customer_display_name: str = "",
) -> AdminRelationship:
    """**Create an admin relationship request** (status ``created``), for a customer the
    partner serves or for a tenant that isn't a customer yet (``customer_tenant_id``).
    Rules G1–G4, G9. Raises PermissionDenied (role), ValidationError keyed by
    ``display_name``, ``duration_days``, ``roles``, ``auto_extend_days``."""
    partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    values = _check(
        partner=partner,
        display_name=display_name,
        duration_days=duration_days,
        roles=roles,
        auto_extend_days=auto_extend_days,
    )
    if customer is not None:
        customer_tenant_id, customer_display_name = customer.tenant_id, customer.company_name
    relationship = AdminRelationship(
        partner=partner,
        customer=customer,
        customer_tenant_id=customer_tenant_id,
        customer_display_name=(customer_display_name or "")[:255],
        created_by=user,
        **values,
    )
    validated_save(relationship)
    _audit(EventType.ADMIN_RELATIONSHIP_CREATED, relationship, actor=user, after={
        "name": relationship.display_name, "duration_days": relationship.duration_days,
        "roles": [BY_ID[r].name for r in relationship.roles],
    })  # fmt: skip
    return relationship


@transaction.atomic
def admin_relationship_update(
    *, user: User, relationship: AdminRelationship, if_match: str | None, **changes
) -> AdminRelationship:
    """Change a ``created`` request (rule G5): ``display_name``, ``duration_days``,
    ``roles``, ``auto_extend_days``. ``if_match`` must be the current ETag. Raises
    PreconditionFailed, StateConflict, ValidationError (G1–G4)."""
    partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    relationship = _locked(relationship)
    if if_match is None or if_match.strip() not in (
        relationship.etag,
        str(relationship.version),
        "*",
    ):
        raise PreconditionFailed
    if relationship.status != Status.CREATED:
        raise StateConflict(_state_message(relationship))
    current = {
        "display_name": relationship.display_name,
        "duration_days": relationship.duration_days,
        "roles": relationship.roles,
        "auto_extend_days": relationship.auto_extend_days,
    }
    values = _check(partner=relationship.partner, pk=relationship.pk, **{**current, **changes})
    return _touch(relationship, **values)


@transaction.atomic
def admin_relationship_delete(*, user: User, relationship: AdminRelationship) -> None:
    """Delete a ``created`` request (rule G5); StateConflict otherwise."""
    partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    relationship = _locked(relationship)
    if relationship.status != Status.CREATED:
        raise StateConflict(_state_message(relationship))
    _audit(EventType.ADMIN_RELATIONSHIP_DELETED, relationship, actor=user)
    relationship.delete()


def approval_url(relationship: AdminRelationship) -> str:
    """The link the customer's admin follows: the admin center's
    ``…#/partners/invitation/granularAdminRelationships/{id}``."""
    base = settings.ADMIN_CENTER_URL.split("#")[0].rstrip("/")
    return (
        f"{base}/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{relationship.pk}"
    )


@transaction.atomic
def admin_relationship_lock(*, user: User, relationship: AdminRelationship) -> AdminRelationship:
    """**Finalize request** (Graph's ``lockForApproval``): ``created`` → ``approvalPending``.
    Raises StateConflict from any other status (rule G6)."""
    partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    relationship = _locked(relationship)
    if relationship.status != Status.CREATED:
        raise StateConflict(_state_message(relationship))
    _touch(relationship, status=Status.APPROVAL_PENDING)
    _audit(EventType.ADMIN_RELATIONSHIP_FINALIZED, relationship, actor=user)
    return relationship


@transaction.atomic
def admin_relationship_request_send(
    *, user: User, relationship: AdminRelationship, to_email: str, subject: str, body: str
) -> OutboundEmail:
    """**Send** the approval email through the outbox (the link must stay in it)."""
    partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    from django.core.validators import validate_email

    try:
        validate_email((to_email or "").strip())
    except ValidationError as exc:
        raise ValidationError({"to_email": _("Enter a valid email address.")}) from exc
    if relationship.status != Status.APPROVAL_PENDING:
        raise StateConflict(_state_message(relationship))
    if approval_url(relationship) not in body:
        raise ValidationError({"body": _("Keep the approval link in the email.")})
    return email_enqueue(
        kind=OutboundEmail.Kind.ADMIN_RELATIONSHIP_REQUEST,
        to_email=to_email.strip(),
        subject=subject,
        body=body,
        about=relationship,
        caused_by=user,
        partner=relationship.partner,
    )


def _end_access(relationship: AdminRelationship, *, actor) -> None:
    live = list(
        relationship.access_assignments.select_for_update().filter(
            status__in=[AccessAssignment.Status.PENDING, AccessAssignment.Status.ACTIVE]
        )
    )
    if not live:
        return
    now = timezone.now()
    AccessAssignment.objects.filter(pk__in=[a.pk for a in live]).update(
        status=AccessAssignment.Status.DELETED, last_modified_at=now, version=F("version") + 1
    )
    for assignment in live:
        _publish(relationship, "granular-admin-access-assignment-deleted", assignment=assignment)
    audit_record_many(
        _assignment_event(
            EventType.ACCESS_ASSIGNMENT_DELETED, assignment, relationship, actor=actor
        )
        for assignment in live
    )


@transaction.atomic
def admin_relationship_terminate(
    *, user: User, relationship: AdminRelationship
) -> AdminRelationship:
    """**Terminate relationship** (partner) or **Remove roles** (customer): ``active`` →
    ``terminationRequested`` → ``terminating`` → ``terminated``; its access assignments
    end. Raises PermissionDenied (role, another tenant), StateConflict (rule G6)."""
    if user.customer_id:
        if relationship.customer_id != user.customer_id:
            raise Http404
    else:
        partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
        if relationship.partner_id != partner.pk:
            raise Http404
    relationship = _locked(relationship)
    if relationship.status != Status.ACTIVE:
        raise StateConflict(_state_message(relationship))
    _end_access(relationship, actor=user)
    _touch(relationship, status=Status.TERMINATED, end_at=timezone.now())
    if relationship.customer_id:
        agreement_status_gdap([relationship.customer_id])
    _audit(EventType.ADMIN_RELATIONSHIP_TERMINATED, relationship, actor=user,
           after={"by": "customer" if user.customer_id else "partner"})  # fmt: skip
    _publish(relationship, "granular-admin-relationship-terminated")
    return relationship


@transaction.atomic
def admin_relationships_auto_extend(
    *, user: User, relationships: list[AdminRelationship], enabled: bool
) -> list[AdminRelationship]:
    """**Enable / Disable auto-extend** for up to 25 relationships at once (rule G4):
    Global Administrator ones can't be enabled (ValidationError naming them), ended ones
    aren't changed. All or nothing."""
    partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    if not relationships:
        raise ValidationError(_("Select at least one admin relationship."))
    if len(relationships) > BULK_AUTO_EXTEND_MAX:
        raise ValidationError(
            _("Select at most %(max)s admin relationships at once.") % {"max": BULK_AUTO_EXTEND_MAX}
        )
    locked = list(
        AdminRelationship.objects.select_for_update()
        .filter(pk__in=[r.pk for r in relationships], partner=partner)
        .order_by("pk")
    )
    if len(locked) != len({r.pk for r in relationships}):
        raise Http404
    ended = {Status.EXPIRED, Status.TERMINATED}
    if enabled:
        refused = [r.display_name for r in locked if GLOBAL_ADMINISTRATOR in r.roles]
        if refused:
            raise ValidationError(
                _(
                    "Auto-extend can't be enabled for admin relationships with the Global "
                    "Administrator role: %(names)s."
                )
                % {"names": ", ".join(refused)}
            )
    days = AUTO_EXTEND_DAYS if enabled else 0
    changed = []
    for relationship in locked:
        if relationship.status in ended or relationship.auto_extend_days == days:
            continue
        _touch(relationship, auto_extend_days=days)
        changed.append(relationship)
    audit_record_many(
        audit_event(
            EventType.ADMIN_RELATIONSHIP_AUTO_EXTEND_CHANGED,
            actor=user,
            partner=partner,
            customer=r.customer,
            obj=r,
            object_type="admin_relationship",
            object_repr=r.display_name,
            after={"auto_extend_days": days},
        )
        for r in changed
    )
    return changed


# --- The customer's side ---------------------------------------------------------------


@transaction.atomic
def admin_relationship_approve(*, user: User, relationship: AdminRelationship) -> AdminRelationship:
    """**Approve all** by the customer's admin: ``approvalPending`` → ``approved`` →
    ``activating`` → ``active``; the end date is the activation plus the duration (G4).
    A request named for another tenant is a 404 (G6); any other status a StateConflict:
    of two approvals at once, the second finds it ``active``."""
    customer = getattr(user, "customer", None)
    if customer is None:
        raise PermissionDenied(_("Only the customer's admin approves partner roles."))
    relationship = _locked(relationship)
    if relationship.customer_id not in (None, customer.pk) or (
        relationship.customer_tenant_id and relationship.customer_tenant_id != customer.tenant_id
    ):
        raise Http404
    if relationship.status != Status.APPROVAL_PENDING:
        raise StateConflict(_state_message(relationship))
    now = timezone.now()
    _touch(
        relationship,
        status=Status.ACTIVE,
        customer=customer,
        customer_tenant_id=customer.tenant_id,
        customer_display_name=customer.company_name,
        approved_by=user,
        activated_at=now,
        end_at=now + datetime.timedelta(days=relationship.duration_days),
        notice_days=0,
    )
    agreement_status_gdap([customer.pk])
    _audit(EventType.ADMIN_RELATIONSHIP_APPROVED, relationship, actor=user,
           after={"end": relationship.end_at.date().isoformat()})  # fmt: skip
    _publish(relationship, "granular-admin-relationship-approved")
    _publish(relationship, "granular-admin-relationship-activated")
    return relationship


# --- Access assignments (rule G7) ------------------------------------------------------


def _assignment_roles(relationship: AdminRelationship, roles) -> list[str]:
    ids = [str(r).lower() for r in (roles or [])]
    if not ids:
        raise ValidationError({"roles": _("Select at least one of the relationship's roles.")})
    outside = [r for r in ids if r not in relationship.roles]
    if outside:
        names = ", ".join(BY_ID[r].name if r in BY_ID else r for r in outside[:5])
        raise ValidationError(
            {"roles": _("The customer didn't approve these roles: %(roles)s.") % {"roles": names}}
        )
    return [r for r in relationship.roles if r in set(ids)]


@transaction.atomic
def access_assignment_create(
    *, user: User, relationship: AdminRelationship, security_group: SecurityGroup, roles
) -> AccessAssignment:
    """**Add access assignment**: ``security_group`` gets ``roles`` of an active
    relationship (``pending`` → ``active``, rule G7)."""
    partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    relationship = _locked(relationship)
    if relationship.partner_id != partner.pk or security_group.partner_id != partner.pk:
        raise Http404
    if relationship.status != Status.ACTIVE:
        raise StateConflict(_state_message(relationship))
    assignment = AccessAssignment(
        relationship=relationship,
        security_group=security_group,
        roles=_assignment_roles(relationship, roles),
        status=AccessAssignment.Status.ACTIVE,
    )
    validated_save(assignment)
    for event_type, event in (
        (EventType.ACCESS_ASSIGNMENT_CREATED, "created"),
        (None, "activated"),
    ):
        if event_type:
            _assignment_event(event_type, assignment, relationship, actor=user,
                              after={"roles": [BY_ID[r].name for r in assignment.roles]}).save()  # fmt: skip
        _publish(relationship, f"granular-admin-access-assignment-{event}", assignment=assignment)
    return assignment


@transaction.atomic
def access_assignment_update(
    *, user: User, assignment: AccessAssignment, roles
) -> AccessAssignment:
    """Change a live assignment's roles (still within the approved ones, G7)."""
    partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    relationship = _locked(assignment.relationship)
    assignment = AccessAssignment.objects.select_for_update().get(pk=assignment.pk)
    if relationship.partner_id != partner.pk:
        raise Http404
    if assignment.status != AccessAssignment.Status.ACTIVE or relationship.status != Status.ACTIVE:
        raise StateConflict(_("This access assignment can't be changed now."))
    before = assignment.roles
    assignment.roles = _assignment_roles(relationship, roles)
    assignment.version += 1
    assignment.last_modified_at = timezone.now()
    assignment.save(update_fields=["roles", "version", "last_modified_at"])
    _assignment_event(EventType.ACCESS_ASSIGNMENT_UPDATED, assignment, relationship, actor=user,
                      before={"roles": before}, after={"roles": assignment.roles}).save()  # fmt: skip
    _publish(relationship, "granular-admin-access-assignment-updated", assignment=assignment)
    return assignment


@transaction.atomic
def access_assignment_delete(*, user: User, assignment: AccessAssignment) -> AccessAssignment:
    """**Remove** an access assignment: ``deleting`` → ``deleted`` (kept for the record)."""
    partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    relationship = _locked(assignment.relationship)
    assignment = AccessAssignment.objects.select_for_update().get(pk=assignment.pk)
    if relationship.partner_id != partner.pk:
        raise Http404
    if assignment.status not in (AccessAssignment.Status.PENDING, AccessAssignment.Status.ACTIVE):
        raise StateConflict(_("This access assignment has ended already."))
    assignment.status = AccessAssignment.Status.DELETED
    assignment.version += 1
    assignment.last_modified_at = timezone.now()
    assignment.save(update_fields=["status", "version", "last_modified_at"])
    _assignment_event(
        EventType.ACCESS_ASSIGNMENT_DELETED, assignment, relationship, actor=user
    ).save()
    _publish(relationship, "granular-admin-access-assignment-deleted", assignment=assignment)
    return assignment


@transaction.atomic
def security_group_create(*, user: User, name: str, members: Iterable[User] = ()) -> SecurityGroup:
    """A new security group of the partner's own users (Settings → **Security groups**)."""
    partner = partner_for_user(user, Action.MANAGE_ADMIN_RELATIONSHIPS)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the security group.")})
    group = SecurityGroup(partner=partner, name=name[:100])
    validated_save(group)
    people = [m for m in members if m.partner_id == partner.pk]
    group.members.set(people)
    return group


# --- The daily lifecycle (rule G8) -----------------------------------------------------

#: Rows read per query while the daily job writes their audit events.
CHUNK = 2000
#: A notice names at most this many relationships; the rest are on the Expiring page.
NOTICE_NAMES = 50


def _rows(queryset):
    """The rows of ``queryset`` in chunks, with what audit events and notices need."""
    return queryset.select_related("partner", "customer").order_by("pk").iterator(chunk_size=CHUNK)


def _audited(event_type: str, queryset, *, after=None) -> list[AdminRelationship]:
    """Write ``event_type`` for every row of ``queryset`` (batched INSERTs) and return the
    rows (for the webhooks); read before the UPDATE that moves them."""
    rows = list(_rows(queryset))
    audit_record_many(
        (audit_event(event_type, partner=r.partner, customer=r.customer, obj=r, object_type="admin_relationship",
                     object_repr=r.display_name, after=after(r) if after else None) for r in rows),
        batch_size=CHUNK,
    )  # fmt: skip
    return rows


def _subscribers(event: str) -> set[int]:
    """The partners with an active webhook listening to ``event`` (one query)."""
    return {
        partner_id
        for partner_id, events in WebhookEndpoint.objects.filter(is_active=True).values_list(
            "partner_id", "events"
        )
        if event in events
    }


def _publish_all(rows: list[AdminRelationship], event: str) -> None:
    listening = _subscribers(event)
    for relationship in rows:
        if relationship.partner_id in listening:
            _publish(relationship, event)


def _end(queryset, now) -> int:
    """``expired``: the relationships of ``queryset`` and their live access assignments,
    in two UPDATEs; audit events in batches; webhooks to the partners that listen."""
    rows = _audited(EventType.ADMIN_RELATIONSHIP_EXPIRED, queryset)
    if not rows:
        return 0
    AccessAssignment.objects.filter(
        relationship__in=queryset.values("pk"),
        status__in=[AccessAssignment.Status.PENDING, AccessAssignment.Status.ACTIVE],
    ).update(status=AccessAssignment.Status.DELETED, last_modified_at=now, version=F("version") + 1)
    moved = queryset.update(status=Status.EXPIRED, version=F("version") + 1, last_modified_at=now)
    agreement_status_gdap({r.customer_id for r in rows if r.customer_id})
    _publish_all(rows, "granular-admin-relationship-expired")
    return moved


def _notices(due: list[AdminRelationship], days: int) -> int:
    """One notice per partner admin per partner (not per relationship): the relationships
    expiring within ``days`` that auto-extend won't renew. Returns the emails queued."""
    by_partner: dict[int, list[AdminRelationship]] = {}
    for relationship in due:
        by_partner.setdefault(relationship.partner_id, []).append(relationship)
    sent = 0
    for relationships in by_partner.values():
        partner = relationships[0].partner
        for admin in partner_admins(partner):
            if not admin.email:
                continue
            with translation.override(admin.language):
                names = "\n".join(
                    f"- {r.display_name} ({r.customer_display_name}, {r.end_at.date().isoformat()})"
                    for r in relationships[:NOTICE_NAMES]
                )
                more = len(relationships) - NOTICE_NAMES
                email_enqueue(
                    kind=OutboundEmail.Kind.ADMIN_RELATIONSHIP_NOTICE,
                    to_email=admin.email,
                    subject=_("Admin relationships expire within %(days)s days") % {"days": days},
                    body=_(
                        "These admin relationships end within %(days)s days and won't be "
                        "extended automatically. Request new ones before then to keep "
                        "access.\n\n%(names)s%(more)s\n\n%(url)s"
                    )
                    % {
                        "days": days,
                        "names": names,
                        "more": ("\n" + _("… and %(count)s more.") % {"count": more})
                        if more > 0
                        else "",
                        "url": settings.SITE_URL
                        + reverse("relationships:admin_relationships_expiring")
                        + f"?bucket={days}",
                    },
                    about=relationships[0],
                    partner=partner,
                )
            sent += 1
    return sent


def _extended_end(relationship: AdminRelationship) -> dict:
    end = relationship.end_at + datetime.timedelta(days=AUTO_EXTEND_DAYS)
    return {"end": end.date().isoformat()}


@transaction.atomic
def admin_relationships_lifecycle(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily job (rule G8), idempotent: each step selects what is due by one indexed
    condition and moves it with one UPDATE, writing its audit events in batches, so a
    day with 100 000 transitions is a few dozen statements, not 100 000. Returns how many
    relationships expired as requests, were extended, expired, and how many notices
    (emails) went out."""
    now = now or timezone.now()
    counts = {}
    stale = AdminRelationship.objects.filter(
        status=Status.APPROVAL_PENDING,
        last_modified_at__lte=now - datetime.timedelta(days=REQUEST_EXPIRES_DAYS),
    )
    counts["requests_expired"] = _end(stale, now)
    # Renewals: auto-extend moves the end date on by 180 days (again, if the job missed
    # more than 180 days).
    renewing = AdminRelationship.objects.filter(
        status=Status.ACTIVE, end_at__lte=now, auto_extend_days__gt=0
    )
    extended = 0
    while renewing.exists():
        rows = _audited(EventType.ADMIN_RELATIONSHIP_EXTENDED, renewing, after=_extended_end)
        extended += renewing.update(
            end_at=F("end_at") + datetime.timedelta(days=AUTO_EXTEND_DAYS),
            version=F("version") + 1,
            last_modified_at=now,
            notice_days=0,
        )
        if not rows:
            break
    counts["extended"] = extended
    # The end date passed without auto-extend: expiring → expired.
    counts["expired"] = _end(
        AdminRelationship.objects.filter(status=Status.ACTIVE, end_at__lte=now, auto_extend_days=0),
        now,
    )
    # Notices before an expiry auto-extend won't prevent: 30, 7 and 1 days before.
    sent = 0
    # Most urgent first: a relationship ending in 5 days gets the 7-day notice, not also the 30-day one.
    for days in sorted(NOTICE_DAYS):
        due = AdminRelationship.objects.filter(
            status=Status.ACTIVE,
            auto_extend_days=0,
            end_at__gt=now,
            end_at__lte=now + datetime.timedelta(days=days),
        ).filter(Q(notice_days=0) | Q(notice_days__gt=days))
        sent += _notices(list(_rows(due)), days)
        due.update(notice_days=days)
    counts["notices"] = sent
    return counts
