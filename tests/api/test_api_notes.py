"""Notes are internal (SPEC section 8, issue 13): no API answer, document or schema shows them,
to anonymous readers, keys or editors' sessions alike."""

import json

from claims import notes, services
from claims.models import ClaimDocument, Rating
from tests.api.conftest import ApiClient, session_client

SECRET = "Internal: the port's press office asked us to wait for the audit."


def test_notes_are_never_in_the_api(world, factchecker, editor, read_client, anon):
    services.verdict_save(
        claim=world.claim,
        user=factchecker,
        rating=Rating.objects.get(label="Mixed"),
        explanation="Partly right.",
    )
    notes.note_add(claim=world.claim, user=factchecker, text=SECRET)
    document = ClaimDocument.objects.get(claim=world.claim)
    assert SECRET not in document.public_body + document.private_body
    paths = [
        f"/api/v1/claims/{world.claim.pk}/",
        "/api/v1/claims/",
        "/api/v1/claims/?q=containers",
        f"/api/v1/articles/{world.article.pk}/",
        "/api/v1/changes/",
    ]
    for client in (anon, read_client, session_client(editor)):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
            body = response.content.decode()
            assert SECRET not in body and "notes" not in json.loads(body), path
    schema = ApiClient().get("/api/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    text = schema.content.decode().lower()
    assert "claimnote" not in text and '"notes"' not in text
