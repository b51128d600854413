"""The evidence tables' base (append-only) and the audit event (docs/qualities.md, Evidence)."""

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.functions import Now
from django.db.models.sql import Query
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from partnercenter.tenant.models import Partner


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

    ``event_type`` is a stable code (``partnercenter.audit.events.EventType``);
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
    # Room for an admin relationship id: two GUIDs joined by a dash (73 characters).
    object_id = models.CharField(_("object ID"), max_length=80, blank=True)
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
