"""Addresses the page tests share."""

from django.urls import reverse


def review_url(pages_world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("article_review", args=[pages_world.article.pk]) + (f"?{query}" if query else "")
