"""Canonical URLs lose the trailing slash before a query too ("/story/?id=5" becomes
"/story?id=5"), as ``articles.canonical`` now writes them. A row whose new form another row
already holds keeps its old form, so no article is merged or lost here."""

from urllib.parse import urlsplit, urlunsplit

from django.db import migrations


def _without_trailing_slash(url: str) -> str:
    scheme, netloc, path, query, fragment = urlsplit(url)
    return urlunsplit((scheme, netloc, path.rstrip("/") or "/", query, fragment))


def forwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    rows = Article.objects.filter(canonical_url__contains="/?").only("id", "canonical_url")
    for article in rows.iterator():
        new = _without_trailing_slash(article.canonical_url)
        if new == article.canonical_url:
            continue
        if not Article.objects.filter(canonical_url=new).exists():
            Article.objects.filter(pk=article.pk).update(canonical_url=new)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_feed_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
