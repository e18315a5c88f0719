"""Each article counts its revisions on its own row: the API's article reads take the count
from there, so the articles app no longer writes the claims app's documents."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_revisions(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleRevision = apps.get_model("articles", "ArticleRevision")
    counts = (
        ArticleRevision.objects.filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    Article.objects.update(revision_count=Coalesce(Subquery(counts), 0))


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_canonical_url_trailing_slash_before_query")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="revision_count",
            field=models.PositiveIntegerField(default=0, db_default=0, editable=False),
        ),
        migrations.RunPython(count_revisions, migrations.RunPython.noop),
    ]
