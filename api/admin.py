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

    def get_queryset(self, request):
        # An editor sees and manages their own keys only (superusers, every key): a key writes
        # in its owner's name, so another editor revoking or renaming it is not theirs to do.
        keys = super().get_queryset(request)
        return keys if request.user.is_superuser else keys.filter(owner=request.user)

    def _owns(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or obj.owner_id == request.user.pk

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

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
