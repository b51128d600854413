from django.contrib import admin

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
        "accepted_by",
        "accepted_at",
    ]
    list_filter = ["state", "provider"]
    search_fields = ["provider__name", "reseller__name", "email"]
    list_select_related = ["provider", "reseller", "accepted_by"]
    readonly_fields = ["token", "sent_by", "sent_at", "accepted_by", "accepted_at"]

    def has_add_permission(self, request):
        return False
