from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnerCenterConfig(AppConfig):
    """The tenant core: partners, users, roles."""

    name = "partnercenter"
    verbose_name = _("Partner Center")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnercenter.services import role_groups_sync

        # Like Django's own create_permissions: keep role groups in step with MATRIX.
        post_migrate.connect(role_groups_sync, sender=self, dispatch_uid="role_groups_sync")
