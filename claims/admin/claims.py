"""Claims with their evidence, appearances and verdict as inlines, the figures they state,
the review steps and the merging of duplicates."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from claims import merging, notes, services
from claims.admin import imports
from claims.admin.common import (
    ReviewStepsMixin,
    ServiceErrorsMixin,
    VersionedForm,
    refusal_reason,
    status_badge_html,
)
from claims.admin.exports import export_claims_csv
from claims.models import (
    Appearance,
    Claim,
    ClaimChange,
    ClaimFigure,
    ClaimNote,
    Evidence,
    ExternalReview,
    Rating,
    ReviewState,
    Verdict,
)
from claims.status import ABOUT_PARTY, CLAIMANT_SIDE, interest
from core.history_admin import HistoryAdmin


@admin.display(description="figures stated")
def figures_stated(claim):
    """The figures a claim states, each dated, grouped by unit and oldest first, so a newer
    figure (11,000 troops, later 12,000) stands beside the older one."""
    if claim is None or claim.pk is None:
        return "—"
    rows = ClaimFigure.objects.filter(claim=claim).select_related("revision__article")
    if not rows:
        return "None yet: figures come with accepted candidates."
    return format_html(
        "<table><thead><tr><th>unit</th><th>as written</th><th>value</th><th>low</th>"
        "<th>high</th><th>qualifier</th><th>stated</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    q.unit or "—",
                    q.text or "—",
                    _number(q.value),
                    _number(q.low),
                    _number(q.high),
                    q.get_qualifier_display(),
                    q.stated_at.strftime("%Y-%m-%d %H:%M UTC"),
                )
                for q in rows
            ),
        ),
    )


INTEREST_LABELS = {
    None: "yes",
    CLAIMANT_SIDE: "no (the claimant's side: under the same top-level source)",
    ABOUT_PARTY: "no (a party the claim is about, or under one)",
}


def _number(value) -> str:
    return "—" if value is None else f"{value.normalize():,f}"


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Claim.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this claim",
        help_text="The others' evidence, appearances, figures and history move to it; "
        "then they are deleted.",
    )

    def __init__(self, *args, claims=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = claims


@admin.action(description="Merge duplicate claims…", permissions=["delete"])
def merge_claims(modeladmin, request, queryset):
    claims = queryset.select_related("claimant").order_by("created_at", "id")
    if claims.count() < 2:
        modeladmin.message_user(request, "Select at least two claims to merge.", messages.ERROR)
        return None
    form = MergeForm(request.POST if "target" in request.POST else None, claims=claims)
    if form.is_valid():
        target = form.cleaned_data["target"]
        merged = len(claims) - 1
        try:
            merging.claims_merge(target=target, duplicates=list(claims), user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(request, refusal_reason(exc), messages.ERROR)
        else:
            modeladmin.message_user(request, f"Merged {merged} claim(s) into claim #{target.pk}.")
        return None
    return TemplateResponse(
        request,
        "admin/claims/claim/merge.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Merge duplicate claims",
            "form": form,
            "claims": claims,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = [
        "stance",
        "source",
        "url",
        "title",
        "quote",
        "published_at",
        "checks",
    ]
    # One read-only column for what the system works out, rather than three: the inline
    # has to fit a laptop window (static/css/admin.css).
    readonly_fields = ["checks"]
    autocomplete_fields = ["source"]
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Text areas, so a long title or quote wraps in its narrow column.
        if db_field.name in ("title", "quote"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("source", "claim__claimant")
            .prefetch_related("claim__about")
        )

    @admin.display(description="independent? link")
    def checks(self, evidence):
        if not evidence.pk:
            return "—"
        claim = evidence.claim
        claimant = claim.claimant
        # An imported fact-check's claimant may be no source on record: none is on its side.
        side = interest(
            source_root_id=evidence.source.root_id or evidence.source_id,
            claimant_root_id=(claimant.root_id or claimant.pk) if claimant is not None else 0,
            about_root_ids={p.root_id or p.pk for p in claim.about.all()},
        )
        checked = evidence.link_checked_at
        return format_html(
            "Independent: {}<br>Link: {}{}",
            INTEREST_LABELS[side],
            evidence.get_link_state_display(),
            f", checked {checked:%Y-%m-%d}" if checked else "",
        )


class AppearanceForm(forms.ModelForm):
    class Meta:
        model = Appearance
        fields = ["revision", "quote"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 50})}

    def clean(self):
        cleaned = super().clean()
        revision, quote = cleaned.get("revision"), cleaned.get("quote")
        if revision is not None and quote:
            services.anchor_quote(revision.text, quote)
        return cleaned


class AppearanceInline(admin.TabularInline):
    """Existing appearances are read-only (re-anchoring moves them); new ones are anchored by
    the service from the quote."""

    model = Appearance
    form = AppearanceForm
    fields = ["revision", "quote", "anchor_state", "anchor_diff", "start", "end"]
    readonly_fields = ["anchor_state", "anchor_diff", "start", "end"]
    autocomplete_fields = ["revision"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("revision__article")


class VerdictForm(VersionedForm):
    class Meta:
        model = Verdict
        fields = ["rating", "explanation"]


class VerdictInline(admin.StackedInline):
    model = Verdict
    form = VerdictForm
    fields = [
        "rating",
        "explanation",
        "expected_version",
        "state",
        "written_by",
        "submitted_at",
        "public_version",
    ]
    readonly_fields = ["state", "written_by", "submitted_at", "public_version"]
    can_delete = False
    max_num = 1
    extra = 1

    @admin.display(description="what the public sees")
    def public_version(self, verdict):
        if not verdict.pk or verdict.published_at is None:
            return "Nothing yet: the verdict has never been published."
        return format_html(
            "<strong>{}</strong> (published {} by {})<br>{}",
            verdict.published_rating,
            verdict.published_at.strftime("%Y-%m-%d %H:%M UTC"),
            verdict.published_by or "—",
            verdict.published_explanation,
        )


class ClaimChangeInline(admin.TabularInline):
    model = ClaimChange
    verbose_name = "status or verdict change"
    verbose_name_plural = "status and verdict history"
    fields = ["created_at", "field", "from_value", "to_value", "rating_label", "reason", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-id"]

    @admin.display(description="actor")
    def by(self, change):
        # A change no person made (a rule change applied by a migration, a background job).
        return change.actor.get_username() if change.actor is not None else "system"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoteInline(admin.TabularInline):
    """Notes: read-only rows (an author corrects a note on the pages, within minutes), never
    deleted; a new row is added through ``claims.notes.note_add``."""

    model = ClaimNote
    verbose_name = "note"
    verbose_name_plural = "notes (internal, never public)"
    fields = ["text", "author", "created_at", "edited_at"]
    readonly_fields = ["author", "created_at", "edited_at"]
    extra = 0
    can_delete = False
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class ClaimForm(VersionedForm):
    class Meta:
        model = Claim
        fields = [
            "statement",
            "claimant",
            "about",
            "assignee",
            "needs_review",
            "needs_review_reason",
        ]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The newsroom's own claims always name who made them; only an imported fact-check
        # may have none (its claimant's name is not a source on record).
        imported = (
            self.instance.pk is not None
            and ExternalReview.objects.filter(claim_id=self.instance.pk).exists()
        )
        if "claimant" in self.fields:
            self.fields["claimant"].required = not imported


class ImportedFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("own", "Our own claims"), ("imported", "Imported fact-checks")]

    def queryset(self, request, queryset):
        if self.value() == "own":
            return queryset.filter(external_review__isnull=True)
        if self.value() == "imported":
            return queryset.filter(external_review__isnull=False)
        return queryset


class ReviewerFilter(admin.SimpleListFilter):
    title = "checked by (imported)"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        reviewers = (
            ExternalReview.objects.exclude(reviewer="")
            .order_by("reviewer")
            .values_list("reviewer", flat=True)
            .distinct()[:50]
        )
        return [(name, name) for name in reviewers]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(external_review__reviewer=self.value())
        return queryset


class ReviewStateFilter(admin.SimpleListFilter):
    title = "verdict review state"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("none", "No verdict"), *ReviewState.choices]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(verdict__isnull=True)
        if self.value() in ReviewState.values:
            return queryset.filter(verdict__state=self.value())
        return queryset


class VerdictRatingFilter(admin.SimpleListFilter):
    title = "published verdict"
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return [(str(r.pk), r.label) for r in Rating.objects.all()]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(verdict__published_rating_id=int(self.value()))
        return queryset


@admin.register(Claim)
class ClaimAdmin(ServiceErrorsMixin, ReviewStepsMixin, HistoryAdmin):
    form = ClaimForm
    change_form_template = "admin/claims/claim/change_form.html"
    list_display = [
        "statement_short",
        "claimant_shown",
        "status_badge",
        "verdict_summary",
        "needs_review",
        "assignee",
        "updated_at",
    ]
    list_filter = [
        "status",
        VerdictRatingFilter,
        ReviewStateFilter,
        "needs_review",
        "assignee",
        ImportedFilter,
        ReviewerFilter,
    ]
    list_select_related = ["claimant", "verdict__rating", "assignee", "external_review"]
    search_fields = [
        "statement",
        "appearances__quote",
        "claimant__name",
        "claimant_name",
        "external_review__reviewer",
        "external_review__title",
        "evidence__source__name",
        "evidence__title",
    ]
    autocomplete_fields = ["claimant", "about"]
    readonly_fields = [
        "status_badge",
        "status_explanation",
        "evidence_counts",
        "version",
        "created_by",
        "created_at",
        "updated_at",
        "figures_stated",
        "claimant_name",
        "external_review_shown",
    ]
    fieldsets = [
        (None, {"fields": ["statement", "claimant", "about", "expected_version"]}),
        (
            "Status (computed from the evidence)",
            {"fields": ["status_badge", "status_explanation", "evidence_counts"]},
        ),
        ("Review", {"fields": ["assignee", "needs_review", "needs_review_reason"]}),
        ("Record", {"fields": ["version", "created_by", "created_at", "updated_at"]}),
        (
            "Imported fact-check (read-only: written by the import)",
            {"fields": ["claimant_name", "external_review_shown"]},
        ),
        # A read-only table rather than an inline: figures are written by accepting
        # candidates, and an inline would add a formset every claim form post must carry.
        ("Figures", {"fields": ["figures_stated"]}),
    ]
    inlines = [EvidenceInline, AppearanceInline, VerdictInline, NoteInline, ClaimChangeInline]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # Nothing is computed or recorded before the claim exists.
            return [(None, {"fields": ["statement", "claimant", "about"]}), self.fieldsets[2]]
        if not ExternalReview.objects.filter(claim_id=obj.pk).exists():
            # Our own claim: nothing was imported.
            return [f for f in self.fieldsets if not (f[0] or "").startswith("Imported")]
        return self.fieldsets

    actions = [
        "submit_verdicts",
        "publish_verdicts",
        "return_verdicts_to_draft",
        merge_claims,
        export_claims_csv,
    ]

    figures_stated = staticmethod(figures_stated)

    @admin.display(description="claimant", ordering="claimant__name")
    def claimant_shown(self, claim):
        if claim.claimant is not None:
            return claim.claimant.name
        return f"{claim.claimant_name} (not on record)" if claim.claimant_name else "—"

    @admin.display(description="external review")
    def external_review_shown(self, claim):
        review = ExternalReview.objects.filter(claim_id=claim.pk).first() if claim.pk else None
        if review is None:
            return "—"
        return format_html(
            "Checked by <strong>{}</strong>: <strong>{}</strong><br>{}{}<br>id {} · published {}",
            review.reviewer or "—",
            review.rating or "—",
            format_html('<a href="{}" rel="noopener noreferrer">{}</a>', review.url, review.url)
            if review.url
            else "no link",
            format_html("<br>“{}”", review.title) if review.title else "",
            review.external_id or "—",
            review.published_at.strftime("%Y-%m-%d") if review.published_at else "—",
        )

    @admin.display(description="statement", ordering="statement")
    def statement_short(self, claim):
        return str(claim)

    @admin.display(description="status", ordering="status")
    def status_badge(self, claim):
        return status_badge_html(claim.status, claim.get_status_display())

    @admin.display(description="evidence")
    def evidence_counts(self, claim):
        return (
            f"{claim.corroborates_count} corroborating "
            f"({claim.independent_corroborates_count} independent), "
            f"{claim.disputes_count} disputing "
            f"({claim.independent_disputes_count} independent), {claim.context_count} context"
        )

    @admin.display(description="verdict")
    def verdict_summary(self, claim):
        verdict = getattr(claim, "verdict", None)
        if verdict is None:
            return "—"
        return f"{verdict.rating} ({verdict.get_state_display().lower()})"

    # Saving through the services --------------------------------------------------------

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in ClaimForm.Meta.fields}
        if change:
            saved = services.claim_update(
                claim=obj,
                user=request.user,
                expected_version=form.cleaned_data.get("expected_version"),
                **fields,
            )
        else:
            saved = services.claim_create(user=request.user, **fields)
        obj.pk, obj.version = saved.pk, saved.version

    def save_related(self, request, form, formsets, change):
        # Not ``form.save_m2m()``: the claim service has set the parties the claim is about
        # (and recomputed the status with them); the inlines go through their services.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        claim = form.instance
        formset.save(commit=False)
        if formset.model is Evidence:
            for evidence in formset.deleted_objects:
                services.evidence_delete(evidence=evidence, user=request.user)
            for evidence, changed in formset.changed_objects:
                services.evidence_update(
                    evidence=evidence,
                    user=request.user,
                    **{name: getattr(evidence, name) for name in changed},
                )
            for evidence in formset.new_objects:
                services.evidence_create(
                    claim=claim,
                    user=request.user,
                    **{f: getattr(evidence, f) for f in ["stance", "source", "url", "title"]},
                    quote=evidence.quote,
                    published_at=evidence.published_at,
                )
        elif formset.model is Appearance:
            for appearance in formset.deleted_objects:
                services.appearance_delete(appearance=appearance, user=request.user)
            for appearance in formset.new_objects:
                services.appearance_create(
                    claim=claim,
                    revision=appearance.revision,
                    quote=appearance.quote,
                    user=request.user,
                )
        elif formset.model is Verdict:
            for verdict_form in formset.forms:
                if not verdict_form.has_changed() or not verdict_form.cleaned_data:
                    continue
                services.verdict_save(
                    claim=claim,
                    user=request.user,
                    rating=verdict_form.cleaned_data["rating"],
                    explanation=verdict_form.cleaned_data["explanation"],
                    expected_version=verdict_form.cleaned_data.get("expected_version"),
                )
        elif formset.model is ClaimNote:
            for note in formset.new_objects:
                notes.note_add(claim=claim, user=request.user, text=note.text)
        # The status and verdict history (ClaimChangeInline) is read-only: nothing to save.

    def delete_model(self, request, obj):
        services.claim_delete(claim=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset.order_by("pk"):
            services.claim_delete(claim=claim, user=request.user)

    # Review steps: actions on the list, buttons on the claim page --------------------------

    def _verdicts_of(self, request, queryset):
        chosen = Verdict.objects.filter(claim__in=queryset).select_related("claim", "rating")
        missing = queryset.filter(verdict__isnull=True).count()
        if missing:
            self.message_user(
                request,
                f"{missing} selected claim{'s have' if missing != 1 else ' has'} no verdict yet.",
                messages.WARNING,
            )
        return chosen

    @admin.action(description="Submit their verdicts for review", permissions=["change_verdict"])
    def submit_verdicts(self, request, queryset):
        self._apply(request, "submit", self._verdicts_of(request, queryset))

    @admin.action(
        description="Publish their verdicts (second editor)", permissions=["publish_verdict"]
    )
    def publish_verdicts(self, request, queryset):
        self._apply(request, "publish", self._verdicts_of(request, queryset))

    @admin.action(description="Return their verdicts to draft", permissions=["change_verdict"])
    def return_verdicts_to_draft(self, request, queryset):
        self._apply(request, "draft", self._verdicts_of(request, queryset))

    STEP_LABELS = {
        "submit": "Submit verdict for review",
        "publish": "Publish verdict",
        "draft": "Return verdict to draft",
    }

    def get_urls(self):
        return [
            path(
                "<int:claim_id>/verdict/<str:step>/",
                self.admin_site.admin_view(self.verdict_step_view),
                name="claims_claim_verdict_step",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="claims_claim_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        return imports.import_view(self, request)

    def changelist_view(self, request, extra_context=None):
        # Only those who may add claims are offered the import (the view checks it too).
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm("claims.add_claim"),
        }
        return super().changelist_view(request, extra_context)

    def verdict_step_view(self, request, claim_id: int, step: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        claim = get_object_or_404(Claim, pk=claim_id)
        if step not in self.REVIEW_STEPS or not self.has_view_permission(request, claim):
            raise PermissionDenied
        verdict = Verdict.objects.filter(claim=claim).select_related("claim", "rating").first()
        if verdict is None:
            self.message_user(request, "This claim has no verdict yet.", messages.ERROR)
        else:
            self._apply(request, step, [verdict])
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        verdict = getattr(obj, "verdict", None) if obj is not None else None
        context["verdict"] = verdict
        # Only the steps this user may take now (a Viewer none, the author no "Publish"
        # under second review), by the same rules as the services.
        steps = (
            services.verdict_steps_allowed(verdict=verdict, user=request.user) if verdict else []
        )
        context["review_steps"] = [(step, self.STEP_LABELS[step]) for step in steps]
        return super().render_change_form(request, context, add, change, form_url, obj)
