"""Agreement status rows: the Customers page's data, one row per (customer, partner).

Search indexes differ by database: PostgreSQL gets trigram (pg_trgm) GIN
indexes, so "contains" on the lowered company name and the domain uses an
index; SQLite gets an FTS5 index over the same two columns, kept in step by
triggers, for word-prefix matches. The rows are then computed from the
relationships and acceptance records already there.
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "agr_status_name_trgm": "sort_name",
    "agr_status_domain_trgm": "domain_prefix",
}
FTS = "agreements_agreementstatusrow_fts"
TABLE = "agreements_agreementstatusrow"


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX {name} ON {TABLE} USING gin ({column} gin_trgm_ops)"
            )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(sort_name, domain_prefix, "
            f"content='{TABLE}', content_rowid='id', tokenize='unicode61')"
        )
        old = f"INSERT INTO {FTS}({FTS}, rowid, sort_name, domain_prefix) VALUES ('delete', old.id, old.sort_name, old.domain_prefix);"
        new = f"INSERT INTO {FTS}(rowid, sort_name, domain_prefix) VALUES (new.id, new.sort_name, new.domain_prefix);"
        schema_editor.execute(f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON {TABLE} BEGIN {new} END")
        schema_editor.execute(f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON {TABLE} BEGIN {old} END")
        schema_editor.execute(
            f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON {TABLE} BEGIN {old} {new} END"
        )


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


def fill_rows(apps, schema_editor):
    # The same computation the services and rebuild_agreement_status use, on this
    # migration's models.
    from agreements.status import agreement_status_rebuild

    agreement_status_rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_acceptance_db_clock_and_direct_once"),
        ("customers", "0004_subscription_cancelled"),
        ("partnercenter", "0002_submission"),
        # fill_rows reads relationships as they are from here on.
        ("relationships", "0003_resellerrelationship_delegated_admin_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgreementStatusRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("confirmed", "Confirmed"),
                            ("accepted_by_customer", "Accepted by customer"),
                            ("not_confirmed", "Not confirmed"),
                        ],
                        max_length=32,
                        verbose_name="status",
                    ),
                ),
                ("attested_type", models.CharField(blank=True, max_length=64)),
                ("direct_type", models.CharField(blank=True, max_length=64)),
                ("sort_name", models.CharField(max_length=255)),
                ("domain_prefix", models.CharField(max_length=27)),
                (
                    "own",
                    models.BooleanField(help_text="The partner has its own active relationship."),
                ),
                ("relationship_accepted_at", models.DateTimeField(blank=True, null=True)),
                ("agreement_accepted_at", models.DateTimeField(blank=True, null=True)),
                (
                    "attested_template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agreements.agreementtemplate",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agreement_status_rows",
                        to="customers.customer",
                    ),
                ),
                (
                    "direct_template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agreements.agreementtemplate",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agreement_status_rows",
                        to="partnercenter.partner",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partnercenter.partner",
                    ),
                ),
                (
                    "reseller",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partnercenter.partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "agreement status",
                "verbose_name_plural": "agreement statuses",
                "indexes": [
                    models.Index(
                        fields=["partner", "sort_name", "customer"], name="agr_status_list"
                    ),
                    models.Index(
                        fields=["partner", "status", "sort_name", "customer"],
                        name="agr_status_filter",
                    ),
                    models.Index(fields=["partner", "domain_prefix"], name="agr_status_domain"),
                    models.Index(
                        condition=models.Q(("relationship_accepted_at__isnull", False)),
                        fields=["partner", "-relationship_accepted_at"],
                        name="agr_status_recent_rel",
                    ),
                    models.Index(
                        condition=models.Q(("agreement_accepted_at__isnull", False)),
                        fields=["partner", "-agreement_accepted_at"],
                        name="agr_status_recent_agr",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("customer", "partner"),
                        name="agreements_agreementstatusrow_one_per_pair",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["confirmed", "accepted_by_customer", "not_confirmed"])
                        ),
                        name="agreements_agreementstatusrow_valid_status",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(fill_rows, migrations.RunPython.noop),
    ]
