"""Full-text search indexes for PostgreSQL: GIN indexes on the very expressions
selectors.search() asks for (the 'simple' configuration: no stemming, right for Persian and
English alike). Other databases search with a plain LIKE and get nothing here."""

from django.db import migrations

INDEXES = {
    "forum_post_body_search": ("forums_post", "body"),
    "forum_topic_title_search": ("forums_topic", "title"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
            # Exactly what SearchVector(column, config="simple") compiles to.
            f"(to_tsvector('simple'::regconfig, COALESCE({column}, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("forums", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
