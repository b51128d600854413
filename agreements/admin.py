from django import forms
from django.contrib import admin
from django.db import models

from agreements.models import AgreementTemplate


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
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
