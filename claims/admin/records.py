"""What the services record and nobody edits: the changes of status and verdict, and
appearances (anchored by the services, edited as inlines on the claim)."""

from django.contrib import admin

from claims.models import (
    Appearance,
    ClaimChange,
)
from core.history_admin import HistoryAdmin


@admin.register(ClaimChange)
class ClaimChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "claim", "field", "from_value", "to_value", "actor", "is_public"]
    list_filter = ["field", "is_public"]
    list_select_related = ["claim", "actor"]
    search_fields = ["claim__statement", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appearance)
class AppearanceAdmin(HistoryAdmin):
    list_display = ["claim", "revision", "anchor_state", "start", "end"]
    list_filter = ["anchor_state"]
    list_select_related = ["claim", "revision__article"]
    search_fields = ["quote", "claim__statement"]
    readonly_fields = ["claim", "revision", "quote", "prefix", "suffix", "start", "end"]

    def has_add_permission(self, request):
        # Appearances are added on the claim page, where the quote is anchored.
        return False


# Claims from text: candidates, figures beside each claim, merging duplicates.
