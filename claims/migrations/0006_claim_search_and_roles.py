"""Full-text search for claim matching on PostgreSQL, and the new models' permissions for the
role groups of SPEC section 4."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SEARCH_SQL = [
    # Kept by the database, so the admin, the API and bulk loads all update it.
    """
    CREATE TRIGGER claims_claim_search_vector_update
    BEFORE INSERT OR UPDATE OF statement ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION
    tsvector_update_trigger(search_vector, 'pg_catalog.english', statement)
    """,
    "UPDATE claims_claim SET search_vector = to_tsvector('pg_catalog.english', statement)",
    # claims.candidates.claims_match: search_vector @@ to_tsquery(...). Without fastupdate a
    # new claim goes straight into the index: with it, new entries wait in a pending list
    # that every search scans linearly until a vacuum, which after a bulk load made a match
    # take 25 ms instead of 0.1 ms. Claims are written one at a time, so inserts stay cheap.
    "CREATE INDEX claim_search_vector ON claims_claim USING gin (search_vector) "
    "WITH (fastupdate = off)",
]
UNDO_SQL = [
    "DROP INDEX IF EXISTS claim_search_vector",
    "DROP TRIGGER IF EXISTS claims_claim_search_vector_update ON claims_claim",
]

VIEW = ["claims.view_candidate", "claims.view_claimquantity"]
FACT_CHECK = VIEW + [
    "claims.add_candidate",
    "claims.change_candidate",
    "claims.add_claimquantity",
    "claims.change_claimquantity",
    "claims.delete_claimquantity",
]
EDIT = FACT_CHECK + ["claims.delete_candidate"]
ROLES = {"Viewer": VIEW, "Fact-checker": FACT_CHECK, "Editor": EDIT}


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite matches by reading statements (claims.candidates.claims_match).
    for statement in SEARCH_SQL:
        schema_editor.execute(statement)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in UNDO_SQL:
        schema_editor.execute(statement)


def grant_roles(apps, schema_editor):
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
        ("claims", "0005_candidates_and_quantities"),
    ]

    operations = [
        migrations.RunPython(create_search, drop_search),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
