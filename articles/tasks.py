"""Celery tasks of articles: thin wrappers that take ids and call one service (STYLE.md).

Minimal version from the API branch so POST /api/v1/articles/ has a task to queue; the
ingestion branch replaces it with the fetching pipeline (same task name and signature).
"""

from celery import shared_task


@shared_task(acks_late=True)
def ingest_article(article_id: int) -> None:
    from articles.models import Article

    # Fetching and extraction arrive with the ingestion work; until then the article stays
    # pending, which is what the 202 answer promised.
    Article.objects.filter(pk=article_id).exists()
