"""The article inbox (``/articles/``, SPEC section 8): every article with its state, its claims
by status, its open candidates and its checks; search and filters; and, for those who may add
articles, adding one by URL (fetched in the background, its progress shown) or by pasted text
(its candidates found at once)."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from articles.models import Article, ArticleState
from claims.inbox import STATUS_COUNTS, InboxFilters, inbox_articles, with_inbox_counts
from claims.models import ClaimStatus
from pipeline import services as pipeline_services
from web.claims import search_words
from web.forms import ArticleTextForm, ArticleUrlForm, InboxFilterForm

PAGE_SIZE = 25
# How often a row still waiting for its fetch asks for its state (htmx polling).
POLL_SECONDS = 2
ADD_PERMISSION = "articles.add_article"


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _filters(form: InboxFilterForm) -> InboxFilters:
    data = form.cleaned_data
    feed = data.get("feed")
    return InboxFilters(
        words=tuple(search_words(data.get("q") or "")),
        state=data.get("state") or None,
        open_candidates=_yes_no(data.get("candidates") or ""),
        flagged=_yes_no(data.get("flagged") or ""),
        feed=feed.pk if feed is not None else None,
    )


def _decorate(article: Article) -> Article:
    """What the row template shows beside the columns: the claims' counts by status (only
    those there are), where the article came from, and whether it is still being fetched."""
    labels = dict(ClaimStatus.choices)
    article.status_counts = [  # type: ignore[attr-defined]
        (status, labels[status], getattr(article, name))
        for status, name in STATUS_COUNTS.items()
        if getattr(article, name)
    ]
    article.claim_total = sum(n for _, _, n in article.status_counts)  # type: ignore[attr-defined]
    article.pasted = pipeline_services.is_pasted_text(article)  # type: ignore[attr-defined]
    article.local_file = bool(article.local_path)  # type: ignore[attr-defined]
    article.host = urlsplit(article.canonical_url).hostname or ""  # type: ignore[attr-defined]
    article.waiting = article.state == ArticleState.PENDING  # type: ignore[attr-defined]
    return article


def _inbox(
    request: HttpRequest,
    *,
    url_form: ArticleUrlForm | None = None,
    text_form: ArticleTextForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filter_form = InboxFilterForm(request.GET)
    if filter_form.is_valid():
        rows = inbox_articles(_filters(filter_form))
    else:
        rows = Article.objects.none()
        status = 400
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    articles = [_decorate(article) for article in page.object_list]
    can_add = request.user.has_perm(ADD_PERMISSION)
    filtered = filter_form.is_valid() and any(
        filter_form.cleaned_data.get(name) for name in filter_form.fields
    )
    context = {
        "page": page,
        "articles": articles,
        "filter_form": filter_form,
        "filtered": filtered,
        "waiting": sum(a.waiting for a in articles),
        "poll_seconds": POLL_SECONDS,
        "can_add": can_add,
        "url_form": url_form or (ArticleUrlForm() if can_add else None),
        "text_form": text_form or (ArticleTextForm() if can_add else None),
        "statuses": ClaimStatus.choices,
    }
    return render(request, "articles/inbox.html", context, status=status)


def _service_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _add_by_url(request: HttpRequest) -> HttpResponse:
    form = ArticleUrlForm(request.POST)
    if form.is_valid():
        try:
            article, created = pipeline_services.article_add_url(
                url=form.cleaned_data["url"], user=request.user
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            if not created:
                messages.info(
                    request,
                    f"That URL is already on record as article #{article.pk}: here it is.",
                )
                return redirect("article_review", pk=article.pk)
            messages.success(
                request,
                f"Article #{article.pk} is queued for fetching; its row shows how far it got.",
            )
            return redirect(f"{reverse('article_inbox')}#article-{article.pk}")
    return _inbox(request, url_form=form, status=400)


def _add_by_text(request: HttpRequest) -> HttpResponse:
    form = ArticleTextForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            article, created, found = pipeline_services.article_add_text(
                title=data["title"],
                text=data["text"],
                publisher=data["publisher"],
                url=data["url"],
                user=request.user,
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            if not created:
                messages.info(
                    request,
                    f"That text is already on record as article #{article.pk}: here it is.",
                )
            elif found is None:
                messages.warning(
                    request,
                    "The text is stored, but its check-worthy sentences could not be found; "
                    "the article's checks in the admin say why.",
                )
            else:
                messages.success(
                    request,
                    f"Article #{article.pk} added: {found} check-worthy "
                    f"sentence{'' if found == 1 else 's'} found.",
                )
            return redirect(f"{reverse('article_review', args=[article.pk])}#candidates-heading")
    return _inbox(request, text_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("articles.view_article", raise_exception=True)
def article_inbox(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _inbox(request)
    # The page shows the add forms only to those who may add; the services check it again.
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied("You do not have permission to add articles.")
    if request.POST.get("add") == "text":
        return _add_by_text(request)
    return _add_by_url(request)


@require_safe
@login_required
@permission_required("articles.view_article", raise_exception=True)
def article_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the inbox as it stands: what a row waiting for its fetch polls for."""
    article = get_object_or_404(with_inbox_counts(Article.objects.all()), pk=pk)
    return render(
        request,
        "articles/_inbox_row.html",
        {"article": _decorate(article), "poll_seconds": POLL_SECONDS},
    )
