"""Sources, and the parent each may belong to."""

from django import forms
from django.contrib import admin

from claims import services
from claims.admin.common import (
    ServiceErrorsMixin,
)
from claims.models import (
    Source,
)
from core.history_admin import HistoryAdmin


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["name", "kind", "parent", "url", "description"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("parent") is not None:
            services.validate_source_parent(self.instance, cleaned["parent"])
        return cleaned


@admin.register(Source)
class SourceAdmin(ServiceErrorsMixin, HistoryAdmin):
    form = SourceForm
    list_display = ["name", "kind", "parent", "root", "url"]
    list_filter = ["kind"]
    list_select_related = ["parent", "root"]
    search_fields = ["name", "description", "url"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["root", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in SourceForm.Meta.fields}
        if change:
            saved = services.source_update(source=obj, user=request.user, **fields)
        else:
            saved = services.source_create(user=request.user, **fields)
        obj.pk, obj.root_id = saved.pk, saved.root_id

    def delete_model(self, request, obj):
        services.source_delete(source=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # Sub-sources before their parents, which they protect.
        for source in sorted(queryset, key=lambda source: -len(source.ancestors())):
            services.source_delete(source=source, user=request.user)
