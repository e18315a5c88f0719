"""Editors import an archive of fact-checks from the claims list (SPEC section 6): an upload
through the same service as ``manage.py import_claims``, with the same summary."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html

from claims.imports import JSONL, JSONLD, ImportFormatError, import_file

# An upload is read whole in the web process: a bigger archive is for the command line.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# The skipped lines listed on the page; the count says how many there are in all.
SKIPPED_SHOWN = 200


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Archive",
        help_text="JSON Lines (one fact-check a line) or schema.org ClaimReview JSON-LD, at most "
        f"{UPLOAD_MAX_BYTES // (1024 * 1024)} MB.",
    )
    format = forms.ChoiceField(
        choices=[
            ("auto", "Tell from the content"),
            (JSONL, "JSON Lines"),
            (JSONLD, "ClaimReview JSON-LD"),
        ],
        initial="auto",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; uploads are limited to "
                f"{UPLOAD_MAX_BYTES // (1024 * 1024)} MB. Import a bigger archive with "
                "`manage.py import_claims FILE`."
            )
        return upload


def import_view(modeladmin, request):
    """Upload an archive; the page then shows what was imported, updated, already present and
    skipped (with line numbers)."""
    if not request.user.has_perm("claims.add_claim"):
        raise PermissionDenied
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            report = import_file(data, fmt=form.cleaned_data["format"], user=request.user)
        except ImportFormatError as exc:
            form.add_error("file", str(exc))
        else:
            level = messages.WARNING if report.skipped else messages.SUCCESS
            modeladmin.message_user(request, report.summary(), level)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Import fact-checks",
        "opts": modeladmin.model._meta,
        "form": form,
        "report": report,
        "skipped": report.skipped[:SKIPPED_SHOWN] if report else [],
        "skipped_more": max(0, len(report.skipped) - SKIPPED_SHOWN) if report else 0,
        "format_help": format_html(
            "JSON Lines: <code>{}</code>; only <code>statement</code> and one of "
            "<code>external_id</code> / <code>url</code> are required.",
            '{"statement", "claimant", "reviewer", "rating", "url", "external_id", '
            '"published_at", "title"}',
        ),
    }
    return TemplateResponse(request, "admin/claims/claim/import.html", context)
