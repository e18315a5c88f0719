"""The pipeline: ingestion tied to the claims (re-anchoring, candidates), its Celery tasks and
commands, and the admin of articles and feeds. Above ``articles`` and ``claims``."""
