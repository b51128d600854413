from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["company_name", "domain", "country", "cloud_instance", "created_at"]
    list_filter = ["country", "cloud_instance"]
    search_fields = ["company_name", "domain_prefix", "=tenant_id", "contact_email"]
    readonly_fields = ["created_at"]
    show_full_result_count = False
