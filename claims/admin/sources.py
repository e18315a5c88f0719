"""Sources, and the parent each may belong to."""

from django import forms
from django.contrib import admin

from claims import services
from claims.admin.common import (
    ServiceErrorsMixin,
)
from claims.admin.exports import export_sources_csv
from claims.models import (
    Source,
    SourceAlias,
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


class SourceAliasInline(admin.TabularInline):
    """Other names of the source; a suggested claimant resolves through them (SPEC section 6).
    Aliases are part of their source: whoever may change the source may change them."""

    model = SourceAlias
    fields = ["alias"]
    extra = 1
    verbose_name = "alias"
    verbose_name_plural = "aliases (other names a claimant may give, such as “Kremlin”)"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_source")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("claims.change_source")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("claims.change_source")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("claims.change_source")


@admin.register(Source)
class SourceAdmin(ServiceErrorsMixin, HistoryAdmin):
    form = SourceForm
    list_display = ["name", "kind", "parent", "root", "alias_list", "url"]
    list_filter = ["kind"]
    list_select_related = ["parent", "root"]
    search_fields = ["name", "aliases__alias", "description", "url"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["root", "created_at", "updated_at"]
    inlines = [SourceAliasInline]
    actions = [export_sources_csv]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_list(self, source):
        return ", ".join(alias.alias for alias in source.aliases.all()) or "—"

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in SourceForm.Meta.fields}
        if change:
            saved = services.source_update(source=obj, user=request.user, **fields)
        else:
            saved = services.source_create(user=request.user, **fields)
        obj.pk, obj.root_id = saved.pk, saved.root_id

    def save_formset(self, request, form, formset, change):
        if formset.model is not SourceAlias:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for alias in formset.deleted_objects:
            services.source_alias_remove(alias=alias, user=request.user)
        for alias, _changed in formset.changed_objects:
            services.source_alias_update(alias=alias, text=alias.alias, user=request.user)
        for alias in formset.new_objects:
            services.source_alias_add(source=form.instance, alias=alias.alias, user=request.user)
        return None

    def delete_model(self, request, obj):
        services.source_delete(source=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # Sub-sources before their parents, which they protect.
        for source in sorted(queryset, key=lambda source: -len(source.ancestors())):
            services.source_delete(source=source, user=request.user)
