from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    """Reseller relationships and indirect partnerships (docs/relationships.md)."""

    name = "relationships"
    verbose_name = _("Relationships")
    default_auto_field = "django.db.models.BigAutoField"
