"""Django admin: templates and documents; acceptances are evidence, so read-only.

A wrong confirmation is corrected by recording a new one, which goes through
the same service as the dashboard (rules A1–A8, A12).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementAcceptance, AgreementDocument, AgreementTemplate
from agreements.services import acceptance_build, acceptance_record, agreement_template_save
from partnercenter.web.paging import CappedCountPaginator

HTTPS_URLS = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}


class AgreementDocumentInline(admin.TabularInline):
    model = AgreementDocument
    extra = 0
    formfield_overrides = HTTPS_URLS


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    """Staff add a newer version here; the highest versionRank of the type in force is current."""

    list_display = [
        "agreement_type",
        "version_rank",
        "template_id",
        "in_force_from",
        "accepted_until",
        "link",
    ]
    list_filter = ["agreement_type"]
    formfield_overrides = HTTPS_URLS
    inlines = [AgreementDocumentInline]

    def has_delete_permission(self, request, obj=None):
        # Reference data every confirmation and page relies on; add a newer version instead.
        return False

    def save_model(self, request, obj, form, change):
        """A new or changed template may change which agreement is current: the service
        compares every status row with it again and records the change."""
        agreement_template_save(user=request.user, template=obj)


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(admin.ModelAdmin):
    list_display = ["template", "country", "language", "url"]
    list_filter = ["template", "country"]
    formfield_overrides = HTTPS_URLS


class AcceptanceAdminForm(forms.ModelForm):
    """Record a confirmation as a partner user would; every rule is the service's."""

    class Meta:
        model = AgreementAcceptance
        fields = [
            "customer",
            "recorded_by",
            "template",
            "date_agreed",
            "first_name",
            "last_name",
            "email",
            "phone",
        ]
        help_texts = {
            "recorded_by": _("The partner user in whose name the confirmation is recorded.")
        }

    def _post_clean(self):
        # The service validates (and builds) the record; the model's own checks run inside it.
        data = self.cleaned_data
        if self.errors or not data.get("customer") or not data.get("recorded_by"):
            return
        try:
            self.instance = acceptance_build(
                customer=data["customer"],
                user=data["recorded_by"],
                template=data.get("template"),
                date_agreed=data.get("date_agreed"),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
                phone=data.get("phone") or "",
            )
        except PermissionDenied as exc:
            self.add_error(
                "recorded_by",
                str(exc) or _("This user may not confirm acceptance for this customer."),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    form = AcceptanceAdminForm
    list_display = [
        "customer",
        "partner",
        "template",
        "date_agreed",
        "first_name",
        "last_name",
        "method",
        "recorded_by",
        "created_at",
    ]
    list_filter = ["method", "template__agreement_type", "partner"]
    search_fields = [
        "customer__company_name",
        "customer__domain_prefix",
        "email",
        "last_name",
        "partner__name",
    ]
    list_select_related = ["customer", "partner", "template", "recorded_by"]
    raw_id_fields = ["customer", "recorded_by"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = CappedCountPaginator

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in AgreementAcceptance._meta.fields]
        return []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        form.instance = acceptance_record(
            customer=data["customer"],
            user=data["recorded_by"],
            template=data.get("template"),
            date_agreed=data["date_agreed"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data.get("phone") or "",
        )
