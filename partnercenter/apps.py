import axes.apps
import django_otp.plugins.otp_static.apps
import django_otp.plugins.otp_totp.apps
import django_tasks_db.apps
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnerCenterConfig(AppConfig):
    """The tenant core: partners, users, roles."""

    name = "partnercenter"
    # The app's own config among the others this module defines (below).
    default = True
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


# Back-office staff read these apps' names in Django admin: in words and translated, not
# the packages' raw labels ("AXES", "OTP_STATIC").


class AxesConfig(axes.apps.AppConfig):
    """django-axes, named for Django admin."""

    default = False
    verbose_name = _("Sign-in attempts")


class OtpTotpConfig(django_otp.plugins.otp_totp.apps.DefaultConfig):
    """django-otp's authenticator apps, named for Django admin."""

    default = False
    verbose_name = _("MFA: authenticator apps")


class OtpStaticConfig(django_otp.plugins.otp_static.apps.DefaultConfig):
    """django-otp's recovery codes, named for Django admin."""

    default = False
    verbose_name = _("MFA: recovery codes")


class TasksDatabaseConfig(django_tasks_db.apps.TasksAppConfig):
    """django-tasks' database backend, named for Django admin."""

    default = False
    verbose_name = _("Background jobs")
