"""What the services record and nobody edits: the changes of status and verdict, and
appearances (anchored by the services, edited as inlines on the claim)."""

from django.contrib import admin

from claims import services
from claims.models import (
    Appearance,
    ClaimChange,
)
from core.history_admin import HistoryAdmin


@admin.register(ClaimChange)
class ClaimChangeAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "claim_number",
        "field",
        "from_value",
        "to_value",
        "actor",
        "is_public",
    ]
    list_filter = ["field", "is_public"]
    # Not the claim itself: events outlive deleted claims, and a join would hide theirs.
    list_select_related = ["actor"]
    search_fields = ["=claim__id", "reason"]

    @admin.display(description="claim", ordering="claim_id")
    def claim_number(self, change):
        return f"#{change.claim_id}"

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

    def has_change_permission(self, request, obj=None):
        # Anchored by the services and moved by re-anchoring, never typed in: the claim page
        # adds and removes them.
        return False

    def delete_model(self, request, obj):
        services.appearance_delete(appearance=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for appearance in queryset.order_by("claim_id", "pk"):
            services.appearance_delete(appearance=appearance, user=request.user)


# Claims from text: candidates, figures beside each claim, merging duplicates.
