"""Migration operations for what only PostgreSQL can build.

The embedded SQLite default sorts the same way without them; it just reads more rows.
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations import AddIndex


class AddIndexOnPostgres(AddIndex):
    """AddIndex that builds the index on PostgreSQL only (SQLite has no NULLS LAST in an index).
    The model state gains the index either way, so `makemigrations --check` stays clean."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)
