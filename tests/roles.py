"""The roles, their permissions and the rating scale, which data migrations create, put back
after a transactional test's flush emptied their tables (a live server's tests, a real
worker's): the tests after it find them as a migrated database has them."""

import importlib
from functools import cache

from django.db.migrations.loader import MigrationLoader

# The data migrations that create the roles and the rating scale, and grant the roles their
# permissions, each with the functions to run again (all are idempotent).
ROLE_MIGRATIONS = [
    ("0002_rating_scale_and_roles", ("create_scale", "create_roles")),
    ("0006_claim_search_and_roles", ("grant_roles",)),
    ("0013_claim_notes", ("grant_roles",)),
]


@cache
def _steps():
    """Those functions, each with the app registry as it stood at its migration."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    steps = []
    for name, functions in ROLE_MIGRATIONS:
        module = importlib.import_module(f"claims.migrations.{name}")
        apps = loader.project_state(("claims", name)).apps
        steps += [(getattr(module, function), apps) for function in functions]
    return tuple(steps)


def restore_roles_and_scale() -> None:
    for function, apps in _steps():
        function(apps, None)
