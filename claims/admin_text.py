"""Admin for claims from text (SPEC section 6): candidates with accept, reject and attach
actions, the figures each claim states (a table on the claim page), and merging duplicate
claims. Every write goes through ``claims.candidates``; imported at the end of
``claims.admin``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims import candidates as candidate_services
from claims.models import Candidate, Claim, ClaimQuantity
from core.history_admin import HistoryAdmin


def _report(modeladmin, request, done: int, label: str, refused: list[tuple[object, str]]):
    if done:
        modeladmin.message_user(request, f"{done} {label}.")
    for obj, reason in refused:
        modeladmin.message_user(request, f"“{obj}”: {reason}", messages.ERROR)


def _reason(exc: Exception) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="Not check-worthy",
        help_text="Recorded with your name on each rejected candidate.",
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
        "quantities",
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

    @admin.display(description="sentence", ordering="text")
    def sentence(self, candidate):
        return str(candidate)

    @admin.display(description="figures")
    def figures(self, candidate):
        return "; ".join(q.get("text", "") for q in candidate.quantities) or "—"

    @admin.display(description="possibly the same as", ordering="match_score")
    def possibly_same_as(self, candidate):
        if candidate.matched_claim_id is None:
            return "—"
        return format_html(
            '<a href="{}">claim #{}</a> ({})',
            reverse("admin:claims_claim_change", args=[candidate.matched_claim_id]),
            candidate.matched_claim_id,
            f"{candidate.match_score:.2f}",
        )

    def _each(self, request, queryset, action, label: str):
        done, refused = 0, []
        for candidate in queryset:
            try:
                action(candidate)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append((candidate, _reason(exc)))
        _report(self, request, done, label, refused)

    @admin.action(description="Accept as new claims", permissions=["change"])
    def accept_candidates(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: candidate_services.candidate_accept(candidate=c, user=request.user),
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
                lambda c: candidate_services.candidate_reject(
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
        description="Attach to the claim each possibly states (new appearance)",
        permissions=["change"],
    )
    def attach_to_matched_claims(self, request, queryset):
        def attach(candidate):
            if candidate.matched_claim is None:
                raise ValidationError("No existing claim matches this candidate.")
            candidate_services.candidate_attach(
                candidate=candidate, claim=candidate.matched_claim, user=request.user
            )

        self._each(request, queryset, attach, "candidate(s) attached to existing claims")


@admin.display(description="figures stated")
def figures_stated(claim):
    """The figures a claim states, each dated, grouped by unit and oldest first, so a newer
    figure (11,000 troops, later 12,000) stands beside the older one."""
    if claim is None or claim.pk is None:
        return "—"
    rows = ClaimQuantity.objects.filter(claim=claim).select_related("revision__article")
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
            candidate_services.claims_merge(
                target=target, duplicates=list(claims), user=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(request, _reason(exc), messages.ERROR)
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


def _extend_claim_admin() -> None:
    # The claim admin lives in claims.admin; this adds the figures table and the merge
    # action to it without editing it beyond one import.
    claim_admin = admin.site.get_model_admin(Claim)
    # A read-only table rather than an inline: figures are written by accepting candidates,
    # and an inline would add a formset every claim form post must carry.
    claim_admin.figures_stated = figures_stated
    claim_admin.readonly_fields = [*claim_admin.readonly_fields, "figures_stated"]
    claim_admin.fieldsets = [*claim_admin.fieldsets, ("Figures", {"fields": ["figures_stated"]})]
    claim_admin.actions = [*(claim_admin.actions or []), merge_claims]


_extend_claim_admin()
