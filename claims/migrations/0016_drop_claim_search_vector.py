"""Matching reads claims through the keyword index each process keeps (claims.keyword_index):
the full-text column, its trigger and its GIN index (0006) had no reader left, and every
insert and edit of a statement paid for them."""

import importlib

from django.db import migrations

search = importlib.import_module("claims.migrations.0006_claim_search_and_roles")


class Migration(migrations.Migration):
    dependencies = [("claims", "0015_matching")]

    operations = [
        migrations.RunPython(search.drop_search, search.create_search),
        migrations.RemoveField(model_name="claim", name="search_vector"),
    ]
