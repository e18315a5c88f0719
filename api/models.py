"""API keys of newsroom tools. (The status documents the reads serve are the claims app's.)"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class KeyScope(models.TextChoices):
    READ = "read", "Read (GET only)"
    WRITE = "write", "Write (GET, POST and PATCH)"


class APIKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # The owner is the request's user: fetch it with the key, in one query.
        return super().get_usable_keys().select_related("owner")


class APIKey(AbstractAPIKey):
    """A newsroom tool's key, stored hashed (only its prefix is readable), revocable in the
    admin. Writes made with it are recorded as its owner's."""

    scope = models.CharField(max_length=8, choices=KeyScope.choices, default=KeyScope.READ)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="Writes made with this key are recorded in the history as this user's.",
    )

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        abstract = False
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=KeyScope.values), name="apikey_scope_valid"
            ),
        ]

    @property
    def can_write(self) -> bool:
        return self.scope == KeyScope.WRITE
