"""Writes on partners and partner users (keyword-only, atomic, full_clean first: docs/style.md)."""

import secrets
import string
import uuid

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from partnercenter.audit.events import EventType
from partnercenter.audit.record import audit_record
from partnercenter.models import Partner, User
from partnercenter.tenant.roles import MATRIX, Action, Role, may_grant, may_manage_user

_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def temporary_password_make(*, length: int = 16) -> str:
    """A random temporary password of ``length`` characters (letters and digits).

    It always holds an upper-case letter, a lower-case letter and a digit, so it
    passes Django's password validators and the usual tenant policies.
    """
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def validated_save(
    instance: models.Model, *, exclude=None, update_fields=None, clean: bool = True
) -> models.Model:
    """``full_clean()`` then ``save()``; a rule lost to a concurrent write says what the slow case says.

    Between our check and our insert another transaction may commit a row that
    breaks a unique constraint (two people taking one domain, a double-click).
    The database refuses ours with IntegrityError; we then validate again —
    now the rule sees the other row — and raise the rule's own ValidationError
    ("This domain is already taken.", "This confirmation already exists.", ...).
    The insert runs in a savepoint, so the caller's transaction stays usable.
    An IntegrityError that no rule explains is re-raised: it is a bug, not a race.
    ``clean=False`` when the caller has just run ``full_clean()`` itself.
    Every service writes through this (docs/qualities.md, Integrity; A12, A13).
    """
    if clean:
        instance.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError:
        instance.full_clean(exclude=exclude)
        raise
    return instance


def _role_groups(roles) -> list[Group]:
    names = [Role(r).value for r in roles]
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) != len(set(names)):
        raise ValidationError({"roles": _("An unknown role was chosen.")})
    return groups


def partner_user_manage_check(*, acting_user: User | None, user: User | None, roles=None) -> None:
    """Raise unless ``acting_user`` may act on ``user``'s account and give it ``roles``.

    The user-management rules of docs/roles.md ("Who may manage whom"):

    - **U1** only a Global admin may grant or take away the Global admin role (``roles``
      holding it, or ``user`` holding it now) — PermissionDenied;
    - **U2** only a Global admin may change anything of a Global admin's account: its
      roles, its MFA (Reset MFA), removing it — PermissionDenied;
    - **U3** nobody changes their own roles — ValidationError keyed by ``roles``.

    ``user`` None: a new user (Add user). ``roles`` None: the action is not a role
    change (Reset MFA, Remove user). ``acting_user`` None is the system (demo data,
    management commands), and an account without a partner is back-office staff in
    Django admin (the operators who recover a partner's locked-out Global admin):
    both are allowed. Microsoft Entra keeps a User Administrator from managing
    Global Administrators the same way; without it a User admin could make itself
    Global admin.
    """
    if acting_user is None or not acting_user.partner_id:
        return
    # Reaching for Global admin is forbidden (403) before it is a form error (U3).
    granting = roles is not None and Role.GLOBAL_ADMIN.value in {str(r) for r in roles}
    if granting and not may_grant(acting_user, Role.GLOBAL_ADMIN):
        raise PermissionDenied(_("Only a Global admin can grant the Global admin role."))
    if user is not None and not may_manage_user(acting_user, user):
        raise PermissionDenied(GLOBAL_ADMIN_ONLY)
    own = user is not None and roles is not None and user.pk == acting_user.pk
    if own and set(_role_order(roles)) != set(user.role_names):
        raise ValidationError({"roles": OWN_ROLES})


#: Rule U3's message, also shown on a user's own page instead of the roles form.
OWN_ROLES = _lazy("You can't change your own roles. Ask another Global admin.")
#: Rule U2's message, also shown to a User admin on a Global admin's page.
GLOBAL_ADMIN_ONLY = _lazy(
    "Only a Global admin can change a Global admin's roles, reset their MFA or remove them."
)


def _check_global_admin_remains(*, partner: Partner, losing: User) -> None:
    """Raise ValidationError if ``losing`` is the partner's last active Global admin."""
    others = (
        User.objects.filter(partner=partner, is_active=True, groups__name=Role.GLOBAL_ADMIN)
        .exclude(pk=losing.pk)
        .exists()
    )
    if not others:
        raise ValidationError(_("A partner must keep at least one Global admin."))


@transaction.atomic
def partner_user_create(
    *,
    partner: Partner,
    first_name: str,
    last_name: str,
    email: str,
    roles,
    acting_user: User | None = None,
) -> tuple[User, str]:
    """Add a user to ``partner`` with a temporary password (seed 004, "Add a new user").

    Returns ``(user, temporary_password)``; the password is stored only hashed
    and the user must change it at first sign-in. Raises ValidationError for
    a taken email (any case), missing names or no role; nothing is saved. A
    taken email gets ``EMAIL_UNAVAILABLE`` whoever holds it — this partner,
    another partner or a customer — so the form never reveals another
    organization's users. Raises PermissionDenied when ``acting_user`` may not
    grant one of ``roles`` (``partner_user_manage_check``, rule U1). Records
    ``user.added`` by ``acting_user`` (None: the system, e.g. demo data).
    """
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    partner_user_manage_check(acting_user=acting_user, user=None, roles=roles)
    email = User.objects.normalize_email(email).strip()
    if email_taken(email):
        raise ValidationError({"email": EMAIL_UNAVAILABLE})
    user = User(
        partner=partner,
        username=email.lower(),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        must_change_password=True,
    )
    password = temporary_password_make()
    user.set_password(password)
    if not user.first_name or not user.last_name:
        raise ValidationError(_("Enter the user's first and last name."))
    try:
        validated_save(user)
    except ValidationError as exc:
        # Lost a race for the email: the same answer as the slow case.
        if {"username", "email"} & set(getattr(exc, "error_dict", {})) or email_taken(email):
            raise ValidationError({"email": EMAIL_UNAVAILABLE}) from None
        raise
    groups = _role_groups(roles)
    user.groups.set(groups)
    user_event_record(
        EventType.USER_ADDED,
        user=user,
        actor=acting_user,
        after={"email": user.email, "roles": _role_order(g.name for g in groups)},
    )
    return user, password


def user_repr(user: User) -> str:
    """How an event names a user's account: "Full Name (email)"."""
    return f"{user.get_full_name()} ({user.email})"


def user_event_record(event_type: str, *, user: User, actor: User | None, **fields) -> None:
    """Record ``event_type`` (a ``user.*`` code) about ``user``'s account, by ``actor``
    (None: the system), in the caller's transaction; ``fields`` are ``audit_record``'s
    others (``before``, ``after``). The event belongs to ``user``'s partner."""
    audit_record(
        event_type,
        actor=actor,
        partner=user.partner,
        obj=user,
        object_type="user",
        object_repr=user_repr(user),
        **fields,
    )


def _role_order(names) -> list[str]:
    names = set(names)
    return [role.value for role in Role if role.value in names]


#: Add user's one answer for an email that is taken anywhere (no enumeration).
EMAIL_UNAVAILABLE = _lazy("This email address can't be used. Choose another.")


def email_taken(email: str) -> bool:
    """Whether any account signs in as ``email`` or has it as its email (any case)."""
    return User.objects.filter(
        models.Q(username__iexact=email) | models.Q(email__iexact=email)
    ).exists()


@transaction.atomic
def partner_user_update_roles(*, user: User, roles, acting_user: User | None = None) -> User:
    """Replace ``user``'s roles (seed 004, "Assign user permissions").

    Records ``user.roles_changed`` (before/after role names) by ``acting_user``
    when the roles differ. Raises PermissionDenied or ValidationError where
    ``partner_user_manage_check`` refuses (rules U1–U3), and ValidationError for
    no role or when it would leave the partner without a Global admin
    (``partner_user_roles_check``, rule U4).
    """
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    partner_user_manage_check(acting_user=acting_user, user=user, roles=roles)
    groups = partner_user_roles_check(user=user, roles=roles)
    before = _role_order(user.groups.values_list("name", flat=True))
    after = _role_order(g.name for g in groups)
    user.groups.set(groups)
    user.__dict__.pop("role_names", None)
    if before != after:
        user_event_record(
            EventType.USER_ROLES_CHANGED,
            user=user,
            actor=acting_user,
            before={"roles": before},
            after={"roles": after},
        )
    return user


def partner_user_roles_check(*, user: User, roles) -> list[Group]:
    """The role groups for ``roles`` if ``user`` may hold exactly them; else ValidationError
    (no role, an unknown one, or the partner's last Global admin losing the role)."""
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    groups = _role_groups(roles)
    losing = Role.GLOBAL_ADMIN.value not in {g.name for g in groups}
    if losing and user.groups.filter(name=Role.GLOBAL_ADMIN).exists():
        _check_global_admin_remains(partner=user.partner, losing=user)
    return groups


@transaction.atomic
def partner_user_remove(*, user: User, acting_user: User) -> User:
    """Remove ``user`` from the partner's users.

    The account is deactivated, not deleted, so records it made keep naming
    who made them. Raises ValidationError when removing oneself or the last
    Global admin, PermissionDenied when a User admin removes a Global admin (U2).
    """
    if user.pk == acting_user.pk:
        raise ValidationError(_("You can't remove your own account."))
    partner_user_manage_check(acting_user=acting_user, user=user)
    if Role.GLOBAL_ADMIN.value in user.role_names:
        _check_global_admin_remains(partner=user.partner, losing=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_end(user=user)
    user_event_record(
        EventType.USER_REMOVED,
        user=user,
        actor=acting_user,
        before={"is_active": True},
        after={"is_active": False},
    )
    return user


def sessions_end(*, user: User) -> None:
    """Sign ``user`` out of every session, on every device.

    Raises ``session_epoch``, which is part of the hash every session is
    checked against (``User._get_session_auth_hash``); the next request of
    each session finds it stale and is signed out.
    """
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def role_groups_sync(*, using: str = "default", **_kwargs) -> None:
    """Create one Group per Role and give it exactly the permissions MATRIX lists.

    Connected to ``post_migrate``; safe to run any number of times.
    """
    # As Django's create_permissions does: a flush (TransactionTestCase) leaves
    # stale ids in the content type cache.
    ContentType.objects.clear_cache()
    content_type = ContentType.objects.db_manager(using).get_for_model(Partner)
    with translation.override("en"):  # stored in English; Django admin shows them translated
        for action in Action:
            Permission.objects.using(using).update_or_create(
                content_type=content_type,
                codename=action.value,
                defaults={"name": str(action.label)},
            )
    permissions = {
        p.codename: p
        for p in Permission.objects.using(using).filter(
            content_type=content_type, codename__in=[a.value for a in Action]
        )
    }
    for role, actions in MATRIX.items():
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([permissions[a.value] for a in actions])


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """Give ``user`` a new ``password`` (already validated by the form), ending a
    temporary password. Records ``user.password_changed``. Django's password change
    view then keeps this session signed in; the user's other sessions end, since the
    password is part of every session's hash."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    user_event_record(
        EventType.USER_PASSWORD_CHANGED,
        user=user,
        actor=user,
    )
    return user


# --- The Customers page's cached listing -------------------------------------


def customer_list_changed(partner_ids=None) -> None:
    """Give ``partner_ids`` (an iterable of Partner pks; None: every partner) a new
    ``Partner.customers_version`` once the current transaction commits, so their
    **Customers** pages stop reading the listing cached under the old one.

    Every write that changes what a Customers page lists calls it: the status-row
    services (``agreements.services``; Django admin's edits of customers and
    relationships go through them), the rebuild command, seeding, and a partner
    renamed in Django admin. After the commit, not in
    the transaction: the new value takes no row lock that two writers could wait on
    in opposite orders. A process that dies between its commit and this update leaves
    the old listing in use until the cache entry expires (CACHES["pages"] TIMEOUT,
    300 s). The rows are locked in primary-key order, so two of these never deadlock.
    """
    ids = None if partner_ids is None else sorted(set(partner_ids))
    if ids == []:
        return

    def bump():
        with transaction.atomic():
            partners = Partner.objects.all() if ids is None else Partner.objects.filter(pk__in=ids)
            list(partners.select_for_update().order_by("pk").values_list("pk", flat=True))
            partners.update(customers_version=uuid.uuid4())

    transaction.on_commit(bump, robust=True)
