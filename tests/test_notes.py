"""Notes on claims (SPEC section 8, issue 13): internal comments with who and when; fact-checkers
and editors write them, viewers read them; their author corrects them within 10 minutes and no
one else ever; never deleted while the claim exists; in the admin as a read-only inline with
an add row; never in the API (tests/api/test_api_notes.py)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from claims import merging, notes, services
from claims.models import ClaimNote
from tests.test_admin import _claim_form

SECRET = "Internal: the port's press office asked us to wait for the audit."


def test_fact_checkers_and_editors_add_notes_viewers_may_not(world, factchecker, editor, viewer):
    first = notes.note_add(claim=world.claim, user=factchecker, text=f"  {SECRET}\n")
    second = notes.note_add(claim=world.claim, user=editor, text="Called the port.")
    assert (first.author, first.text, first.edited_at) == (factchecker, SECRET, None)
    assert list(world.claim.notes.values_list("author__username", flat=True)) == [
        factchecker.username,
        editor.username,
    ]
    assert second.history.get().history_user == editor  # recorded, with who
    with pytest.raises(PermissionDenied, match="permission to add notes"):
        notes.note_add(claim=world.claim, user=viewer, text="Viewers only read.")
    with pytest.raises(ValidationError, match="Write the note's text"):
        notes.note_add(claim=world.claim, user=factchecker, text="   ")
    with pytest.raises(ValidationError, match="at most 5,000 characters"):
        notes.note_add(claim=world.claim, user=factchecker, text="x" * 5001)
    assert ClaimNote.objects.count() == 2
    assert viewer.has_perm("claims.view_claimnote")
    for user in (viewer, factchecker, editor):
        assert not user.has_perm("claims.delete_claimnote")


def test_only_the_author_edits_and_only_within_ten_minutes(world, factchecker, editor):
    written = timezone.now()
    with time_machine.travel(written, tick=False):
        note = notes.note_add(claim=world.claim, user=factchecker, text="4,200 per customs.")
    with time_machine.travel(written + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert notes.note_may_edit(note=note, user=factchecker)
        assert not notes.note_may_edit(note=note, user=editor)
        with pytest.raises(PermissionDenied, match="Only a note's author may edit it"):
            notes.note_edit(note=note, user=editor, text="Rewritten by someone else.")
        edited = notes.note_edit(note=note, user=factchecker, text="4,200 per the customs table.")
    assert edited.text == "4,200 per the customs table."
    assert edited.edited_at == written + dt.timedelta(minutes=9, seconds=59)
    # Every version is kept in the note's history.
    assert [h.text for h in note.history.order_by("history_id")] == [
        "4,200 per customs.",
        "4,200 per the customs table.",
    ]
    with time_machine.travel(written + dt.timedelta(minutes=10), tick=False):
        assert not notes.note_may_edit(note=note, user=factchecker)
        with pytest.raises(ValidationError, match="only within 10 minutes"):
            notes.note_edit(note=note, user=factchecker, text="Too late.")
    assert ClaimNote.objects.get(pk=note.pk).text == "4,200 per the customs table."


def test_notes_go_only_with_their_claim_and_follow_a_merge(world, factchecker, editor):
    note = notes.note_add(claim=world.claim, user=factchecker, text="Ask customs.")
    duplicate = services.claim_create(
        statement="The northern terminal handled 4,200 containers in March.",
        claimant=world.port,
    )
    moved = notes.note_add(claim=duplicate, user=editor, text="Same claim as the other.")
    merging.claims_merge(target=world.claim, duplicates=[duplicate], user=editor)
    assert set(world.claim.notes.values_list("pk", flat=True)) == {note.pk, moved.pk}
    services.claim_delete(claim=world.claim, user=editor)
    assert not ClaimNote.objects.exists()
    # Their history stays, as the claim's does.
    assert ClaimNote.history.filter(id=note.pk, history_type="-").exists()


def test_admin_shows_notes_read_only_and_adds_one_through_the_service(
    client, world, factchecker, editor
):
    note = notes.note_add(claim=world.claim, user=editor, text="Waiting for the audit.")
    client.force_login(factchecker)
    url = reverse("admin:claims_claim_change", args=[world.claim.pk])
    html = client.get(url).content.decode()
    assert "notes (internal, never public)" in html.lower()
    assert "Waiting for the audit." in html
    assert 'name="notes-0-text"' not in html  # the existing note is not editable
    assert 'name="notes-0-DELETE"' not in html  # nor deletable
    response = client.post(
        url,
        _claim_form(
            world.claim,
            **{
                "notes-TOTAL_FORMS": 2,
                "notes-INITIAL_FORMS": 1,
                "notes-0-id": note.pk,
                "notes-0-claim": world.claim.pk,
                "notes-1-text": "Customs table attached to the evidence.",
                "notes-1-claim": world.claim.pk,
            },
        ),
    )
    assert response.status_code == 302, response.content[:1500]
    added = ClaimNote.objects.get(text="Customs table attached to the evidence.")
    assert (added.claim, added.author) == (world.claim, factchecker)
    assert ClaimNote.objects.get(pk=note.pk).text == "Waiting for the audit."


def test_no_one_deletes_a_note_in_the_admin(client, world, editor, django_user_model):
    note = notes.note_add(claim=world.claim, user=editor, text="Keep me.")
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw-root")
    client.force_login(root)
    html = client.get(reverse("admin:claims_claim_change", args=[world.claim.pk])).content
    assert b"notes-0-DELETE" not in html
    # Even a superuser's hand-made DELETE of the row is ignored: the inline allows none.
    response = client.post(
        reverse("admin:claims_claim_change", args=[world.claim.pk]),
        _claim_form(
            world.claim,
            **{
                "notes-TOTAL_FORMS": 1,
                "notes-INITIAL_FORMS": 1,
                "notes-0-id": note.pk,
                "notes-0-claim": world.claim.pk,
                "notes-0-DELETE": "on",
            },
        ),
    )
    assert response.status_code == 302
    assert ClaimNote.objects.filter(pk=note.pk).exists()
