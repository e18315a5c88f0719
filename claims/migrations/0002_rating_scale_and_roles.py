"""The default rating scale and the role groups of SPEC section 4, created as data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEFAULT_SCALE = [
    ("Accurate", 5, "The claim is correct and nothing significant is missing."),
    ("Mostly accurate", 4, "The claim is correct but needs clarification or more detail."),
    ("Mixed", 3, "The claim is partly correct and partly wrong or misleading."),
    ("Misleading", 2, "The claim contains some truth but leaves a false impression."),
    ("False", 1, "The claim is wrong."),
    ("Unproven", None, "The evidence available does not settle the claim either way."),
]

VIEW = [
    "articles.view_article",
    "articles.view_articlerevision",
    "claims.view_source",
    "claims.view_claim",
    "claims.view_appearance",
    "claims.view_evidence",
    "claims.view_rating",
    "claims.view_verdict",
    "claims.view_claimchange",
]
FACT_CHECK = VIEW + [
    "articles.add_article",
    "articles.change_article",
    "claims.add_source",
    "claims.change_source",
    "claims.add_claim",
    "claims.change_claim",
    "claims.add_appearance",
    "claims.change_appearance",
    "claims.delete_appearance",
    "claims.add_evidence",
    "claims.change_evidence",
    "claims.delete_evidence",
    "claims.add_verdict",
    "claims.change_verdict",
]
EDIT = FACT_CHECK + [
    "claims.publish_verdict",
    "claims.delete_claim",
    "claims.delete_source",
    "claims.delete_verdict",
    "claims.add_rating",
    "claims.change_rating",
    "claims.delete_rating",
]
ROLES = {"Viewer": VIEW, "Fact-checker": FACT_CHECK, "Editor": EDIT}


def create_scale(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    for label, ordinal, description in DEFAULT_SCALE:
        Rating.objects.get_or_create(
            label=label, defaults={"ordinal": ordinal, "description": description}
        )


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_scale, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
