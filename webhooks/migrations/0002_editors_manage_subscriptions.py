"""Editors manage their own webhook subscriptions (SPEC section 10); superusers, all."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "add_subscription",
    "change_subscription",
    "delete_subscription",
    "view_subscription",
    "view_event",
    "view_deliveryattempt",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("webhooks")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="webhooks", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("claims", "0002_rating_scale_and_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
