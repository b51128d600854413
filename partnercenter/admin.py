"""Django admin for back-office staff: partners and users, with role editing."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnercenter.audit.events import EventType
from partnercenter.audit.words import describe
from partnercenter.delivery.outbox import email_resend
from partnercenter.delivery.webhooks import delivery_resend
from partnercenter.models import (
    AuditEvent,
    OutboundEmail,
    Partner,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from partnercenter.signin.services import mfa_reset
from partnercenter.tenant.roles import Action
from partnercenter.tenant.services import (
    customer_list_changed,
    partner_user_roles_check,
    partner_user_update_roles,
    sessions_end,
)
from partnercenter.web.paging import CappedCountPaginator


def permission_label(permission: Permission) -> str:
    """A permission as Django admin lists it, in the user's language: a partner action's
    translated label (``roles.Action``), else Django's "app | model | name"."""
    if permission.codename in Action.values:
        return str(Action(permission.codename).label)
    return str(permission)


def _translated_permissions(form) -> None:
    field = form.fields.get("user_permissions") or form.fields.get("permissions")
    if field is not None:
        field.label_from_instance = permission_label


admin.site.unregister(Group)


class GroupForm(forms.ModelForm):
    """Django's group form with the permissions listed in the user's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _translated_permissions(self)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Roles are groups (``roles.Role``); their permissions as plain, labelled choices."""

    form = GroupForm
    filter_horizontal = ()


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "partner_type", "mpn_id", "tenant_id", "country", "created_at"]
    list_filter = ["partner_type", "country"]
    search_fields = ["name", "mpn_id", "=tenant_id"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        """A renamed partner shows under its new name on every Customers page that names
        it (an indirect provider's or reseller's rows), so every page gets a new version.
        (Deleting needs no such step: a partner named on any list has relationships,
        which protect it from deletion.)"""
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            customer_list_changed()


class PartnerUserChangeForm(UserChangeForm):
    """Django admin's user form, with the dashboard's role rules beside **Roles**."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _translated_permissions(self)

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if self.instance.partner_id and groups is not None and "groups" in self.changed_data:
            try:
                partner_user_roles_check(user=self.instance, roles=[g.name for g in groups])
            except ValidationError as exc:
                self.add_error("groups", exc.messages)
        return cleaned


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
    # Sign-in times are evidence, not settings; plain multi-selects, because the JS filter
    # widget's search icons carry an aria-label on a role-less span (axe).
    readonly_fields = ["last_login", "date_joined", "mfa_reset_at", "mfa_reset_by"]
    filter_horizontal = ()
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

    form = PartnerUserChangeForm

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_related(self, request, form, formsets, change):
        """A partner user's roles change through the service, which records who changed
        them from what to what (``user.roles_changed``)."""
        roles = None
        if change and form.instance.partner_id and "groups" in form.changed_data:
            roles = [g.name for g in form.cleaned_data.pop("groups")]
        super().save_related(request, form, formsets, change)
        if roles is not None:
            partner_user_update_roles(user=form.instance, roles=roles, acting_user=request.user)

    @admin.action(description=_("Reset MFA (lost phone) and sign out everywhere"))
    def reset_mfa(self, request, queryset):
        """The operator's reset for a lost phone: recorded like a User admin's."""
        for user in queryset:
            mfa_reset(user=user, acting_user=request.user)
        self.message_user(
            request,
            _("MFA was reset for %(count)s user(s); they set it up again at their next sign-in.")
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Sign out everywhere"))
    def sign_out_everywhere(self, request, queryset):
        for user in queryset:
            sessions_end(user=user)
        self.message_user(
            request,
            _("%(count)s user(s) were signed out everywhere.") % {"count": len(queryset)},
            messages.SUCCESS,
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["label"] = _("Roles")
            kwargs["help_text"] = _(
                "Partner Center roles (docs/roles.md): what this user may do for its partner."
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
    """The outbox: every email, its state, attempts and last error."""

    list_display = ["created_at", "to_email", "subject", "kind", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to_email"]
    list_select_related = ["partner"]

    @staticmethod
    def resend_service(item):
        email_resend(email=item)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_DeliveryAdmin):
    """Every webhook delivery with the receiver's status code."""

    list_display = ["created_at", "event_name", "endpoint", "state", "status_code", "attempts"]
    list_filter = ["state", "event_name"]
    list_select_related = ["endpoint"]

    @staticmethod
    def resend_service(item):
        delivery_resend(delivery=item)


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


class EventTypeFilter(admin.SimpleListFilter):
    """By event code, from the fixed list (no DISTINCT over a million rows)."""

    title = _("event type")
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return EventType.choices()

    def queryset(self, request, queryset):
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The activity log of every partner, read-only: evidence is never added, changed or
    deleted by hand."""

    list_display = [
        "created_at",
        "event_type",
        "actor_name",
        "partner",
        "customer_name",
        "sentence",
    ]
    list_filter = [EventTypeFilter, "actor_kind"]
    search_fields = ["=request_id", "=object_id", "actor_name", "customer_name"]
    list_select_related = ["partner", "related_partner"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ["-created_at", "-id"]
    actions = None

    @admin.display(description=_("what happened"))
    def sentence(self, obj):
        return describe(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
