"""The status documents move here from the api app (api 0003), keeping their tables; their
content types (and so any permission on them) move with them. The article document no longer
counts revisions: the article row does (articles 0005)."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["claimdocument", "articledocument"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    # A fresh database may already hold the new ones (post_migrate of an earlier run): keep
    # the old rows, which permissions point at, and drop the empty new ones.
    ContentType.objects.filter(app_label="claims", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="api", model__in=MOVED).update(app_label="claims")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="api", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="claims", model__in=MOVED).update(app_label="api")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_claim_search_and_roles"),
        ("articles", "0005_article_revision_count"),
        ("api", "0003_documents_move_to_claims"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClaimDocument",
                    fields=[
                        (
                            "claim",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="document",
                                serialize=False,
                                to="claims.claim",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1)),
                        ("claim_version", models.PositiveIntegerField()),
                        ("public_body", models.TextField()),
                        ("private_body", models.TextField(blank=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "api_claimdocument"},
                ),
                migrations.CreateModel(
                    name="ArticleDocument",
                    fields=[
                        (
                            "article",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="document",
                                serialize=False,
                                to="articles.article",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1)),
                        ("revision_count", models.PositiveIntegerField(default=0)),
                        ("public_claims", models.TextField(default="[]")),
                        ("private_claims", models.TextField(blank=True, default="")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "api_articledocument"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RemoveField(model_name="articledocument", name="revision_count"),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
