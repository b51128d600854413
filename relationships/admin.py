from django.contrib import admin

from relationships.models import IndirectPartnership, ResellerRelationship


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
