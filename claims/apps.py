from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and verdicts"

    def ready(self):
        # After ``migrate``, the status documents a migration marked outdated (the claim
        # object changed shape, or the status rule did) are rendered by the code of the
        # release. The receiver lives with the documents, whose module needs the models, so
        # it is loaded now that they are ready.
        documents = import_module("claims.documents")
        post_migrate.connect(
            documents.after_migrate, sender=self, dispatch_uid="claims.documents.after_migrate"
        )
