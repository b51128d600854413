"""Acceptance records are append-only in the database too.

On PostgreSQL a trigger refuses UPDATE and DELETE on
``agreements_agreementacceptance`` (the function comes from partnercenter 0005);
on SQLite the model's ``AppendOnlyModel`` guard stands alone.
"""

from django.db import migrations

TRIGGER = """
CREATE TRIGGER agreements_agreementacceptance_append_only
BEFORE UPDATE OR DELETE ON agreements_agreementacceptance
FOR EACH ROW EXECUTE FUNCTION partnercenter_append_only();
"""


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS agreements_agreementacceptance_append_only "
            "ON agreements_agreementacceptance"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0005_agreement_status_rows"),
        ("partnercenter", "0005_audit_event"),
    ]

    operations = [migrations.RunPython(install_trigger, remove_trigger)]
