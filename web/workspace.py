"""What the article review page's claim panel and the claim edit page show alike: the
verdict with the forms this user may use (write, submit, publish, return), the claim's notes
and its history of status and verdict changes (SPEC section 8)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from claims import notes as note_services
from claims import services
from claims.models import Claim, ClaimChange, ClaimNote, Verdict
from web.forms import NoteForm, VerdictForm, VerdictReturnForm

# The history shown beside the verdict: the newest changes; the admin keeps all of them.
HISTORY_SHOWN = 50


def verdict_form_for(verdict: Verdict | None) -> VerdictForm:
    if verdict is None:
        return VerdictForm()
    return VerdictForm(
        initial={
            "rating": verdict.rating_id,
            "explanation": verdict.explanation,
            "version": verdict.version,
        }
    )


def claim_workspace(
    request: HttpRequest,
    claim: Claim,
    *,
    next_url: str,
    article_id: int | None = None,
    verdict_form: VerdictForm | None = None,
    return_form: VerdictReturnForm | None = None,
    note_form: NoteForm | None = None,
) -> dict:
    """The template context of a claim's verdict, notes and history. ``next_url`` is where the
    forms come back to after a step; ``article_id`` names the review page they were sent
    from, so a form with mistakes is shown there again."""
    user = request.user
    verdict = (
        Verdict.objects.select_related("rating", "written_by", "published_rating", "published_by")
        .filter(claim_id=claim.pk)
        .first()
    )
    steps = services.verdict_steps_allowed(verdict=verdict, user=user) if verdict else []
    may_write = user.has_perm("claims.change_verdict" if verdict else "claims.add_verdict")
    if may_write and verdict_form is None:
        verdict_form = verdict_form_for(verdict)
    if verdict is not None and "draft" in steps and return_form is None:
        return_form = VerdictReturnForm(initial={"version": verdict.version})
    now = timezone.now()
    notes = list(ClaimNote.objects.filter(claim_id=claim.pk).select_related("author"))
    for note in notes:
        note.may_edit = note_services.note_may_edit(note=note, user=user, now=now)
    can_add_note = user.has_perm("claims.add_claimnote")
    if can_add_note and note_form is None:
        note_form = NoteForm()
    history = list(
        ClaimChange.objects.filter(claim_id=claim.pk)
        .select_related("actor")
        .order_by("-id")[:HISTORY_SHOWN]
    )
    return {
        "verdict": verdict,
        "verdict_steps": steps,
        "may_write_verdict": may_write,
        "verdict_form": verdict_form if may_write else None,
        "return_form": return_form if "draft" in steps else None,
        "second_review": bool(settings.FACTCHECK_SECOND_REVIEW),
        "notes": notes,
        "can_add_note": can_add_note,
        "note_form": note_form if can_add_note else None,
        "history": history,
        "workspace_next": next_url,
        "workspace_article": article_id,
    }
