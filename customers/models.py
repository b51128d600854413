"""Customers: the tenants a partner serves (docs/customers.md)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from customers.markets import phone_required
from customers.validators import validate_company_name, validate_domain_prefix

#: Every tenant's default domain ends so; customers type only the prefix (docs/customers.md).
DOMAIN_SUFFIX = ".onmicrosoft.com"


def default_domain(domain_prefix: str) -> str:
    """``"contoso"`` → ``"contoso.onmicrosoft.com"``: a tenant's full default domain."""
    return f"{domain_prefix}{DOMAIN_SUFFIX}"


class Customer(models.Model):
    """A customer tenant with its company details and primary contact."""

    class CloudInstance(models.TextChoices):
        PUBLIC = "public", _("Public cloud")
        US_GOVERNMENT = "us_government", _("US Government")
        GERMANY = "germany", _("Germany")

    company_name = models.CharField(
        _("company name"), max_length=255, validators=[validate_company_name]
    )
    domain_prefix = models.CharField(
        _("domain"),
        max_length=27,
        validators=[validate_domain_prefix],
        help_text=_("The part before .onmicrosoft.com."),
    )
    tenant_id = models.UUIDField(_("tenant ID"), unique=True, default=uuid.uuid4)
    country = CountryField(_("country/region"))
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state/province/region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    culture = models.CharField(_("culture"), max_length=16, default="en-US")
    cloud_instance = models.CharField(
        _("cloud instance"),
        max_length=16,
        choices=CloudInstance.choices,
        default=CloudInstance.PUBLIC,
    )
    contact_first_name = models.CharField(_("first name"), max_length=50)
    contact_last_name = models.CharField(_("last name"), max_length=50)
    contact_email = models.EmailField(_("email"))
    contact_phone = PhoneNumberField(_("phone number"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = [Lower("company_name"), "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                Lower("domain_prefix"),
                name="%(app_label)s_%(class)s_unique_domain",
                violation_error_message=_("This domain is already taken."),
            ),
            # The full a-z0-9 pattern lives in the validator; portable SQL can say
            # "lower case and not empty" (PostgreSQL's varchar(27) caps the length).
            models.CheckConstraint(
                condition=models.Q(domain_prefix=Lower("domain_prefix"))
                & ~models.Q(domain_prefix=""),
                name="%(app_label)s_%(class)s_domain_prefix_lower_case",
            ),
            models.CheckConstraint(
                condition=models.Q(cloud_instance__in=["public", "us_government", "germany"]),
                name="%(app_label)s_%(class)s_valid_cloud_instance",
            ),
        ]
        # The Customers page walks this index in order and stops after one page.
        indexes = [models.Index(Lower("company_name"), "id", name="customers_company_name_lower")]

    def __str__(self):
        return self.company_name

    @property
    def domain(self) -> str:
        """The full default domain, ``<prefix>.onmicrosoft.com``."""
        return default_domain(self.domain_prefix)

    @property
    def culture_name(self) -> str:
        """The language of ``culture`` in the reader's language with the code, e.g.
        "Korean (ko-KR)" / "한국어 (ko-KR)"; the code alone if Django doesn't know it."""
        try:
            info = translation.get_language_info(self.culture.lower())
        except KeyError:
            return self.culture
        return f"{info['name_translated']} ({self.culture})"

    @property
    def is_national_cloud(self) -> bool:
        return self.cloud_instance != self.CloudInstance.PUBLIC

    @property
    def phone_required(self) -> bool:
        """Whether this customer's market requires the primary contact's phone number."""
        return phone_required(self.country)

    def clean(self):
        super().clean()
        if self.domain_prefix:
            self.domain_prefix = self.domain_prefix.strip().lower()
        if self.country and self.phone_required and not self.contact_phone:
            raise ValidationError(
                {
                    "contact_phone": _("A phone number is required for customers in %(country)s.")
                    % {"country": self.country.name}
                }
            )
        if self.contact_phone and not self.contact_phone.is_valid():
            raise ValidationError({"contact_phone": _("Enter a valid phone number.")})

    @property
    def primary_contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}".strip()


class Offer(models.Model):
    """An offer in the small catalogue partners order from (data, from a migration)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    #: The API's ``offerId`` (Partner Center's offer ids are GUIDs).
    offer_id = models.UUIDField(_("offer ID"), unique=True, default=uuid.uuid4, editable=False)
    seat_based = models.BooleanField(
        _("seat-based"),
        default=True,
        help_text=_("Usage-based offers such as Azure plan have no seat count."),
    )
    term_months = models.PositiveIntegerField(_("term (months)"), default=12)
    is_active = models.BooleanField(_("available to order"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """A customer's subscription, bought through one partner (docs/customers.md, as far as the rules need)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    partner = models.ForeignKey(
        "partnercenter.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text=_("The partner through which it was bought."),
    )
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    #: The API's subscription ``id``.
    subscription_id = models.UUIDField(
        _("subscription ID"), unique=True, default=uuid.uuid4, editable=False
    )
    #: The order that bought it (one order may buy several subscriptions); empty for
    #: subscriptions older than orders having ids.
    order_id = models.UUIDField(_("order ID"), null=True, blank=True, editable=False)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    auto_renew = models.BooleanField(_("auto-renew"), default=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    term_end = models.DateField(
        _("term ends"), help_text=_("Renewed by renew_subscriptions when auto-renew is on.")
    )
    renewed_at = models.DateTimeField(_("last renewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "partnercenter.User",
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the term ended without auto-renewal."),
    )

    class Meta:
        ordering = ["customer", "offer__name", "pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="%(app_label)s_%(class)s_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["active", "cancelled"]),
                name="%(app_label)s_%(class)s_valid_state",
            ),
            models.CheckConstraint(
                condition=models.Q(state="cancelled", cancelled_at__isnull=False)
                | models.Q(state="active", cancelled_at__isnull=True, cancelled_by__isnull=True),
                name="%(app_label)s_%(class)s_cancelled_at_iff_cancelled",
            ),
        ]

    def __str__(self):
        return f"{self.offer} × {self.seats} ({self.customer})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE
