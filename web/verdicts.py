"""Verdicts and notes on the pages (SPEC sections 4 and 8): the claim edit page, writing and
submitting a verdict, publishing it after a confirmation, returning it with a reason, and
notes. The article review page's claim panel sends its forms here too; every step goes
through the same services and rules as the admin (``claims.services``, ``claims.notes``).

Forms sent with mistakes come back on the page they were sent from (the review page when
they carry its ``article``, else the claim edit page) with their errors; refused review
steps come back as a message on the page named by ``next``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import replace_url

from articles.models import Article
from claims import notes as note_services
from claims import services
from claims.models import Appearance, Claim, ClaimNote, Evidence, Verdict
from core.errors import ReviewRuleError, StaleVersionError
from web import articles as article_views
from web.forms import NoteForm, VerdictActionForm, VerdictForm, VerdictReturnForm
from web.workspace import claim_workspace

QUEUE_VERDICTS = "/review/?tab=verdicts"


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a step: the page the form named, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# The claim edit page ------------------------------------------------------------------------


def _claim_for_page(pk: int) -> Claim:
    evidence = Evidence.objects.select_related("source").order_by("created_at", "id")
    appearances = Appearance.objects.select_related("revision__article").order_by(
        "revision__article_id", "revision__number"
    )
    return get_object_or_404(
        Claim.objects.select_related("claimant", "assignee").prefetch_related(
            Prefetch("evidence", queryset=evidence),
            Prefetch("appearances", queryset=appearances),
        ),
        pk=pk,
    )


def _edit_page(request: HttpRequest, claim: Claim, *, status: int = 200, **forms) -> HttpResponse:
    url = reverse("claim_edit", args=[claim.pk])
    context = {"claim": claim, **claim_workspace(request, claim, next_url=url, **forms)}
    response = render(request, "claims/edit.html", context, status=status)
    if request.htmx:
        replace_url(response, url)
    return response


@require_safe
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim with its evidence, verdict, notes and history: where a verdict is written for a
    claim that appears in no article, and reviewed for any claim."""
    return _edit_page(request, _claim_for_page(pk))


def _form_page(request: HttpRequest, claim: Claim, *, status: int, **forms: object) -> HttpResponse:
    """The page the form was sent from, with the form and its errors: the article review page
    when the form names an article the claim appears in, else the claim edit page."""
    article_id = _int(request.POST.get("article"))
    if article_id is not None:
        article = (
            Article.objects.with_current_revision()
            .filter(pk=article_id, revisions__appearances__claim=claim)
            .distinct()
            .first()
        )
        if article is not None:
            context = article_views._review_context(
                request, article, claim_id=str(claim.pk), workspace_forms=forms
            )
            response = render(request, "articles/review.html", context, status=status)
            if request.htmx:
                url = reverse("article_review", args=[article.pk])
                replace_url(response, f"{url}?claim={claim.pk}")
            return response
    return _edit_page(request, _claim_for_page(claim.pk), status=status, **forms)


def _put_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_errors in errors.items():
        form.add_error(field if field in form.fields else None, field_errors)


# Writing and submitting ---------------------------------------------------------------------


@require_POST
@login_required
def verdict_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Write or revise the claim's verdict, saved as a draft or submitted for review."""
    claim = get_object_or_404(Claim, pk=pk)
    verdict = Verdict.objects.filter(claim=claim).first()
    if verdict is None and not request.user.has_perm("claims.add_verdict"):
        raise PermissionDenied("You do not have permission to write verdicts.")
    if verdict is not None and not request.user.has_perm("claims.change_verdict"):
        raise PermissionDenied("You do not have permission to edit verdicts.")
    form = VerdictForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        submit = data["action"] == "submit"
        try:
            # Saving and submitting are one step: a refused submit leaves no new draft.
            with transaction.atomic():
                saved = services.verdict_save(
                    claim=claim,
                    user=request.user,
                    rating=data["rating"],
                    explanation=data["explanation"],
                    # A form shown when there was no verdict yet carries no version: 0 makes
                    # the service refuse to overwrite one written meanwhile by someone else.
                    expected_version=data["version"] or 0,
                )
                if submit:
                    saved = services.verdict_submit(
                        verdict=saved, user=request.user, expected_version=saved.version
                    )
        except StaleVersionError as exc:
            message = str(exc)
            if exc.expected == 0:
                message = (
                    "Someone else wrote a verdict for this claim since you opened the page. "
                    "Reload it to see theirs, then revise it."
                )
            # Keep what they typed, now based on the current version: sending it again is a
            # deliberate second decision.
            posted = request.POST.copy()
            posted["version"] = str(exc.current)
            form = VerdictForm(posted)
            form.is_valid()
            form.add_error(None, message)
            status = 409
        except (ReviewRuleError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            if submit:
                done = "Verdict submitted for review: an editor publishes it or returns it."
            else:
                done = "Verdict saved as a draft."
            messages.success(request, done)
            return redirect(_next_url(request, reverse("claim_edit", args=[claim.pk])))
    return _form_page(request, claim, status=status, verdict_form=form)


# Publishing and returning -------------------------------------------------------------------


def _verdict(pk: int) -> Verdict:
    return get_object_or_404(
        Verdict.objects.select_related(
            "claim", "claim__claimant", "rating", "written_by", "published_rating"
        ),
        pk=pk,
    )


def _step_refused(request: HttpRequest, verdict: Verdict, exc: Exception) -> None:
    messages.error(request, f"“{verdict.claim}”: {exc}")


@require_POST
@login_required
def verdict_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a verdict in review. The first POST shows what is about to be published (the
    claim, its status and evidence counts, the verdict) and asks to confirm; the second, with
    ``confirm``, publishes it. Works the same without JavaScript."""
    user = request.user
    if not (user.has_perm("claims.publish_verdict") or user.has_perm("claims.change_verdict")):
        raise PermissionDenied("You do not have permission to publish verdicts.")
    verdict = _verdict(pk)
    next_url = _next_url(request, QUEUE_VERDICTS)
    form = VerdictActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That form was incomplete; reload the page and try again.")
        return redirect(next_url)
    version = form.cleaned_data["version"]
    if not form.cleaned_data["confirm"]:
        steps = services.verdict_steps_allowed(verdict=verdict, user=user)
        if verdict.version == version and "publish" in steps:
            return render(
                request,
                "claims/verdict_publish.html",
                {"verdict": verdict, "claim": verdict.claim, "next_url": next_url},
            )
        # Refused: the service says why (no permission, the author under second review, not
        # in review, or changed since). It cannot publish here unconfirmed: the version pins
        # the state that ``verdict_steps_allowed`` just refused, by the same rules.
    try:
        services.verdict_publish(verdict=verdict, user=user, expected_version=version)
    except (ReviewRuleError, StaleVersionError, PermissionDenied) as exc:
        _step_refused(request, verdict, exc)
    else:
        messages.success(request, f"“{verdict.claim}”: verdict published.")
    return redirect(next_url)


@require_POST
@login_required
def verdict_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a verdict to its writer as a draft, with the reason they will read under
    "Returned to me" in the review queue. Without a reason, the page asks for one."""
    if not request.user.has_perm("claims.change_verdict"):
        raise PermissionDenied("You do not have permission to return verdicts to draft.")
    verdict = _verdict(pk)
    next_url = _next_url(request, QUEUE_VERDICTS)
    form = VerdictReturnForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, "That form was incomplete; reload the page and try again.")
            return redirect(next_url)
        return render(
            request,
            "claims/verdict_return.html",
            {"verdict": verdict, "claim": verdict.claim, "form": form, "next_url": next_url},
            status=400,
        )
    try:
        services.verdict_return_to_draft(
            verdict=verdict,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except (ReviewRuleError, StaleVersionError, PermissionDenied) as exc:
        _step_refused(request, verdict, exc)
    else:
        writer = verdict.written_by.get_username() if verdict.written_by else "its writer"
        messages.success(
            request,
            f"“{verdict.claim}”: verdict returned to draft; {writer} finds it under "
            "“Returned to me” with your reason.",
        )
    return redirect(next_url)


# Notes --------------------------------------------------------------------------------------


@require_POST
@login_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("claims.add_claimnote"):
        raise PermissionDenied("You do not have permission to add notes.")
    claim = get_object_or_404(Claim, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_services.note_add(claim=claim, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, "Note added.")
            target = _next_url(request, reverse("claim_edit", args=[claim.pk]))
            return redirect(f"{target.split('#')[0]}#notes")
    return _form_page(request, claim, status=400, note_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one's own note, within ``claims.notes.NOTE_EDIT_WINDOW`` of writing it."""
    if not request.user.has_perm("claims.change_claimnote"):
        raise PermissionDenied("You do not have permission to edit notes.")
    note = get_object_or_404(ClaimNote.objects.select_related("claim", "author"), pk=pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only a note's author may edit it.")
    next_url = _next_url(request, reverse("claim_edit", args=[note.claim_id]))
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                note_services.note_edit(
                    note=note, user=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, "Note updated.")
                return redirect(f"{next_url.split('#')[0]}#note-{note.pk}")
    else:
        form = NoteForm(initial={"text": note.text})
    return render(
        request,
        "claims/note_edit.html",
        {
            "note": note,
            "claim": note.claim,
            "form": form,
            "next_url": next_url,
            "editable": note_services.note_may_edit(note=note, user=request.user),
            "editable_until": note_services.note_editable_until(note),
            "window_minutes": int(note_services.NOTE_EDIT_WINDOW.total_seconds() // 60),
        },
        status=status,
    )
