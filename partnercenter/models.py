"""Partner organizations and their users (docs/roles.md)."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import connection, connections, models
from django.db.models.functions import Lower, Now
from django.db.models.sql import Query
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partnercenter.roles import Action, Role, may

validate_mpn_id = RegexValidator(
    r"\A[0-9]{1,10}\Z", _("An MPN ID is a number of up to 10 digits."), code="invalid_mpn_id"
)


def validate_time_zone(value: str) -> None:
    """Raise ValidationError unless ``value`` is an IANA time zone name ("Asia/Seoul")."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("%(value)s is not a known time zone."),
            code="invalid_time_zone",
            params={"value": value},
        ) from exc


class Partner(models.Model):
    """A CSP partner organization: the tenant that owns users, customers and records."""

    class PartnerType(models.TextChoices):
        DIRECT_BILL = "direct_bill", _("Direct-bill partner")
        INDIRECT_PROVIDER = "indirect_provider", _("Indirect provider")
        INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")

    name = models.CharField(_("name"), max_length=255)
    tenant_id = models.UUIDField(_("Partner ID"), unique=True, default=uuid.uuid4)
    mpn_id = models.CharField(_("MPN ID"), max_length=10, unique=True, validators=[validate_mpn_id])
    partner_type = models.CharField(_("partner type"), max_length=32, choices=PartnerType.choices)
    country = CountryField(_("country"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    #: A new random value on each commit that changes what the partner's **Customers**
    #: page lists (``partnercenter.services.customer_list_changed``): the key of that
    #: page's cached listing, read with the signed-in user at no extra query.
    customers_version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    partner_type__in=["direct_bill", "indirect_provider", "indirect_reseller"]
                ),
                name="%(app_label)s_%(class)s_valid_partner_type",
            ),
            models.CheckConstraint(
                condition=~models.Q(mpn_id=""), name="%(app_label)s_%(class)s_mpn_id_not_empty"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_indirect_provider(self) -> bool:
        return self.partner_type == self.PartnerType.INDIRECT_PROVIDER

    @property
    def is_indirect_reseller(self) -> bool:
        return self.partner_type == self.PartnerType.INDIRECT_RESELLER


class User(AbstractUser):
    """A person who signs in: a partner user (with roles), a customer's admin, or staff.

    Partner users have ``partner``; a customer's admin account has ``customer``;
    back-office staff have neither.

    The user name is the email address for partner users. ``time_zone`` judges
    "today" for rule A1; ``language`` is the preferred UI language.
    """

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text=_("Empty for back-office staff, who work only in Django admin."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="admin_accounts",
        null=True,
        blank=True,
        help_text=_("Set for a customer's admin account, which signs in to the admin center."),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for a temporary password; the user is asked to change it at sign-in."),
    )

    session_epoch = models.PositiveIntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised to sign the user out everywhere; part of every session's check."),
    )
    mfa_reset_at = models.DateTimeField(_("MFA reset at"), null=True, blank=True, editable=False)
    mfa_reset_by = models.ForeignKey(
        "self",
        verbose_name=_("MFA reset by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="%(app_label)s_%(class)s_unique_email",
                violation_error_message=_("A user with this email address already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(partner__isnull=True) | models.Q(customer__isnull=True),
                name="%(app_label)s_%(class)s_partner_or_customer_not_both",
            ),
        ]

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session check (an HMAC of the password), also ended by ``session_epoch``.

        A password change already changes the hash (Django); raising the epoch
        signs the user out of every session for a removal, an MFA reset or
        **Sign out everywhere** (``partnercenter.services.sessions_end``). At
        epoch 0 the hash is Django's own, so existing sessions stay valid.
        ``secret`` is Django's, for ``SECRET_KEY_FALLBACKS``.
        """
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @cached_property
    def role_names(self) -> list[str]:
        """The Partner Center role names the user holds, in docs/roles.md order.

        Read once per request (cached on the user) by every role check (``may``) and
        the header. One SQL statement written out from the models' table names: the
        ORM's many-to-many query costs twice as long to build as to run, on every
        dashboard request. A test checks it against ``self.groups``.
        """
        db = connections[self._state.db or "default"]
        q = db.ops.quote_name
        groups = User.groups.through
        with db.cursor() as cursor:
            cursor.execute(
                f"SELECT g.{q('name')} FROM {q(Group._meta.db_table)} g "  # noqa: S608 - names from _meta
                f"JOIN {q(groups._meta.db_table)} ug ON ug.{q('group_id')} = g.{q('id')} "
                f"WHERE ug.{q(groups._meta.get_field('user').column)} = %s",
                [self.pk],
            )
            held = {name for (name,) in cursor.fetchall()}
        return [role.value for role in Role if role.value in held]

    @property
    def roles(self) -> list[Role]:
        return [Role(name) for name in self.role_names]

    def may(self, action: Action) -> bool:
        """Shortcut for ``roles.may(self, action)``."""
        return may(self, action)


class Submission(models.Model):
    """One user action that created or sent something, by its one-time form key.

    Every form that creates or sends carries a fresh ``key`` (a hidden field).
    The view records the key in the same transaction as what it creates, under
    a unique constraint, so a double-click, a resubmitted tab or a retried
    request finds the key taken and lands on the first one's ``result_url``
    instead of doing it again (``partnercenter.services.submission_once``).
    """

    key = models.UUIDField(_("form key"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    result_url = models.CharField(_("result page"), max_length=500, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=Now())

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"{self.key} → {self.result_url}"


class Delivery(models.Model):
    """What every outgoing message shares: its state, attempts and last error.

    A message is recorded in the same transaction as what caused it, then a
    worker delivers it: ``queued`` → ``sending`` (claimed by one worker) →
    ``sent``, or back to ``queued`` with ``next_attempt_at`` after a failure,
    and ``failed`` after the last attempt (``partnercenter.outbox``).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "sending", "sent", "failed"]),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=models.Q(state="sent", sent_at__isnull=False)
                | (~models.Q(state="sent") & models.Q(sent_at__isnull=True)),
                name="%(app_label)s_%(class)s_sent_at_iff_sent",
            ),
        ]


class OutboundEmail(Delivery):
    """One email the app sends: recorded first, then sent by a worker.

    ``about_type``/``about_id`` name the record it is about (an invitation, a
    relationship); ``partner`` is the partner whose users may see it and
    select **Resend**. A body carrying a secret (an emailed link's token) is
    kept only sealed (``sealed_body``, Fernet from SECRET_KEY) until sent, and
    ``body`` holds the text with the link left out.
    """

    class Kind(models.TextChoices):
        CUSTOMER_INVITATION = "customer_invitation", _("Reseller relationship request")
        PARTNERSHIP_INVITATION = "partnership_invitation", _("Indirect provider invitation")
        ACCEPTANCE_NOTICE = "acceptance_notice", _("Acceptance notice")
        SECURITY_NOTICE = "security_notice", _("Security notice")

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    sealed_body = models.TextField(_("sealed text"), blank=True, editable=False)
    about_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("about (type)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    about_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    caused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caused by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta(Delivery.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="pc_outboundemail_about_idx"),
            models.Index(fields=["state", "created_at"], name="pc_outboundemail_state_idx"),
        ]

    def __str__(self):
        return f"{self.to_email}: {self.subject} ({self.get_state_display()})"


class WebhookEndpoint(models.Model):
    """A partner's HTTPS address that receives chosen events (Settings → Webhooks).

    ``events`` is a list of event names (``partnercenter.webhooks.EVENTS``).
    ``sealed_secret`` is the HMAC-SHA256 signing key, sealed with Fernet from
    SECRET_KEY; it is shown to the partner once, when the endpoint is added.
    """

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    sealed_secret = models.TextField(_("signing secret (sealed)"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), db_default=Now())

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.url


class WebhookDelivery(Delivery):
    """One event sent (or to be sent) to one endpoint, with the receiver's answer.

    ``body`` is the exact JSON text signed and posted; ``status_code`` the HTTP
    status of the last attempt (None when no answer came).
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_name = models.CharField(_("event"), max_length=80)
    body = models.TextField(_("body"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)

    class Meta(Delivery.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="pc_webhookdelivery_ep_idx"),
        ]

    def __str__(self):
        return f"{self.event_name} → {self.endpoint} ({self.get_state_display()})"


class ScheduledRun(models.Model):
    """One run of a scheduled job for one time slot (``settings.SCHEDULED_JOBS``).

    Unique per job and slot: however many workers check the schedule, the
    first to insert the row enqueues the job, the others find it taken.
    """

    job = models.CharField(_("job"), max_length=80)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), db_default=Now())

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="pc_scheduledrun_unique_slot"),
        ]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class DatabaseNow(Now):
    """``Now()``, written on SQLite with microseconds, as Django writes datetimes there.

    Django's ``Now()`` gives SQLite text with milliseconds ("…:31.865") while a
    datetime parameter is sent with microseconds ("…:31.865000"), so a row's
    own time compares as *less* than itself and keyset paging (``created_at
    <= x``) repeats a row. PostgreSQL compares real timestamps and is unchanged.
    """

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="STRFTIME('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f000', 'NOW')",
            **extra_context,
        )


def database_now() -> datetime.datetime:
    """The database's clock now, as ``DatabaseNow()`` writes it: an aware datetime (UTC).

    For bulk inserts of rows whose ``created_at`` defaults to the database's
    clock: given once per batch it is the same clock, and the INSERT holds only
    plain values, which PostgreSQL takes as a short UNNEST statement instead of
    thousands of placeholders. On PostgreSQL, STATEMENT_TIMESTAMP().
    """
    query = Query(None)
    sql, params = query.get_compiler(connection=connection).compile(
        DatabaseNow().resolve_expression(query)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)  # Django's own compiled expression
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite: text in UTC
        value = parse_datetime(value).replace(tzinfo=datetime.UTC)
    return value


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only record.

    The evidence tables (``AuditEvent`` here, ``agreements.AgreementAcceptance``)
    refuse it in the model and queryset; on PostgreSQL a trigger refuses it
    in the database too (migrations ``partnercenter 0005`` and ``agreements 0006``).
    """


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset whose ``update()`` and ``delete()`` raise ``AppendOnlyError``."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")

    update.queryset_only = True
    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """A model whose rows, once inserted, are never updated or deleted (docs/qualities.md, Evidence)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class AuditEvent(AppendOnlyModel):
    """One change, written by the service that made it in the same transaction.

    ``event_type`` is a stable code (``partnercenter.audit.EventType``);
    ``partner`` is the partner whose action (or whose record) it is, and
    ``related_partner`` the other partner entitled to see it: the indirect
    provider of the acting reseller's relationship, or the other side of a
    partnership. ``before``/``after`` hold only the changed fields (JSON).
    ``created_at`` is the database's clock; ``ip_address``, ``user_agent`` and
    ``request_id`` come from the request that made the change (empty for the
    worker and the shell). Never updated or deleted (``AppendOnlyModel``).
    """

    class ActorKind(models.TextChoices):
        PARTNER_USER = "partner_user", _("Partner user")
        BACK_OFFICE = "back_office", _("Back-office staff")
        CUSTOMER = "customer", _("The customer")
        SYSTEM = "system", _("The system")
        ANONYMOUS = "anonymous", _("Unknown user")

    created_at = models.DateTimeField(_("time"), db_default=DatabaseNow(), editable=False)
    event_type = models.CharField(_("event type"), max_length=48)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting user"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_kind = models.CharField(_("actor"), max_length=16, choices=ActorKind.choices)
    actor_name = models.CharField(
        _("actor's name"),
        max_length=255,
        blank=True,
        help_text=_("As it was at the time; for a failed sign-in, the user name typed."),
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    related_partner = models.ForeignKey(
        Partner,
        verbose_name=_("related partner"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The indirect provider of the acting reseller, or a partnership's other side."),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    customer_name = models.CharField(_("customer's name"), max_length=255, blank=True)
    object_type = models.CharField(_("object type"), max_length=32, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    request_id = models.UUIDField(_("request ID"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Each list walks one of these in order and stops after a page: the partner's
        # own events, its resellers' (related), one customer's, and Django admin's all.
        indexes = [
            models.Index(fields=["partner", "-created_at", "-id"], name="pc_audit_partner_idx"),
            models.Index(
                fields=["related_partner", "-created_at", "-id"],
                name="pc_audit_related_idx",
                condition=models.Q(related_partner__isnull=False),
            ),
            models.Index(
                fields=["customer", "-created_at", "-id"],
                name="pc_audit_customer_idx",
                condition=models.Q(customer__isnull=False),
            ),
            models.Index(fields=["-created_at", "-id"], name="pc_audit_time_idx"),
            # The event-type filter, an index range too (a rare type among a million rows
            # would otherwise be looked for row by row through the partner's index).
            models.Index(
                fields=["partner", "event_type", "-created_at", "-id"], name="pc_audit_p_type_idx"
            ),
            models.Index(
                fields=["related_partner", "event_type", "-created_at", "-id"],
                name="pc_audit_r_type_idx",
                condition=models.Q(related_partner__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(related_partner=models.F("partner")),
                name="%(app_label)s_%(class)s_related_partner_is_another",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} #{self.pk}"
