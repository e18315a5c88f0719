"""API keys in the admin, the documents' repair command, and the services the API added."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from api.models import APIKey, KeyScope
from articles.models import Article
from claims import services
from claims.models import Appearance, ArticleDocument, Claim, ClaimDocument
from pipeline.services import article_request_ingestion
from tests.api.conftest import ApiClient


def test_editor_creates_a_key_shows_it_once_and_stores_only_its_hash(editor, world):
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/admin/api/apikey/add/",
        {"name": "CMS plugin", "scope": "write", "expiry_date": ""},
        follow=True,
    )
    assert response.status_code == 200
    key_object = APIKey.objects.get(name="CMS plugin")
    assert key_object.scope == KeyScope.WRITE
    message = next(str(m) for m in response.context["messages"] if "API key" in str(m))
    plain = message.split("is: ")[1].split(". ")[0]
    assert plain.startswith(key_object.prefix + ".")
    assert plain not in key_object.hashed_key and plain != key_object.id

    tool = ApiClient(plain)
    new_claim = {"statement": "Written by the plugin.", "claimant": world.port.pk}
    assert tool.post("/api/v1/claims/", new_claim).status_code == 201
    # The key is its creator's: what it writes is recorded as theirs.
    assert key_object.owner == editor
    assert Claim.objects.get(statement="Written by the plugin.").created_by == editor

    # Revoked in the admin: refused from then on.
    change = client.post(
        f"/admin/api/apikey/{key_object.pk}/change/",
        {"name": "CMS plugin", "revoked": "on", "expiry_date": ""},
    )
    assert change.status_code == 302
    assert APIKey.objects.get(pk=key_object.pk).revoked
    assert tool.get("/api/v1/claims/").status_code == 401


def test_only_editors_and_superusers_manage_keys(factchecker, viewer):
    for user in (factchecker, viewer):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/api/apikey/").status_code == 403
        response = client.post("/admin/api/apikey/add/", {"name": "x", "scope": "write"})
        assert response.status_code == 403
    assert not APIKey.objects.exists()


def test_scope_is_constrained_in_the_database(factchecker):
    key = APIKey(name="x", owner=factchecker, scope="admin")
    APIKey.objects.assign_key(key)
    with pytest.raises(IntegrityError), transaction.atomic():
        key.save()


def test_rebuild_documents_repairs_rows_written_around_the_services(world, anon, capsys):
    claim = Claim.objects.create(statement="Imported in bulk.", claimant=world.union)
    Appearance.objects.create(claim=claim, revision=world.revision, quote="4,200", start=0, end=5)
    # Still served (rendered on the fly) before the repair.
    assert anon.get(f"/api/v1/claims/{claim.pk}/").json()["statement"] == "Imported in bulk."
    assert not ClaimDocument.objects.filter(claim=claim).exists()

    call_command("rebuild_documents")

    assert "Rebuilt the documents" in capsys.readouterr().out
    assert ClaimDocument.objects.filter(claim=claim).exists()
    document = ArticleDocument.objects.get(article=world.article)
    assert f'"id":{claim.pk},' in document.public_claims


def test_claim_create_with_appearances_is_all_or_nothing(world):
    claim = services.claim_create_with_appearances(
        statement="The council estimates 120 jobs.",
        claimant=world.council,
        appearances=[(world.article, "about 120 jobs depend on the terminal")],
    )
    assert claim.appearances.get().revision == world.revision
    with pytest.raises(ValidationError) as caught:
        services.claim_create_with_appearances(
            statement="Never stored.",
            claimant=world.council,
            appearances=[(world.article, "about 120 jobs"), (world.article, "missing words")],
        )
    assert "Appearance 2" in str(caught.value)
    assert not Claim.objects.filter(statement="Never stored.").exists()


def test_article_request_ingestion_queues_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article, created = article_request_ingestion(url="https://example.org/a?utm_medium=x")
    assert created
    assert len(callbacks) == 1
    assert Article.objects.get(pk=article.pk).canonical_url == "https://example.org/a"
    with pytest.raises(ValidationError):
        article_request_ingestion(url="mailto:someone@example.org")


def test_editors_manage_only_their_own_keys(editor, second_editor, admin_user):
    mine, _ = APIKey.objects.create_key(name="Erin's CMS", owner=editor, scope=KeyScope.WRITE)
    theirs, _ = APIKey.objects.create_key(
        name="Sam's bot", owner=second_editor, scope=KeyScope.WRITE
    )
    client = Client()
    client.force_login(editor)

    listing = client.get("/admin/api/apikey/")
    assert listing.status_code == 200
    assert "Erin&#x27;s CMS" in listing.content.decode()
    assert "Sam&#x27;s bot" not in listing.content.decode()

    # Another editor's key cannot be opened, revoked, renamed or deleted.
    assert client.get(f"/admin/api/apikey/{theirs.pk}/change/").status_code == 302
    client.post(
        f"/admin/api/apikey/{theirs.pk}/change/",
        {"name": "hijacked", "revoked": "on", "expiry_date": ""},
    )
    client.post(f"/admin/api/apikey/{theirs.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/api/apikey/",
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    theirs = APIKey.objects.get(pk=theirs.pk)
    assert theirs.name == "Sam's bot" and not theirs.revoked

    # Their own key, they revoke.
    response = client.post(
        f"/admin/api/apikey/{mine.pk}/change/",
        {"name": "Erin's CMS", "revoked": "on", "expiry_date": ""},
    )
    assert response.status_code == 302
    assert APIKey.objects.get(pk=mine.pk).revoked

    # A superuser manages every key.
    root = Client()
    root.force_login(admin_user)
    listing = root.get("/admin/api/apikey/").content.decode()
    assert "Erin&#x27;s CMS" in listing and "Sam&#x27;s bot" in listing
    assert root.get(f"/admin/api/apikey/{theirs.pk}/change/").status_code == 200
