"""Evidence on its own list (it is edited inline on its claim too)."""

from django import forms
from django.contrib import admin

from claims import services
from claims.admin.common import (
    ServiceErrorsMixin,
)
from claims.admin.exports import export_evidence_csv
from claims.models import (
    Evidence,
)
from core.history_admin import HistoryAdmin


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["claim", "stance", "source", "url", "title", "quote", "published_at"]


@admin.register(Evidence)
class EvidenceAdmin(ServiceErrorsMixin, HistoryAdmin):
    form = EvidenceForm
    list_display = ["title", "stance", "source", "claim", "created_at"]
    list_filter = ["stance", "source__kind"]
    list_select_related = ["source", "claim"]
    search_fields = ["title", "url", "quote", "source__name", "claim__statement"]
    autocomplete_fields = ["claim", "source"]
    actions = [export_evidence_csv]

    def get_readonly_fields(self, request, obj=None):
        # Evidence stays with its claim (linking it to another is a new evidence row there).
        return ["claim"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {
            f: form.cleaned_data[f] for f in EvidenceForm.Meta.fields if f in form.cleaned_data
        }
        if change:
            fields.pop("claim", None)
            saved = services.evidence_update(evidence=obj, user=request.user, **fields)
        else:
            saved = services.evidence_create(user=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.evidence_delete(evidence=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for evidence in queryset.select_related("claim"):
            services.evidence_delete(evidence=evidence, user=request.user)
