from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnerCenterConfig(AppConfig):
    """The tenant core: partners, users, roles."""

    name = "partnercenter"
    verbose_name = _("Partner Center")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from partnercenter.signin.middleware import session_times_start
        from partnercenter.tenant.services import role_groups_sync

        # Every way of signing in (both sign-in pages, MFA, tests' force_login) starts
        # the session's idle and absolute clocks.
        user_logged_in.connect(session_times_start, dispatch_uid="session_times_start")

        # Like Django's own create_permissions: keep role groups in step with MATRIX.
        post_migrate.connect(role_groups_sync, sender=self, dispatch_uid="role_groups_sync")
