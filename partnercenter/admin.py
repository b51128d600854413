"""Django admin for back-office staff: partners and users, with role editing."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from partnercenter import outbox, services, webhooks
from partnercenter.models import OutboundEmail, Partner, User, WebhookDelivery, WebhookEndpoint
from partnercenter.paging import CappedCountPaginator


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "partner_type", "mpn_id", "tenant_id", "country", "created_at"]
    list_filter = ["partner_type", "country"]
    search_fields = ["name", "mpn_id", "=tenant_id"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "partner",
        "role_list",
        "is_active",
        "is_staff",
    ]
    list_filter = ["partner__partner_type", "groups", "is_active", "is_staff", "is_superuser"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "partner__name",
        "partner__mpn_id",
    ]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "time_zone", "language")},
        ),
        (_("Partner and roles"), {"fields": ("partner", "groups", "must_change_password")}),
        (
            _("Back-office access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Sign-in security"), {"fields": ("mfa_reset_at", "mfa_reset_by")}),
    )
    readonly_fields = ["mfa_reset_at", "mfa_reset_by"]
    actions = ["reset_mfa", "sign_out_everywhere"]
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "partner",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.action(description=_("Reset MFA (lost phone) and sign out everywhere"))
    def reset_mfa(self, request, queryset):
        """The operator's reset for a lost phone: recorded like a User admin's (issue #11)."""
        for user in queryset:
            services.mfa_reset(user=user, acting_user=request.user)
        self.message_user(
            request,
            _("MFA was reset for %(count)s user(s); they set it up again at their next sign-in.")
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Sign out everywhere"))
    def sign_out_everywhere(self, request, queryset):
        for user in queryset:
            services.sessions_end(user=user)
        self.message_user(
            request,
            _("%(count)s user(s) were signed out everywhere.") % {"count": len(queryset)},
            messages.SUCCESS,
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["label"] = _("Roles")
            kwargs["help_text"] = _(
                "Partner Center roles (SPEC §2): what this user may do for its partner."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return ", ".join(obj.role_names)


class _DeliveryAdmin(admin.ModelAdmin):
    """Read-only: messages change only through the worker and **Resend**."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_filter = ["state"]
    actions = ["resend"]
    resend_service = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend (failed ones)"))
    def resend(self, request, queryset):
        done = 0
        for item in queryset.filter(state=OutboundEmail.State.FAILED):
            type(self).resend_service(item)
            done += 1
        self.message_user(
            request, _("%(count)s message(s) queued again.") % {"count": done}, messages.SUCCESS
        )


@admin.register(OutboundEmail)
class OutboundEmailAdmin(_DeliveryAdmin):
    """The outbox (issue #12): every email, its state, attempts and last error."""

    list_display = ["created_at", "to_email", "subject", "kind", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to_email"]
    list_select_related = ["partner"]

    @staticmethod
    def resend_service(item):
        outbox.email_resend(email=item)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_DeliveryAdmin):
    """Every webhook delivery with the receiver's status code."""

    list_display = ["created_at", "event_name", "endpoint", "state", "status_code", "attempts"]
    list_filter = ["state", "event_name"]
    list_select_related = ["endpoint"]

    @staticmethod
    def resend_service(item):
        webhooks.delivery_resend(delivery=item)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Partners' webhooks; staff may switch one off (``is_active``). The secret isn't shown."""

    list_display = ["url", "partner", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["partner"]
    fields = ["partner", "url", "events", "is_active", "created_by", "created_at"]
    readonly_fields = ["partner", "url", "events", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False
