"""Candidates: check-worthy sentences accepted, rejected or attached by editors."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from claims import candidate_review, claimants
from claims.admin.common import (
    refusal_reason,
    report_each,
)
from claims.models import (
    Candidate,
)
from core.history_admin import HistoryAdmin


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="Not check-worthy",
        help_text="Recorded with your name on each rejected candidate.",
    )


class AttachForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
    add_figures = forms.BooleanField(
        required=False,
        label="Also add each sentence's figures to its claim",
        help_text="Off: each sentence becomes another appearance of its claim and nothing "
        "else changes.",
    )


NO_CLAIMANT = (
    "its claimant “{name}” is not a source on record (by name or alias): choose the claimant, "
    "or add it as a new source with its parent, on the article's review page."
)


@admin.register(Candidate)
class CandidateAdmin(HistoryAdmin):
    list_display = [
        "sentence",
        "article",
        "score",
        "suggested_claimant",
        "figures",
        "possibly_same_as",
        "state",
    ]
    list_filter = ["state"]
    list_select_related = ["article", "matched_claim"]
    search_fields = ["text", "suggested_claimant", "article__title"]
    ordering = ["-score", "id"]
    readonly_fields = [
        "article",
        "revision",
        "first_revision",
        "text",
        "start",
        "end",
        "score",
        "features",
        "suggested_claimant",
        "figures",
        "possibly_same_as",
        "match_score",
        "state",
        "claim",
        "decided_by",
        "decided_at",
        "decision_reason",
    ]
    exclude = ["matched_claim"]
    actions = ["accept_candidates", "reject_candidates", "attach_to_matched_claims"]

    def has_add_permission(self, request):
        return False  # candidates come from the text of a revision

    def has_change_permission(self, request, obj=None):
        # A candidate changes only by an editor's decision (the actions, the article page),
        # through the candidate services: its own page is read-only. Without an object this
        # is the list's question, which the decision actions ask.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # a decided candidate stays, so its sentence is not proposed again

    @admin.display(description="sentence", ordering="text")
    def sentence(self, candidate):
        return str(candidate)

    @admin.display(description="figures")
    def figures(self, candidate):
        return "; ".join(q.get("text", "") for q in candidate.figures) or "—"

    @admin.display(description="possibly the same as", ordering="match_score")
    def possibly_same_as(self, candidate):
        if candidate.matched_claim_id is None:
            return "—"
        return format_html(
            '<a href="{}">claim #{}</a> ({}{})',
            reverse("admin:claims_claim_change", args=[candidate.matched_claim_id]),
            candidate.matched_claim_id,
            f"{candidate.match_score:.2f}",
            ", likely the same" if candidate.match_likely_same else "",
        )

    def _each(self, request, queryset, action, label: str):
        done, refused = 0, []
        for candidate in queryset:
            try:
                action(candidate)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append((candidate, refusal_reason(exc)))
        report_each(self, request, done, label, refused)

    @admin.action(description="Accept as new claims", permissions=["change"])
    def accept_candidates(self, request, queryset):
        def accept(candidate):
            # Only a claimant that resolves to a source on record; never a source made from
            # the suggested text (SPEC section 3: a duplicate source would count as
            # independent).
            claimant = claimants.suggested_source(candidate)
            if claimant is None:
                name = candidate.suggested_claimant or "the outlet"
                raise ValidationError(NO_CLAIMANT.format(name=name))
            candidate_review.candidate_accept(
                candidate=candidate, user=request.user, claimant=claimant
            )

        self._each(
            request,
            queryset.select_related("article"),
            accept,
            "candidate(s) accepted as claims",
        )

    @admin.action(description="Reject…", permissions=["change"])
    def reject_candidates(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                queryset,
                lambda c: candidate_review.candidate_reject(
                    candidate=c, user=request.user, reason=reason
                ),
                "candidate(s) rejected",
            )
            return None
        return TemplateResponse(
            request,
            "admin/claims/candidate/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject candidates",
                "form": form,
                "candidates": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(
        description="Attach to the claim each possibly states (new appearance)…",
        permissions=["change"],
    )
    def attach_to_matched_claims(self, request, queryset):
        form = AttachForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            add_figures = form.cleaned_data["add_figures"]

            def attach(candidate):
                if candidate.matched_claim is None:
                    raise ValidationError("No existing claim matches this candidate.")
                candidate_review.candidate_attach(
                    candidate=candidate,
                    claim=candidate.matched_claim,
                    user=request.user,
                    add_figures=add_figures,
                )

            self._each(request, queryset, attach, "candidate(s) attached to existing claims")
            return None
        return TemplateResponse(
            request,
            "admin/claims/candidate/attach.html",
            {
                **self.admin_site.each_context(request),
                "title": "Attach candidates to the claims they possibly state",
                "form": form,
                "candidates": queryset.select_related("matched_claim"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )
