"""Verdicts with their review steps, and the rating scale."""

from django.contrib import admin

from claims import services
from claims.admin.common import (
    ReviewStepsMixin,
    ServiceErrorsMixin,
    VersionedForm,
)
from claims.models import (
    Rating,
    Verdict,
)
from core.history_admin import HistoryAdmin


class VerdictAdminForm(VersionedForm):
    class Meta:
        model = Verdict
        fields = ["claim", "rating", "explanation"]


@admin.register(Verdict)
class VerdictAdmin(ServiceErrorsMixin, ReviewStepsMixin, HistoryAdmin):
    form = VerdictAdminForm
    list_display = ["claim", "rating", "state", "written_by", "submitted_at", "published_at"]
    list_filter = ["state", "rating"]
    list_select_related = ["claim", "rating", "written_by"]
    search_fields = ["claim__statement", "explanation"]
    autocomplete_fields = ["claim"]
    readonly_fields = [
        "state",
        "written_by",
        "submitted_at",
        "published_rating",
        "published_explanation",
        "published_at",
        "published_by",
    ]
    actions = ["submit", "publish", "return_to_draft"]

    def get_readonly_fields(self, request, obj=None):
        # The claim of an existing verdict does not change.
        return [*self.readonly_fields, "claim"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = services.verdict_save(
            claim=obj.claim,
            user=request.user,
            rating=form.cleaned_data["rating"],
            explanation=form.cleaned_data["explanation"],
            expected_version=form.cleaned_data.get("expected_version"),
        )
        obj.pk = saved.pk

    @admin.action(description="Submit for review")
    def submit(self, request, queryset):
        self._apply(request, "submit", queryset.select_related("claim", "rating"))

    @admin.action(description="Publish (second editor)")
    def publish(self, request, queryset):
        self._apply(request, "publish", queryset.select_related("claim", "rating"))

    @admin.action(description="Return to draft")
    def return_to_draft(self, request, queryset):
        self._apply(request, "draft", queryset.select_related("claim", "rating"))


@admin.register(Rating)
class RatingAdmin(HistoryAdmin):
    list_display = ["label", "ordinal", "description"]
    search_fields = ["label"]
