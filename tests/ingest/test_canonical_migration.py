"""Migration 0004: stored canonical URLs lose the trailing slash before a query, unless another
article already holds that form (nothing is merged or lost)."""

import importlib

from django.db.migrations.loader import MigrationLoader

MIGRATION = "0004_canonical_url_trailing_slash_before_query"


def test_trailing_slash_before_a_query_is_dropped_from_stored_canonical_urls(db):
    # The migration's function, run with the models as they stood before it.
    module = importlib.import_module(f"articles.migrations.{MIGRATION}")
    apps = (
        MigrationLoader(None, ignore_no_migrations=True)
        .project_state(("articles", "0003_feed_roles"))
        .apps
    )
    Article = apps.get_model("articles", "Article")
    rows = {
        url: Article.objects.create(url=url, canonical_url=url).pk
        for url in (
            "https://news.example.org/story/?id=5",  # rewritten
            "https://news.example.org/other/?id=6",  # its new form is taken: kept
            "https://news.example.org/other?id=6",
            "https://news.example.org/?p=7",  # the root keeps its slash
            "https://news.example.org/plain",
        )
    }
    module.forwards(apps, None)
    stored = dict(Article.objects.values_list("pk", "canonical_url"))
    assert {url: stored[pk] for url, pk in rows.items()} == {
        "https://news.example.org/story/?id=5": "https://news.example.org/story?id=5",
        "https://news.example.org/other/?id=6": "https://news.example.org/other/?id=6",
        "https://news.example.org/other?id=6": "https://news.example.org/other?id=6",
        "https://news.example.org/?p=7": "https://news.example.org/?p=7",
        "https://news.example.org/plain": "https://news.example.org/plain",
    }
