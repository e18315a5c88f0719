"""Periodic checks of evidence links (SPEC sections 1 and 5): a verdict never rests on a dead
link unnoticed. The first good fetch is kept as a snapshot (text and SHA-256), so the evidence
survives link rot; a link that breaks, or whose document changes, flags the claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from articles.errors import CheckFailed
from articles.extract import ExtractionError, extract_response
from articles.fetch import DomainBusy, FetchError, FetchResult, fetch
from articles.models import text_fingerprint
from claims.models import Evidence, LinkState
from claims.services import claim_flag_for_review
from core import events

logger = logging.getLogger(__name__)

CHECK_EVERY = dt.timedelta(days=1)
# Timeouts and server errors are often passing: a link counts as broken after this many in a
# row. A 404, a refused address or a robots.txt refusal breaks it at once.
TRANSIENT_FAILURES_BEFORE_BROKEN = 3


def _content(result: FetchResult) -> tuple[str, bytes]:
    """The document's text when it is text, and the bytes to fingerprint otherwise."""
    if result.content_type in ("text/html", "application/xhtml+xml", "text/plain"):
        try:
            return extract_response(result).text, b""
        except ExtractionError:
            return result.text(), b""
    return "", result.body


def _fingerprint(text: str, body: bytes) -> str:
    # Text compares by its normalized form, so a re-wrapped page is not "changed".
    return text_fingerprint(text) if text else hashlib.sha256(body).hexdigest()


def _flag(evidence: Evidence, reason: str) -> None:
    claim_flag_for_review(claim=evidence.claim, reason=reason)


def evidence_check_link(*, evidence: Evidence, max_domain_wait: float | None = None) -> Evidence:
    """Check the link once; with ``max_domain_wait`` (the task), a check that would wait
    longer than that for its turn at the site is put off until then.

    An unexpected exception (a bug, the cache out of reach) is recorded on the link (its
    error, the next check) without calling the link broken or counting a failure of the site:
    the failure is ours. So a batch of checks goes on with its next link."""
    now = timezone.now()
    try:
        return _check_link(evidence, now, max_domain_wait=max_domain_wait)
    except Exception as exc:
        logger.error("evidence %s: the link check failed", evidence.pk, exc_info=exc)
        error = CheckFailed.wrapping(exc, url=evidence.url)
        Evidence.objects.filter(pk=evidence.pk).update(
            link_error=str(error), link_checked_at=now, link_next_check_at=now + CHECK_EVERY
        )
        evidence.refresh_from_db()
        return evidence


def _check_link(evidence: Evidence, now, *, max_domain_wait: float | None) -> Evidence:
    try:
        result = fetch(evidence.url, accept=None, max_domain_wait=max_domain_wait)
        text, body = _content(result)
        error = None
    except DomainBusy as busy:
        Evidence.objects.filter(pk=evidence.pk).update(
            link_next_check_at=now + dt.timedelta(seconds=busy.retry_after or 60)
        )
        return evidence
    except FetchError as exc:
        error = exc
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().select_related("claim").get(pk=evidence.pk)
        old_state = locked.link_state
        locked.link_checked_at = now
        locked.link_next_check_at = now + CHECK_EVERY
        if error is not None:
            locked.link_failure_count += 1
            locked.link_error = str(error)
            transient = error.retryable
            if not transient or locked.link_failure_count >= TRANSIENT_FAILURES_BEFORE_BROKEN:
                locked.link_state = LinkState.BROKEN
        else:
            locked.link_failure_count = 0
            locked.link_error = ""
            if not locked.snapshot_sha256:
                locked.snapshot_text = text
                locked.snapshot_sha256 = hashlib.sha256(
                    text.encode("utf-8") if text else body
                ).hexdigest()
                locked.snapshot_at = now
                locked.link_state = LinkState.OK
            else:
                snapshot = (
                    _fingerprint(locked.snapshot_text, b"")
                    if locked.snapshot_text
                    else (locked.snapshot_sha256)
                )
                same = _fingerprint(text, body) == snapshot
                locked.link_state = LinkState.OK if same else LinkState.CHANGED
        if locked.link_state != old_state:
            locked._change_reason = f"Link check: {locked.get_link_state_display()}"
            locked.save()
            if locked.link_state == LinkState.BROKEN:
                _flag(locked, f"Evidence link broken: {locked.url} — {locked.link_error}")
                events.emit(
                    events.EVIDENCE_LINK_BROKEN, claim_id=locked.claim_id, evidence_id=locked.pk
                )
            elif locked.link_state == LinkState.CHANGED:
                _flag(
                    locked,
                    f"Evidence document changed since its snapshot of "
                    f"{locked.snapshot_at:%Y-%m-%d}: {locked.url}",
                )
        else:
            # Routine bookkeeping: no history entry for a check that changed nothing.
            Evidence.objects.filter(pk=locked.pk).update(
                link_checked_at=locked.link_checked_at,
                link_next_check_at=locked.link_next_check_at,
                link_failure_count=locked.link_failure_count,
                link_error=locked.link_error,
                snapshot_text=locked.snapshot_text,
                snapshot_sha256=locked.snapshot_sha256,
                snapshot_at=locked.snapshot_at,
            )
    return locked
