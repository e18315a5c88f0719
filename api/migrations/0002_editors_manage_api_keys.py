"""Editors issue and revoke the newsroom tools' API keys (no superuser needed)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = ["add_apikey", "change_apikey", "view_apikey"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("api")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="api", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_keys_and_status_documents"),
        ("claims", "0002_rating_scale_and_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
