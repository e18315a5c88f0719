"""The one line per article that the ingestion commands print (SPEC section 9)."""

from django.apps import apps

from pipeline.ingest import CheckReport


def candidate_count(article) -> int:
    """Check-worthy candidates of the article, once the candidates module is installed."""
    for model in apps.get_models():
        if model.__name__ != "Candidate":
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "article" in names:
            return model.objects.filter(article=article).count()
        if "revision" in names:
            return model.objects.filter(revision__article=article).count()
    return 0


def report_line(report: CheckReport, *, position: str = "") -> str:
    article = report.article
    parts = [
        f"{position} " if position else "",
        f"#{article.pk} {article.state}",
        f" revisions={article.revisions.count()}",
        f" candidates={candidate_count(article)}",
        f" {report.outcome}",
        f" {article.canonical_url}",
    ]
    if report.error:
        parts.append(f" — {report.error}")
    return "".join(parts)
