from django.contrib import admin

from agreements.statusrows import agreement_status_sync
from partnercenter.web.paging import CappedCountPaginator
from relationships.models import (
    IndirectPartnership,
    Invitation,
    PartnershipInvitation,
    ResellerRelationship,
)


@admin.register(ResellerRelationship)
class ResellerRelationshipAdmin(admin.ModelAdmin):
    list_display = ["partner", "customer", "indirect_provider", "state", "since", "removed_at"]
    list_filter = ["state", "partner"]
    search_fields = ["partner__name", "customer__company_name", "customer__domain_prefix"]
    list_select_related = ["partner", "customer", "indirect_provider"]
    raw_id_fields = ["customer"]
    autocomplete_fields = ["partner", "indirect_provider"]
    show_full_result_count = False
    paginator = CappedCountPaginator

    def save_model(self, request, obj, form, change):
        """Staff corrections move the partners' status rows too, in the same transaction."""
        before = (
            ResellerRelationship.objects.filter(pk=obj.pk)
            .values_list("customer_id", flat=True)
            .first()
        )
        super().save_model(request, obj, form, change)
        agreement_status_sync(obj.customer)
        if before and before != obj.customer_id:
            agreement_status_sync(obj.customer.__class__(pk=before))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        agreement_status_sync(obj.customer)

    def delete_queryset(self, request, queryset):
        customers = {r.customer for r in queryset.select_related("customer")}
        super().delete_queryset(request, queryset)
        for customer in customers:
            agreement_status_sync(customer)


@admin.register(IndirectPartnership)
class IndirectPartnershipAdmin(admin.ModelAdmin):
    list_display = ["provider", "reseller", "state", "since", "ended_at"]
    list_filter = ["state", "provider"]
    search_fields = ["provider__name", "reseller__name", "reseller__mpn_id"]
    list_select_related = ["provider", "reseller"]
    autocomplete_fields = ["provider", "reseller"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Sent customer invitations: a record of who sent what to whom. Read-only."""

    list_display = [
        "sent_at",
        "partner",
        "kind",
        "indirect_provider",
        "to_email",
        "delegated_admin",
        "sent_by",
    ]
    list_filter = ["kind", "delegated_admin", "partner"]
    search_fields = ["to_email", "partner__name", "subject"]
    list_select_related = ["partner", "indirect_provider", "sent_by"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(PartnershipInvitation)
class PartnershipInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "sent_at",
        "provider",
        "reseller",
        "email",
        "state",
        "expires_at",
        "accepted_by",
        "accepted_at",
    ]
    list_filter = ["state", "provider"]
    search_fields = ["provider__name", "reseller__name", "email"]
    list_select_related = ["provider", "reseller", "accepted_by"]
    readonly_fields = [
        "token_hash",
        "sent_by",
        "sent_at",
        "expires_at",
        "accepted_by",
        "accepted_at",
    ]

    def has_add_permission(self, request):
        return False
