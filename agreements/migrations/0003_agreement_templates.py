"""Agreement templates as Partner Center's agreement metadata gives them (docs/rules.md)."""

import datetime
import uuid

from django.db import migrations

TEMPLATES = [
    {
        "agreement_type": "MicrosoftCloudAgreement",
        "template_id": uuid.UUID("998b88de-aa99-4388-a42c-1b3517d49490"),
        "version_rank": 1,
        "link": "https://docs.microsoft.com/partner-center/agreements",
        # Optional from 2018-08-07, mandatory from 2018-11-07; not accepted after 2020-01-31.
        "in_force_from": datetime.date(2018, 8, 7),
        "accepted_until": datetime.date(2020, 1, 31),
    },
    {
        "agreement_type": "MicrosoftCustomerAgreement",
        "template_id": uuid.UUID("117a77b0-9360-443b-8795-c6dedc750cf9"),
        "version_rank": 1,
        "link": "https://aka.ms/customeragreement",
        "in_force_from": datetime.date(2019, 10, 1),
        "accepted_until": None,
    },
]


def add_templates(apps, schema_editor):
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    for row in TEMPLATES:
        AgreementTemplate.objects.update_or_create(
            agreement_type=row["agreement_type"],
            version_rank=row["version_rank"],
            defaults=row,
        )


def remove_templates(apps, schema_editor):
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    for row in TEMPLATES:
        AgreementTemplate.objects.filter(
            agreement_type=row["agreement_type"],
            template_id=row["template_id"],
            version_rank=row["version_rank"],
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_initial")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
