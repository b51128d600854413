"""Acceptances: created_at from the database clock; a direct acceptance at most once.

Before this, a customer accepting from several tabs at once could record the
same direct acceptance more than once. Those copies say nothing the first one
doesn't (same customer, template, method), so the later copies are removed
before the constraint that prevents them from now on.
"""

import django.db.models.functions.datetime
from django.db import migrations, models


def remove_repeated_direct_acceptances(apps, schema_editor):
    AgreementAcceptance = apps.get_model("agreements", "AgreementAcceptance")
    seen = set()
    repeated = []
    direct = AgreementAcceptance.objects.filter(method="customer_direct").order_by("pk")
    for pk, customer_id, template_id in direct.values_list("pk", "customer_id", "template_id"):
        if (customer_id, template_id) in seen:
            repeated.append(pk)
        seen.add((customer_id, template_id))
    AgreementAcceptance.objects.filter(pk__in=repeated).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0003_agreement_templates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agreementacceptance",
            name="created_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                editable=False,
                verbose_name="created at",
            ),
        ),
        migrations.RunPython(remove_repeated_direct_acceptances, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="agreementacceptance",
            constraint=models.UniqueConstraint(
                condition=models.Q(("method", "customer_direct")),
                fields=("customer", "template"),
                name="agreements_agreementacceptance_one_direct_per_template",
                violation_error_message="You already accepted this agreement.",
            ),
        ),
    ]
