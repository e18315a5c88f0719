"""One word for a parsed number a claim or sentence states: a figure (SPEC section 6). The
model, its history, the candidates' field and the permissions' codenames follow; the roles keep
their grants (the permissions are renamed, not replaced)."""

import django.db.models.deletion
from django.db import migrations, models

def rename_permissions(apps, schema_editor, old="claimquantity", new="claimfigure"):
    # RenameModel keeps the content types (renamed with the models), and so the permissions the
    # roles were granted; only their codenames and names still say the old word.
    Permission = apps.get_model("auth", "Permission")
    word = "figure" if new == "claimfigure" else "quantity"
    for model_old, model_new, label in (
        (old, new, f"claim {word}"),
        (f"historical{old}", f"historical{new}", f"historical claim {word}"),
    ):
        for permission in Permission.objects.filter(
            content_type__app_label="claims", codename__endswith=f"_{model_old}"
        ):
            action = permission.codename[: -len(model_old) - 1]
            # Never granted: made by an earlier post_migrate for the new name, if any.
            Permission.objects.filter(
                content_type=permission.content_type, codename=f"{action}_{model_new}"
            ).delete()
            permission.codename = f"{action}_{model_new}"
            permission.name = f"Can {action} {label}"
            permission.save()


def rename_feature(apps, schema_editor, old="quantity", new="figure"):
    # The check-worthiness feature that a sentence states a figure, in stored candidates.
    Candidate = apps.get_model("claims", "Candidate")
    changed = []
    for candidate in Candidate.objects.filter(features__has_key=old).only("id", "features"):
        candidate.features = {new if k == old else k: v for k, v in candidate.features.items()}
        changed.append(candidate)
    Candidate.objects.bulk_update(changed, ["features"], batch_size=500)


def rename_feature_back(apps, schema_editor):
    rename_feature(apps, schema_editor, old="figure", new="quantity")


def rename_permissions_back(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="claimfigure", new="claimquantity")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_claim_changes_outlive_claims"),
        ("articles", "0006_article_last_error_public"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel("ClaimQuantity", "ClaimFigure"),
        migrations.RenameModel("HistoricalClaimQuantity", "HistoricalClaimFigure"),
        migrations.RenameField("candidate", "quantities", "figures"),
        migrations.RenameField("historicalcandidate", "quantities", "figures"),
        migrations.AlterModelOptions(
            name="claimfigure",
            options={
                "ordering": ["claim", "unit", "stated_at", "id"],
                "verbose_name_plural": "claim figures",
            },
        ),
        migrations.AlterModelOptions(
            name="historicalclaimfigure",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical claim figure",
                "verbose_name_plural": "historical claim figures",
            },
        ),
        migrations.RemoveConstraint(model_name="claimfigure", name="quantity_qualifier_valid"),
        migrations.RemoveConstraint(model_name="claimfigure", name="quantity_has_a_number"),
        migrations.RemoveConstraint(model_name="claimfigure", name="quantity_low_within_high"),
        migrations.AlterField(
            model_name="claimfigure",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="figures",
                to="claims.claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("qualifier__in", ["", "about", "over", "under", "at least", "up to"])
                ),
                name="figure_qualifier_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("value__isnull", False),
                    ("low__isnull", False),
                    ("high__isnull", False),
                    _connector="OR",
                ),
                name="figure_has_a_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("low__isnull", True),
                    ("high__isnull", True),
                    ("low__lte", models.F("high")),
                    _connector="OR",
                ),
                name="figure_low_within_high",
            ),
        ),
        migrations.RunPython(rename_permissions, rename_permissions_back),
        migrations.RunPython(rename_feature, rename_feature_back),
    ]
