from django import template

register = template.Library()


@register.filter
def articles_of(claim) -> list:
    """The distinct articles a claim appears in, from its prefetched appearances (a claim
    appears once per revision, so one article may come up several times)."""
    seen, articles = set(), []
    for appearance in claim.appearances.all():
        article = appearance.revision.article
        if article.pk not in seen:
            seen.add(article.pk)
            articles.append(article)
    return articles
