from django.apps import AppConfig

from core.events import claims_touched


class PipelineConfig(AppConfig):
    """Ties ingestion to the claims: re-anchoring, candidates, the background jobs, the
    commands, and the admin of articles and feeds (whose actions queue those jobs)."""

    name = "pipeline"
    verbose_name = "Ingestion"

    def ready(self) -> None:
        # The tasks import models, which exist only once the app registry is ready.
        from pipeline.tasks import queue_rematch

        # Claims created, imported or edited: open candidates are matched again after commit.
        claims_touched.connect(queue_rematch, dispatch_uid="pipeline.queue_rematch")
