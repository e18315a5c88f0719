"""The Django admin is the editors' main tool (SPEC section 8). Every write goes through
``claims.services`` so the admin obeys the same rules as the API and the pages."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from claims import services
from claims.models import (
    Appearance,
    Claim,
    ClaimChange,
    ClaimStatus,
    Evidence,
    Rating,
    ReviewState,
    Source,
    Verdict,
)
from core.errors import ReviewRuleError, StaleVersionError
from core.history_admin import HistoryAdmin

STATUS_SYMBOL = {
    ClaimStatus.UNVERIFIED: "?",
    ClaimStatus.CORROBORATED: "✓",
    ClaimStatus.DISPUTED: "✗",
    ClaimStatus.CONTESTED: "±",
}


def status_badge_html(status: str, label: str):
    # The symbol and the label carry the meaning; the colour only repeats it.
    return format_html(
        '<span class="fc-badge fc-{}">{} {}</span>', status, STATUS_SYMBOL.get(status, ""), label
    )


class VersionedForm(forms.ModelForm):
    """Carries the version the editor opened, so a save based on a stale copy is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            current = type(self.instance).objects.filter(pk=self.instance.pk).first()
            if current is not None and expected is not None and current.version != expected:
                raise ValidationError(str(StaleVersionError(current, expected)), code="stale")
        return cleaned


class ServiceErrorsMixin:
    """Rules enforced in the services (a race on the version, a refused review step) surface
    as messages on the same page, never as a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (StaleVersionError, ReviewRuleError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class ReviewStepsMixin:
    """Submit, publish and return-to-draft, applied through the verdict services with a message
    for each verdict the rules refuse."""

    REVIEW_STEPS = {
        "submit": (services.verdict_submit, "submitted for review"),
        "publish": (services.verdict_publish, "published"),
        "draft": (services.verdict_return_to_draft, "returned to draft"),
    }

    def _apply(self, request, step: str, verdicts):
        action, done_label = self.REVIEW_STEPS[step]
        done, refused = services.verdicts_apply(action, verdicts, request.user)
        if done:
            self.message_user(
                request, f"{len(done)} verdict{'s' if len(done) != 1 else ''} {done_label}."
            )
        for verdict, reason in refused:
            self.message_user(request, f"“{verdict.claim}”: {reason}", messages.ERROR)


# Sources ---------------------------------------------------------------------------------


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


# Claims ----------------------------------------------------------------------------------


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = [
        "stance",
        "source",
        "url",
        "title",
        "quote",
        "published_at",
        "independence",
        "link_state",
        "link_checked_at",
    ]
    readonly_fields = ["independence", "link_state", "link_checked_at"]
    autocomplete_fields = ["source"]
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "claim__claimant")

    @admin.display(description="independent?")
    def independence(self, evidence):
        if not evidence.pk:
            return "—"
        claimant = evidence.claim.claimant
        independent = evidence.source_id != claimant.pk and (
            evidence.source.root_id != claimant.root_id
        )
        return "yes" if independent else "no (same source or same parent as the claimant)"


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
    fields = ["created_at", "field", "from_value", "to_value", "rating_label", "reason", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimForm(VersionedForm):
    class Meta:
        model = Claim
        fields = ["statement", "claimant", "assignee", "needs_review", "needs_review_reason"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}


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
        "claimant",
        "status_badge",
        "verdict_summary",
        "needs_review",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", VerdictRatingFilter, ReviewStateFilter, "needs_review", "assignee"]
    list_select_related = ["claimant", "verdict__rating", "assignee"]
    search_fields = [
        "statement",
        "appearances__quote",
        "claimant__name",
        "evidence__source__name",
        "evidence__title",
    ]
    autocomplete_fields = ["claimant"]
    readonly_fields = [
        "status_badge",
        "status_explanation",
        "evidence_counts",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["statement", "claimant", "expected_version"]}),
        (
            "Status (computed from the evidence)",
            {"fields": ["status_badge", "status_explanation", "evidence_counts"]},
        ),
        ("Review", {"fields": ["assignee", "needs_review", "needs_review_reason"]}),
        ("Record", {"fields": ["version", "created_by", "created_at", "updated_at"]}),
    ]
    inlines = [EvidenceInline, AppearanceInline, VerdictInline, ClaimChangeInline]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # Nothing is computed or recorded before the claim exists.
            return [(None, {"fields": ["statement", "claimant"]}), self.fieldsets[2]]
        return self.fieldsets

    actions = ["submit_verdicts", "publish_verdicts", "return_verdicts_to_draft"]

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
            f"{claim.disputes_count} disputing, {claim.context_count} context"
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
                appearance._history_user = request.user
                appearance.delete()
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
        else:
            formset.save()

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

    @admin.action(description="Submit their verdicts for review")
    def submit_verdicts(self, request, queryset):
        self._apply(request, "submit", self._verdicts_of(request, queryset))

    @admin.action(description="Publish their verdicts (second editor)")
    def publish_verdicts(self, request, queryset):
        self._apply(request, "publish", self._verdicts_of(request, queryset))

    @admin.action(description="Return their verdicts to draft")
    def return_verdicts_to_draft(self, request, queryset):
        self._apply(request, "draft", self._verdicts_of(request, queryset))

    def get_urls(self):
        return [
            path(
                "<int:claim_id>/verdict/<str:step>/",
                self.admin_site.admin_view(self.verdict_step_view),
                name="claims_claim_verdict_step",
            ),
            *super().get_urls(),
        ]

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
        context["review_steps"] = []
        if verdict is not None:
            state = verdict.state
            if state == ReviewState.DRAFT:
                context["review_steps"].append(("submit", "Submit verdict for review"))
            if state == ReviewState.IN_REVIEW:
                context["review_steps"].append(("publish", "Publish verdict"))
            if state != ReviewState.DRAFT:
                context["review_steps"].append(("draft", "Return verdict to draft"))
        return super().render_change_form(request, context, add, change, form_url, obj)


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

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in EvidenceForm.Meta.fields}
        if change:
            fields.pop("claim")
            saved = services.evidence_update(evidence=obj, user=request.user, **fields)
        else:
            saved = services.evidence_create(user=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.evidence_delete(evidence=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for evidence in queryset.select_related("claim"):
            services.evidence_delete(evidence=evidence, user=request.user)


# Verdicts and the rating scale --------------------------------------------------------------


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
from claims import admin_text  # noqa: E402, F401
