"""Verdicts with their review steps, and the rating scale."""

from django import forms
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

    def delete_model(self, request, obj):
        services.verdict_delete(verdict=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for verdict in queryset.order_by("claim_id"):
            services.verdict_delete(verdict=verdict, user=request.user)

    @admin.action(description="Submit for review", permissions=["change_verdict"])
    def submit(self, request, queryset):
        self._apply(request, "submit", queryset.select_related("claim", "rating"))

    @admin.action(description="Publish (second editor)", permissions=["publish_verdict"])
    def publish(self, request, queryset):
        self._apply(request, "publish", queryset.select_related("claim", "rating"))

    @admin.action(description="Return to draft", permissions=["change_verdict"])
    def return_to_draft(self, request, queryset):
        self._apply(request, "draft", queryset.select_related("claim", "rating"))


class RatingForm(forms.ModelForm):
    class Meta:
        model = Rating
        fields = list(services.RATING_FIELDS)


@admin.register(Rating)
class RatingAdmin(HistoryAdmin):
    """The rating scale. A renamed or re-ranked rating rewrites the documents of the claims
    whose verdicts use it."""

    form = RatingForm
    list_display = ["label", "ordinal", "description"]
    search_fields = ["label"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.RATING_FIELDS}
        if change:
            saved = services.rating_update(rating=obj, user=request.user, **fields)
        else:
            saved = services.rating_create(user=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.rating_delete(rating=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for rating in queryset.order_by("pk"):
            services.rating_delete(rating=rating, user=request.user)
