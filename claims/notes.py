"""Notes on claims: internal comments, with who and when (SPEC section 8). The only write
path for ``ClaimNote``: the pages and the admin call these services.

A note is part of the record of how a claim was checked, so no one deletes it while the
claim exists, and its author may correct it only briefly (``NOTE_EDIT_WINDOW``) before others
have read and answered it; every version stays in the note's history.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, ClaimNote
from claims.services import attribute_change, require_permission

NOTE_EDIT_WINDOW = dt.timedelta(minutes=10)
NOTE_MAX_LENGTH = 5000


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note's text."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": f"A note has at most {NOTE_MAX_LENGTH:,} characters (this has {len(text):,})."}
        )
    return text


@transaction.atomic
def note_add(*, claim: Claim, user, text: str) -> ClaimNote:
    """Fact-checkers and editors (``add_claimnote``) add notes; viewers read them."""
    require_permission(user, "claims.add_claimnote", "add notes to claims")
    text = _clean_text(text)
    # The claim must still exist when the note is written (a deletion meanwhile would leave
    # the insert failing on its foreign key at commit on PostgreSQL).
    if not Claim.objects.filter(pk=claim.pk).exists():
        raise ValidationError({"claim": "This claim no longer exists."})
    note = ClaimNote(claim_id=claim.pk, author=user, text=text, created_at=timezone.now())
    attribute_change(note, user)
    note.save()
    return note


def note_editable_until(note: ClaimNote) -> dt.datetime:
    return note.created_at + NOTE_EDIT_WINDOW


def note_may_edit(*, note: ClaimNote, user, now: dt.datetime | None = None) -> bool:
    """Whether ``user`` may correct ``note`` now: its author, within the window."""
    return (
        user is not None
        and user.has_perm("claims.change_claimnote")
        and note.author_id is not None
        and note.author_id == user.pk
        and (now or timezone.now()) < note_editable_until(note)
    )


@transaction.atomic
def note_edit(*, note: ClaimNote, user, text: str) -> ClaimNote:
    """Correct a note: only its author, only within ``NOTE_EDIT_WINDOW`` of writing it."""
    require_permission(user, "claims.change_claimnote", "edit notes")
    locked = ClaimNote.objects.select_for_update().filter(pk=note.pk).first()
    if locked is None:
        raise ValidationError({"note": "This note no longer exists (its claim was deleted)."})
    if locked.author_id is None or locked.author_id != user.pk:
        raise PermissionDenied("Only a note's author may edit it.")
    now = timezone.now()
    if now >= note_editable_until(locked):
        minutes = int(NOTE_EDIT_WINDOW.total_seconds() // 60)
        raise ValidationError(
            {
                "text": f"A note can be edited only within {minutes} minutes of writing it; "
                "this one is older. Add a new note instead."
            }
        )
    text = _clean_text(text)
    if text == locked.text:
        return locked
    locked.text = text
    locked.edited_at = now
    attribute_change(locked, user, "Edited")
    locked.save()
    return locked
