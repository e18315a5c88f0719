"""Celery tasks of the claims app: evidence link checks (thin, by id; STYLE.md)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from articles.schedule import claim_due
from articles.tasks import DISPATCH_BATCH, MAX_DOMAIN_WAIT, TASK_LIMITS


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
