"""Celery tasks of the claims app: the candidates of a new revision and evidence link checks
(thin, by id; STYLE.md)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from articles.schedule import claim_due
from articles.tasks import DISPATCH_BATCH, MAX_DOMAIN_WAIT, TASK_LIMITS


@shared_task(acks_late=True, **TASK_LIMITS)
def generate_candidates(revision_id: int) -> int:
    """Queued by ingestion once a new revision is committed. Safe to run twice, and late: a
    candidate already seen in a newer revision is not moved back to this one."""
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
