"""Grant the role groups (claims 0002) their permissions on feeds, feed entries and checks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_feed", "view_feedentry", "view_articlecheck"]
ROLES = {
    "Viewer": VIEW,
    "Fact-checker": VIEW + ["add_feed", "change_feed"],
    "Editor": VIEW + ["add_feed", "change_feed", "delete_feed"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_fetch_schedule_feeds_checks"),
        ("claims", "0002_rating_scale_and_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
