from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as StockAPIKey

from api.models import APIKey

# The library registers its own key model; ours (with scope and owner) replaces it.
admin.site.unregister(StockAPIKey)


@admin.register(APIKey)
class ScopedAPIKeyAdmin(APIKeyModelAdmin):
    """Create a key here: the plain key is shown once, in the message after saving, and only
    its hash is stored. Revoke it by ticking "revoked" (it cannot be undone)."""

    list_display = [*APIKeyModelAdmin.list_display, "scope", "owner"]
    list_filter = ["scope", "revoked", "created"]
    search_fields = ["name", "prefix", "owner__username"]
    list_select_related = ["owner"]

    def get_exclude(self, request, obj=None):
        # A new key belongs to the editor who creates it: no one issues keys in another's name.
        return ["owner"] if obj is None else []

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # A key's owner and scope are fixed once it exists: issue a new key to change them.
        return (*fields, "scope", "owner") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
