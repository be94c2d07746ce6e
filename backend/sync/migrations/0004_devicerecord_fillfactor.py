"""Room on each page of sync_devicerecord for the acknowledgement of its rows.

A pull writes a row per record it sends, then the next pull sets `acked_seq` on those rows.
On full pages that update writes each new row version to another page and a new entry into
each of the table's three indexes; with free room on the page and no indexed column changed,
PostgreSQL updates in place (a HOT update) and touches no index."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_conflict_entry")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE sync_devicerecord SET (fillfactor = 50)",
            "ALTER TABLE sync_devicerecord RESET (fillfactor)",
        )
    ]
