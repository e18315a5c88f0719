"""Celery tasks of the claims app: the candidates of a new revision and evidence link checks
(thin, by id; STYLE.md)."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils import timezone

from articles.schedule import claim_due
from articles.tasks import DISPATCH_BATCH, MAX_DOMAIN_WAIT, TASK_LIMITS


class _CandidatesTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries ran out, or the error is not one a retry mends: the article says so.
        from articles.ingest import revision_candidates_failed

        revision_id = args[0] if args else kwargs.get("revision_id")
        revision_candidates_failed(revision_id=revision_id, error=exc)


@shared_task(
    base=_CandidatesTask,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=3,
    **TASK_LIMITS,
)
def generate_candidates(revision_id: int) -> int:
    """Queued by ingestion once a new revision is committed. Safe to run twice, and late: a
    candidate already seen in a newer revision is not moved back to this one. A busy or lost
    database is retried with backoff; a failure that persists is recorded on the article."""
    from articles.models import ArticleRevision
    from claims.candidates import candidates_generate

    revision = ArticleRevision.objects.filter(pk=revision_id).first()
    if revision is None:
        return 0
    return len(candidates_generate(revision=revision))


@shared_task(acks_late=True, **TASK_LIMITS)
def check_evidence_link(evidence_id: int) -> None:
    """No Celery retry: a failing link is checked again the next day, and only a failure that
    persists (or a 404) counts as broken."""
    from claims.evidence_links import evidence_check_link
    from claims.models import Evidence

    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is not None:
        evidence_check_link(evidence=evidence, max_domain_wait=MAX_DOMAIN_WAIT)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def dispatch_evidence_checks(batch: int = DISPATCH_BATCH) -> int:
    from claims.models import Evidence

    now = timezone.now()
    ids = claim_due(
        Evidence.objects.link_check_due(now), field="link_next_check_at", now=now, limit=batch
    )
    for evidence_id in ids:
        check_evidence_link.delay(evidence_id)
    return len(ids)
