"""Full-text search of the article inbox on PostgreSQL: a GIN index on the English vector of
each revision's title and text, the expression ``ArticleQuerySet.search`` filters on."""

from django.db import migrations

# Word for word the SQL of SearchVector("title", "text", config="english"): PostgreSQL uses an
# expression index only for the same expression.
CREATE_SQL = (
    "CREATE INDEX articlerevision_search ON articles_articlerevision USING gin ("
    "to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(text, '')))"
)
DROP_SQL = "DROP INDEX IF EXISTS articlerevision_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches by substring (ArticleQuerySet.search) and needs no index.
    schema_editor.execute(CREATE_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_article_last_error_public")]

    operations = [migrations.RunPython(create_index, drop_index)]
