"""Partner organizations and their users (docs/roles.md)."""

import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partnercenter.tenant.roles import Action, Role, may

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
    #: page lists (``partnercenter.tenant.services.customer_list_changed``): the key of that
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
        **Sign out everywhere** (``partnercenter.tenant.services.sessions_end``). At
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
