"""Django admin for customers: search, country and agreement-status filters."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementAcceptance
from agreements.status import current_agreement_type
from customers.models import Customer, Offer, Subscription
from customers.services import STAFF_FIELDS, customer_update
from partnercenter.web.paging import CappedCountPaginator


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
        # One probe per customer on agreements_acc_current (customer, partner, created_at):
        # any partner's record counts here, relationship or not (back office's question).
        current = AgreementAcceptance.objects.filter(
            customer=OuterRef("pk"), template__agreement_type=current_agreement_type() or "-"
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

    list_display = ["company_name", "domain", "country_code", "cloud_instance", "created_at"]
    list_filter = ["country", AgreementStatusFilter, "cloud_instance"]
    search_fields = ["company_name", "domain_prefix", "=tenant_id", "contact_email"]
    readonly_fields = ["tenant_id", "created_at"]
    show_full_result_count = False
    paginator = CappedCountPaginator

    @admin.display(description=_("country/region"), ordering="country")
    def country_code(self, obj):
        # The code as stored: Django's default looks the value up in all ~250 choices per row.
        return obj.country.code

    def save_model(self, request, obj, form, change):
        """Through the service, which records each changed field's old and new value;
        a corrected company name or domain moves the partners' list rows too
        (same transaction)."""
        values = {
            name: form.cleaned_data[name] for name in form.changed_data if name in STAFF_FIELDS
        }
        customer_update(user=request.user, customer=obj, values=values)

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
    raw_id_fields = ["customer", "cancelled_by"]
    show_full_result_count = False
    paginator = CappedCountPaginator
