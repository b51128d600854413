"""Keep the trigram indexes' pending lists short.

A GIN index adds new entries to an unsorted *pending list* that every search
reads whole until the list reaches ``gin_pending_list_limit`` (4 MB by
default) or a vacuum merges it. At 1 000 000 customers the Customers search
read 240 + 136 pending pages (4 ms of its 4 ms) on a freshly loaded database;
in steady use the lists sit anywhere between empty and 4 MB. At 128 kB a
search reads at most 16 pages of each, and inserts and updates merge the list
in small batches instead of one large one. PostgreSQL only; SQLite's FTS5
index has no such list. The lists there now are merged at once.
"""

from django.db import migrations

INDEXES = ("agr_status_name_trgm", "agr_status_domain_trgm")
LIMIT_KB = 128


def shorten(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = {LIMIT_KB})")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_bulk_validated_rows")]

    operations = [migrations.RunPython(shorten, restore, elidable=False)]
