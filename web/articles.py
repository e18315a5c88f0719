"""The article review page (SPEC section 8): the text with its claims and candidates
highlighted, the selected claim's evidence, a quick evidence form, accepting, rejecting or
attaching candidates, and the diff between revisions."""

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe
from django_htmx.http import replace_url

from articles.diff import diff_html
from articles.models import Article, ArticleRevision
from claims import candidate_review, claimants, services
from claims.models import (
    AnchorState,
    Appearance,
    Candidate,
    Claim,
    ClaimFigure,
    ClaimStatus,
    Evidence,
    Source,
)
from claims.status import interest
from core.errors import StaleVersionError
from web.forms import (
    TOP_LEVEL,
    CandidateAcceptForm,
    CandidateAttachForm,
    CandidateRejectForm,
    ClaimAssignForm,
    EvidenceQuickForm,
)
from web.highlight import Span, paragraphs
from web.workspace import claim_workspace

# Anchor states that mean an editor should look at the claim again (SPEC section 5).
DISPLACED = {AnchorState.MOVED, AnchorState.FUZZY, AnchorState.CHANGED, AnchorState.ORPHANED}


def _revision_spans(
    revision: ArticleRevision | None,
) -> tuple[list[Span], list[Appearance], list[Candidate]]:
    """Highlights of one revision: its claims' appearances and its open candidates."""
    if revision is None:
        return [], [], []
    appearances = list(
        Appearance.objects.filter(revision=revision)
        .select_related("claim", "claim__claimant")
        .order_by("start", "id")
    )
    spans = [
        Span(
            start=a.start,
            end=a.end,
            kind="claim",
            id=a.claim_id,
            status=a.claim.status,
            label=a.claim.get_status_display(),
        )
        for a in appearances
        if a.anchor_state != AnchorState.ORPHANED
    ]
    # A candidate's start and end index the newest revision it was seen in, so only the
    # current revision's candidates can be placed in its text.
    candidates = list(
        Candidate.objects.open()
        .filter(revision=revision)
        .select_related("matched_claim")
        .best_first()
    )
    spans += [
        Span(start=c.start, end=c.end, kind="candidate", id=c.pk, status="new", label="Candidate")
        for c in candidates
    ]
    return spans, appearances, candidates


def _selected_claim(article: Article, claim_id: str | None) -> Claim | None:
    if not claim_id:
        return None
    try:
        pk = int(claim_id)
    except ValueError:
        return None
    evidence = Evidence.objects.select_related("source").order_by("created_at", "id")
    figures = ClaimFigure.objects.select_related("revision").only(
        *("claim_id", "value", "low", "high", "qualifier", "unit", "text", "stated_at"),
        *("revision__id", "revision__number"),
    )
    claim = (
        Claim.objects.with_related()
        .select_related(
            "claimant",
            "assignee",
            "verdict__published_rating",
            "verdict__written_by",
            "external_review",
        )
        .prefetch_related(
            Prefetch("evidence", queryset=evidence),
            Prefetch("figures", queryset=figures),
            Prefetch("about", queryset=Source.objects.only("id", "name", "root_id")),
        )
        .filter(pk=pk, appearances__revision__article=article)
        .distinct()
        .first()
    )
    if claim is None:
        return None
    claimant = claim.claimant
    about_roots = {party.root_id or party.pk for party in claim.about.all()}
    # An imported fact-check's claimant may be no source on record: no source is on its side.
    claimant_root_id = (claimant.root_id or claimant.pk) if claimant is not None else 0
    for item in claim.evidence.all():
        # None (independent), the claimant's side, or a party the claim is about.
        item.interest = interest(
            source_root_id=item.source.root_id or item.source_id,
            claimant_root_id=claimant_root_id,
            about_root_ids=about_roots,
        )
    return claim


def _selected_candidate(article: Article, candidate_id: str | None) -> Candidate | None:
    pk = _int(candidate_id)
    if pk is None:
        return None
    return (
        Candidate.objects.select_related(
            "matched_claim",
            "matched_claim__verdict__published_rating",
            "matched_claim__external_review",
            "claim",
            "decided_by",
            "revision",
        )
        .filter(article=article, pk=pk)
        .first()
    )


def _compare(article: Article, revisions: list[ArticleRevision], params) -> dict | None:
    """The diff asked for by ``?from=N&to=M`` (revision numbers), or None."""
    if "from" not in params and "to" not in params:
        return None
    by_number = {r.number: r for r in revisions}
    try:
        old = by_number[int(params.get("from", ""))]
        new = by_number[int(params.get("to", ""))]
    except (KeyError, ValueError):
        return {"error": "Choose two revisions of this article to compare."}
    html, stats = diff_html(old.text, new.text)
    # Claims anchored in the older revision, and how their anchors fared in the newer one.
    old_claims = dict(
        Appearance.objects.filter(revision=old).values_list("claim_id", "claim__statement")
    )
    new_states = {
        a.claim_id: a
        for a in Appearance.objects.filter(revision=new)
        .select_related("claim")
        .only("claim_id", "anchor_state", "quote", "claim__statement")
    }
    displaced = [
        {
            "claim_id": a.claim_id,
            "statement": a.claim.statement,
            "state": a.anchor_state,
            "label": a.get_anchor_state_display(),
        }
        for a in new_states.values()
        if a.anchor_state in DISPLACED
    ]
    missing = [
        {"claim_id": cid, "statement": statement, "state": "orphaned", "label": "Not anchored"}
        for cid, statement in old_claims.items()
        if cid not in new_states
    ]
    return {"old": old, "new": new, "html": html, "stats": stats, "displaced": displaced + missing}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _review_context(
    request: HttpRequest,
    article: Article,
    *,
    claim_id: str | None,
    form=None,
    candidate_id: str | None = None,
    candidate_forms: dict | None = None,
    workspace_forms: dict | None = None,
) -> dict:
    """The review page's context. ``workspace_forms`` are the selected claim's verdict and
    note forms sent back with their errors (``web.verdicts``)."""
    revisions = list(
        article.revisions.only("id", "number", "fetched_at", "article_id").order_by("number")
    )
    revision = article.current_revision
    spans, appearances, candidates = _revision_spans(revision)
    claim = _selected_claim(article, claim_id)
    # A selected claim takes the panel; a candidate is shown only when no claim is asked for.
    candidate = None if claim is not None else _selected_candidate(article, candidate_id)
    can_add_evidence = request.user.has_perm("claims.add_evidence")
    can_assign = request.user.has_perm("claims.change_claim")
    if claim is not None and can_add_evidence and form is None:
        form = EvidenceQuickForm(initial={"claim_version": claim.version})
    candidate_forms = candidate_forms or {}
    claimant_context: dict = {}
    if candidate is not None:
        resolved = claimants.suggested_source(candidate) if candidate.state == "new" else None
        proposal = claimants.new_source_proposal(candidate)
        accept_form = candidate_forms.setdefault(
            "accept",
            CandidateAcceptForm(
                initial={
                    "statement": candidate.text,
                    "claimant": resolved.pk if resolved else None,
                    "new_source_name": proposal["name"],
                    "new_source_kind": proposal["kind"],
                }
            ),
        )
        candidate_forms.setdefault("reject", CandidateRejectForm())
        chosen_claimant = _int(str(accept_form["claimant"].value() or ""))
        chosen_about = {
            pk for pk in (_int(str(v)) for v in accept_form["about"].value() or ()) if pk
        }
        chosen_parent = str(accept_form["new_source_parent"].value() or "")
        claimant_context = {
            "resolved_claimant": resolved,
            "claimant_options": source_options(selected=chosen_claimant),
            "parent_options": source_options(
                selected=_int(chosen_parent) if chosen_parent != TOP_LEVEL else None
            ),
            "chosen_claimant": str(chosen_claimant or ""),
            "about_options": source_options(selected_ids=chosen_about),
            "chosen_about": chosen_about,
            "chosen_parent": chosen_parent,
        }
    # The selected claim's verdict, notes and history (web.workspace), whose forms come back
    # here: the review page with this claim selected.
    workspace = (
        claim_workspace(
            request,
            claim,
            next_url=f"{reverse('article_review', args=[article.pk])}?claim={claim.pk}",
            article_id=article.pk,
            **(workspace_forms or {}),
        )
        if claim is not None
        else {}
    )
    compare = _compare(article, revisions, request.GET)
    if len(revisions) >= 2:
        default_from, default_to = revisions[-2].number, revisions[-1].number
    else:
        default_from = default_to = revisions[-1].number if revisions else None
    return {
        "article": article,
        "revision": revision,
        "revisions": revisions,
        "paragraphs": paragraphs(revision.text, spans) if revision else [],
        "appearances": appearances,
        "candidates": candidates,
        "candidate": candidate,
        "candidate_forms": candidate_forms,
        **claimant_context,
        "top_level": TOP_LEVEL,
        "can_accept": request.user.has_perm("claims.add_claim"),
        "can_reject": request.user.has_perm("claims.change_candidate"),
        "can_attach": request.user.has_perm("claims.add_appearance"),
        "claim": claim,
        "form": form,
        "can_add_evidence": can_add_evidence,
        "can_assign": can_assign,
        **workspace,
        "compare": compare,
        "compare_from": _int(request.GET.get("from")) or default_from,
        "compare_to": _int(request.GET.get("to")) or default_to,
        "statuses": ClaimStatus.choices,
    }


@require_safe
@login_required
@permission_required("articles.view_article", raise_exception=True)
def article_review(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.with_current_revision(), pk=pk)
    context = _review_context(
        request,
        article,
        claim_id=request.GET.get("claim"),
        candidate_id=request.GET.get("candidate"),
    )
    return render(request, "articles/review.html", context)


@require_POST
@login_required
def evidence_add(request: HttpRequest, pk: int, claim_id: int) -> HttpResponse:
    """Quick add-evidence form of the review page; the same service as the admin and API."""
    if not request.user.has_perm("claims.add_evidence"):
        raise PermissionDenied("You do not have permission to add evidence.")
    article = get_object_or_404(Article.objects.with_current_revision(), pk=pk)
    claim = get_object_or_404(
        Claim.objects.filter(appearances__revision__article=article).distinct(), pk=claim_id
    )
    form = EvidenceQuickForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_create(
                claim=claim,
                stance=data["stance"],
                source=data["source"],
                url=data["url"],
                title=data["title"],
                quote=data["quote"],
                published_at=data["published_at"],
                user=request.user,
                expected_claim_version=data["claim_version"],
            )
        except StaleVersionError as exc:
            # Keep what they typed, now based on the current version: the page shows the
            # other editor's change, and sending again is a deliberate second decision.
            data = request.POST.copy()
            data["claim_version"] = str(exc.current)
            form = EvidenceQuickForm(data)
            form.is_valid()
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            claim.refresh_from_db(fields=["status", "status_explanation"])
            # The explanation starts with the new status ("Contested: …").
            messages.success(request, f"Evidence added. {claim.status_explanation}")
            url = reverse("article_review", args=[article.pk])
            return redirect(f"{url}?claim={claim.pk}#claim-panel")
    context = _review_context(request, article, claim_id=str(claim.pk), form=form)
    response = render(request, "articles/review.html", context, status=status)
    if request.htmx:
        # The address bar shows the review page, not this form's endpoint (which only POSTs).
        url = reverse("article_review", args=[article.pk])
        replace_url(response, f"{url}?claim={claim.pk}")
    return response


@require_POST
@login_required
def claim_assign(request: HttpRequest, pk: int, claim_id: int) -> HttpResponse:
    """Take a claim (assign it to oneself) or let it go, through the claim service, with the
    claim's version so a stale page cannot undo someone else's change."""
    if not request.user.has_perm("claims.change_claim"):
        raise PermissionDenied("You do not have permission to assign claims.")
    article = get_object_or_404(Article, pk=pk)
    claim = get_object_or_404(
        Claim.objects.filter(appearances__revision__article=article).distinct(), pk=claim_id
    )
    form = ClaimAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That form was incomplete; reload the page and try again.")
    else:
        take = form.cleaned_data["action"] == "take"
        try:
            services.claim_update(
                claim=claim,
                user=request.user,
                expected_version=form.cleaned_data["claim_version"],
                assignee=request.user if take else None,
            )
        except StaleVersionError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, "The claim is assigned to you." if take else "The claim is unassigned."
            )
    url = reverse("article_review", args=[article.pk])
    return redirect(f"{url}?claim={claim.pk}#claim-panel")


# Candidates ------------------------------------------------------------------------------

# How many sources a choice list shows at once; typing in its search box narrows it.
SOURCE_OPTIONS_LIMIT = 200


def source_options(
    *, words: str = "", selected: int | None = None, selected_ids: Iterable[int] = ()
) -> dict:
    """The sources to offer in a claimant or parent choice: those whose name or alias has the
    words (all when none), by name, with the chosen ones always among them."""
    found = (
        Source.objects.search(words)
        .select_related("parent")
        .prefetch_related("aliases")
        .order_by("name", "id")
    )
    options = list(found[: SOURCE_OPTIONS_LIMIT + 1])
    more = len(options) > SOURCE_OPTIONS_LIMIT
    options = options[:SOURCE_OPTIONS_LIMIT]
    wanted = set(selected_ids) | ({selected} if selected is not None else set())
    missing = wanted - {o.pk for o in options}
    if missing:
        chosen = Source.objects.select_related("parent").filter(pk__in=missing).order_by("name")
        options[:0] = list(chosen)
    return {"sources": options, "more": more, "words": words}


@require_GET
@login_required
@permission_required("claims.view_source", raise_exception=True)
def source_choices(request: HttpRequest) -> HttpResponse:
    """The options of a source choice narrowed to the words typed in its search box (htmx)."""
    field = request.GET.get("field", "claimant")
    if field not in {"claimant", "new_source_parent"}:
        field = "claimant"
    chosen = request.GET.get(field, "")
    context = source_options(
        words=request.GET.get(f"{field}_search", "")[:100],
        selected=_int(chosen) if chosen != TOP_LEVEL else None,
    )
    return render(
        request,
        "articles/_source_options.html",
        {
            "options": context,
            "chosen": chosen,
            "top_level_choice": field == "new_source_parent",
            "top_level": TOP_LEVEL,
        },
    )


def _candidate_of(article_pk: int, candidate_pk: int) -> tuple[Article, Candidate]:
    article = get_object_or_404(Article.objects.with_current_revision(), pk=article_pk)
    candidate = get_object_or_404(Candidate.objects.filter(article=article), pk=candidate_pk)
    return article, candidate


def _candidate_refused(
    request: HttpRequest, article: Article, candidate: Candidate, forms: dict, status: int
) -> HttpResponse:
    """The review page again with the candidate's panel and what went wrong, at the review
    page's address (an htmx request swaps it in place)."""
    context = _review_context(
        request, article, claim_id=None, candidate_id=str(candidate.pk), candidate_forms=forms
    )
    response = render(request, "articles/review.html", context, status=status)
    if request.htmx:
        url = reverse("article_review", args=[article.pk])
        replace_url(response, f"{url}?candidate={candidate.pk}")
    return response


def _service_errors(form, exc: ValidationError) -> int:
    """Puts a service's refusal on the form; 409 when the candidate was decided meanwhile."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)
    return 409 if "state" in errors else 400


@require_POST
@login_required
def candidate_accept(request: HttpRequest, pk: int, candidate_id: int) -> HttpResponse:
    """Accept a candidate as a new claim, through the same service as the admin and API."""
    if not request.user.has_perm("claims.add_claim"):
        raise PermissionDenied("You do not have permission to create claims.")
    article, candidate = _candidate_of(pk, candidate_id)
    form = CandidateAcceptForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            claim = candidate_review.candidate_accept(
                candidate=candidate,
                user=request.user,
                statement=form.cleaned_data["statement"],
                claimant=form.cleaned_data["claimant"],
                new_source=form.cleaned_data["new_source_request"],
                about=form.cleaned_data["about"],
            )
        except ValidationError as exc:
            status = _service_errors(form, exc)
        else:
            messages.success(
                request, f"Claim #{claim.pk} created from the candidate. {claim.status_explanation}"
            )
            url = reverse("article_review", args=[article.pk])
            return redirect(f"{url}?claim={claim.pk}#claim-panel")
    return _candidate_refused(request, article, candidate, {"accept": form}, status)


@require_POST
@login_required
def candidate_reject(request: HttpRequest, pk: int, candidate_id: int) -> HttpResponse:
    """Reject a candidate with a reason; it stays, so it is not proposed again."""
    if not request.user.has_perm("claims.change_candidate"):
        raise PermissionDenied("You do not have permission to reject candidates.")
    article, candidate = _candidate_of(pk, candidate_id)
    form = CandidateRejectForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            candidate_review.candidate_reject(
                candidate=candidate, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            status = _service_errors(form, exc)
        else:
            messages.success(request, "Candidate rejected; it will not be proposed again.")
            url = reverse("article_review", args=[article.pk])
            return redirect(f"{url}#candidates-heading")
    return _candidate_refused(request, article, candidate, {"reject": form}, status)


@require_POST
@login_required
def candidate_attach(request: HttpRequest, pk: int, candidate_id: int) -> HttpResponse:
    """Attach a candidate to the existing claim it possibly restates, as a new appearance."""
    if not request.user.has_perm("claims.add_appearance"):
        raise PermissionDenied("You do not have permission to add appearances to claims.")
    article, candidate = _candidate_of(pk, candidate_id)
    form = CandidateAttachForm(request.POST)
    status = 400
    if form.is_valid():
        if form.cleaned_data["claim"] != candidate.matched_claim_id:
            form.add_error(
                None,
                "The suggested claim changed since the page was shown; look again before "
                "attaching.",
            )
            status = 409
        else:
            try:
                candidate_review.candidate_attach(
                    candidate=candidate,
                    claim=candidate.matched_claim,
                    user=request.user,
                    add_figures=form.cleaned_data["add_figures"],
                )
            except ValidationError as exc:
                status = _service_errors(form, exc)
            else:
                claim_pk = candidate.matched_claim_id
                messages.success(
                    request, f"The sentence is now an appearance of claim #{claim_pk}."
                )
                url = reverse("article_review", args=[article.pk])
                return redirect(f"{url}?claim={claim_pk}#claim-panel")
    else:
        form.add_error(None, "That form was incomplete; reload the page and try again.")
    return _candidate_refused(request, article, candidate, {"attach": form}, status)
