"""*Export as CSV* on the admin's lists of claims, sources and evidence (SPEC section 10; the
articles' is in ``pipeline.admin``): the rows the action is given, which are the ticked ones or,
with "select all", the whole list as filtered and searched, in the API's columns
(``claims.exports``). Anyone who may view the list may export it."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from claims.exports import claims_csv, evidence_csv, sources_csv


def _require_view(modeladmin, request) -> None:
    # The action's permissions hide it from the menu; checked again in case it is called
    # another way.
    if not modeladmin.has_view_permission(request):
        raise PermissionDenied


@admin.action(description="Export as CSV", permissions=["view"])
def export_claims_csv(modeladmin, request, queryset):
    _require_view(modeladmin, request)
    # The admin shows working verdicts to those who may see them; the export does the same.
    return claims_csv(queryset, working_verdicts=request.user.has_perm("claims.view_verdict"))


@admin.action(description="Export as CSV", permissions=["view"])
def export_sources_csv(modeladmin, request, queryset):
    _require_view(modeladmin, request)
    return sources_csv(queryset)


@admin.action(description="Export as CSV", permissions=["view"])
def export_evidence_csv(modeladmin, request, queryset):
    _require_view(modeladmin, request)
    return evidence_csv(queryset)
