from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnerCenterConfig(AppConfig):
    """The tenant core: partners, users, roles."""

    name = "partnercenter"
    verbose_name = _("Partner Center")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnercenter.roles import sync_role_groups

        # Like Django's own create_permissions: keep role groups in step with MATRIX.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="sync_role_groups")
