from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """Ties ingestion to the claims: re-anchoring, candidates, the background jobs, the
    commands, and the admin of articles and feeds (whose actions queue those jobs)."""

    name = "pipeline"
    verbose_name = "Ingestion"
