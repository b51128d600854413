"""Django admin for customers: search, country and agreement-status filters."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementAcceptance, AgreementTemplate
from customers.models import Customer, Offer, Subscription


class AgreementStatusFilter(admin.SimpleListFilter):
    """Whether anyone has confirmed (or the customer accepted) the current agreement."""

    title = _("Microsoft Customer Agreement")
    parameter_name = "agreement"

    def lookups(self, request, model_admin):
        return [
            ("confirmed", _("Confirmed by a partner")),
            ("direct", _("Accepted by customer")),
            ("none", _("Not confirmed")),
        ]

    def queryset(self, request, queryset):
        template = AgreementTemplate.objects.current()
        current = AgreementAcceptance.objects.filter(
            customer=OuterRef("pk"),
            template__agreement_type=getattr(template, "agreement_type", ""),
        )
        attested = Exists(current.filter(method=AgreementAcceptance.Method.PARTNER_ATTESTATION))
        direct = Exists(current.filter(method=AgreementAcceptance.Method.CUSTOMER_DIRECT))
        if self.value() == "confirmed":
            return queryset.filter(attested)
        if self.value() == "direct":
            return queryset.filter(direct)
        if self.value() == "none":
            return queryset.exclude(attested).exclude(direct)
        return queryset


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Customers are created by partners (New customer), which also makes the admin
    account and relationship; staff inspect and correct them here."""

    list_display = ["company_name", "domain", "country", "cloud_instance", "created_at"]
    list_filter = ["country", AgreementStatusFilter, "cloud_instance"]
    search_fields = ["company_name", "domain_prefix", "=tenant_id", "contact_email"]
    readonly_fields = ["tenant_id", "created_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "seat_based", "term_months", "is_active"]
    list_filter = ["seat_based", "is_active"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "offer",
        "seats",
        "auto_renew",
        "partner",
        "state",
        "created_at",
    ]
    list_filter = ["state", "auto_renew", "partner"]
    search_fields = ["customer__company_name", "customer__domain_prefix", "offer__name"]
    list_select_related = ["customer", "partner", "offer"]
    raw_id_fields = ["customer"]
