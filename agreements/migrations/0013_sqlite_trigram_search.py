"""SQLite's Customers search matches inside words, as PostgreSQL's does.

The FTS5 index over the status rows' company name and domain used the unicode61
tokenizer, which matches words from their start: "ental" found no "Rental", and
development behaved unlike production (pg_trgm, "contains"). FTS5's trigram tokenizer
(SQLite 3.34+) indexes every three characters, so a phrase query matches anywhere. The
same triggers keep it in step; PostgreSQL is untouched.
"""

from django.db import migrations

FTS = "agreements_agreementstatusrow_fts"
TABLE = "agreements_agreementstatusrow"


def _recreate(schema_editor, tokenizer: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for suffix in ("ai", "ad", "au"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(sort_name, domain_prefix, "
        f"content='{TABLE}', content_rowid='id', tokenize='{tokenizer}')"
    )
    old = f"INSERT INTO {FTS}({FTS}, rowid, sort_name, domain_prefix) VALUES ('delete', old.id, old.sort_name, old.domain_prefix);"
    new = f"INSERT INTO {FTS}(rowid, sort_name, domain_prefix) VALUES (new.id, new.sort_name, new.domain_prefix);"
    schema_editor.execute(f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON {TABLE} BEGIN {new} END")
    schema_editor.execute(f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON {TABLE} BEGIN {old} END")
    schema_editor.execute(f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON {TABLE} BEGIN {old} {new} END")
    schema_editor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def forwards(apps, schema_editor):
    _recreate(schema_editor, "trigram")


def backwards(apps, schema_editor):
    _recreate(schema_editor, "unicode61")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0012_readable_field_names")]

    operations = [migrations.RunPython(forwards, backwards)]
