"""API views of articles (SPEC section 7). Lookup by URL and the lists answer from the
article documents (``claims.documents``) joined to the article row: one indexed query."""

import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api.articles.serializers import (
    ARTICLE_DATETIMES,
    ARTICLE_FIELDS,
    ArticleDetailOutputSerializer,
    ArticleIngestInputSerializer,
    ArticleOutputSerializer,
    ArticleQueuedSerializer,
    RevisionOutputSerializer,
)
from api.claims.serializers import CandidateOutputSerializer
from api.pagination import IdCursorPagination
from api.permissions import sees_working_verdicts
from api.reads import ARTICLE_COLUMNS, article_by_canonical_url
from api.views import APIView, CSVListMixin, GenericAPIView, paginated_documents
from articles.canonical import InvalidURL, canonicalize_url
from articles.models import Article
from claims.documents import render_claim
from claims.exports import articles_csv
from claims.models import Candidate, CandidateState, Claim
from pipeline.services import article_request_ingestion

JSON = "application/json"


def _iso(value) -> str | None:
    # As DRF's DateTimeField writes it (UTC, "Z"), so every article answer agrees.
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# For rows whose error was stored before the public reason was: the reason, none of the detail.
LAST_ERROR_WITHHELD = "the last check failed"


def last_error_for(values: dict, *, staff: bool) -> str:
    """``last_error`` as this audience sees it. The detail may name what a host resolves to
    ("… resolves to 10.1.2.3"): signed-in staff see it; anonymous readers and API keys see the
    reason only ("refused: not a public address"). The audience is the one that sees working
    verdicts (``api.permissions.sees_working_verdicts``), so one rule decides what an answer
    shows, and the lookup's ETag, which names the audience, already tells the two apart."""
    if staff:
        return values["last_error"]
    if values["last_error"] and not values["last_error_public"]:
        return LAST_ERROR_WITHHELD
    return values["last_error_public"]


def article_head(values: dict, *, staff: bool) -> dict:
    """The article object's own fields (ARTICLE_FIELDS, without ``claims``) from its columns
    (ARTICLE_COLUMNS), ``last_error`` as this audience sees it."""
    head = {
        name: _iso(values[name]) if name in ARTICLE_DATETIMES else values[name]
        for name in ARTICLE_FIELDS
    }
    head["last_error"] = last_error_for(values, staff=staff)
    return head


def _splice(head: dict, claims_json: str) -> str:
    encoded = json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return encoded[:-1] + ',"claims":' + claims_json + "}"


def _claims_json_without_document(article_id: int, working_verdicts: bool) -> str:
    # An article none of whose claims was ever written: render now (an empty list mostly).
    claims = (
        Claim.objects.filter(appearances__revision__article_id=article_id).distinct().order_by("pk")
    )
    return (
        "["
        + ",".join(render_claim(claim, working_verdicts=working_verdicts) for claim in claims)
        + "]"
    )


def _article_json(article: Article, working_verdicts: bool, extra: dict | None = None) -> str:
    """An article loaded with its document (``select_related("document")``)."""
    values = {name: getattr(article, name) for name in ARTICLE_COLUMNS}
    head = article_head(values, staff=working_verdicts)
    document = getattr(article, "document", None)
    if document is None:
        claims = _claims_json_without_document(article.pk, working_verdicts)
    else:
        claims = (working_verdicts and document.private_claims) or document.public_claims
    head.update(extra or {})
    return _splice(head, claims)


def _articles_with_documents():
    return Article.objects.select_related("document")


def _lookup_etag(values: dict, working_verdicts: bool) -> str:
    # The document's version for the claims, and the row's own timestamps for its columns
    # (ingestion updates last_checked_at and next_check_at without touching the document).
    stamps = [values["updated_at"], values["last_checked_at"], values["next_check_at"]]
    stamp = ".".join(str(int(s.timestamp() * 1000)) if s else "0" for s in stamps)
    audience = "e" if working_verdicts else "p"
    return f'"a{values["id"]}.{values["document_version"] or 0}.{stamp}.{audience}"'


class ArticleListCreateView(CSVListMixin, GenericAPIView):
    """Articles, newest first, with their claims' statuses; POST a URL to queue ingestion."""

    is_list_view = True
    pagination_class = IdCursorPagination
    serializer_class = ArticleIngestInputSerializer  # describes POST to OPTIONS
    write_permissions = {"POST": ["articles.add_article"]}

    def get_queryset(self):
        return _articles_with_documents()

    @extend_schema(operation_id="articles_list", responses=ArticleOutputSerializer)
    def get(self, request):
        working_verdicts = sees_working_verdicts(request)
        if self.csv_requested(request):
            return articles_csv(
                self.filter_queryset(Article.objects.all()),
                working_verdicts=working_verdicts,
                last_error=lambda values: last_error_for(values, staff=working_verdicts),
            )
        page = self.paginate_queryset(self.get_queryset())
        return paginated_documents(
            self.paginator, (_article_json(article, working_verdicts) for article in page)
        )

    @extend_schema(request=ArticleIngestInputSerializer, responses={202: ArticleQueuedSerializer})
    def post(self, request):
        data = ArticleIngestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article, created = article_request_ingestion(
            url=data.validated_data["url"], user=request.user
        )
        return Response(
            {
                "id": article.pk,
                "url": article.url,
                "canonical_url": article.canonical_url,
                "state": article.state,
                "created": created,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class ArticleDetailView(APIView):
    """One article with its claims, its current text and its revisions."""

    @extend_schema(responses=ArticleDetailOutputSerializer)
    def get(self, request, pk: int):
        working_verdicts = sees_working_verdicts(request)
        article = get_object_or_404(
            _articles_with_documents().select_related("current_revision"), pk=pk
        )
        revisions = RevisionOutputSerializer(article.revisions.order_by("number"), many=True).data
        extra = {
            "text": article.current_revision.text if article.current_revision else None,
            "revisions": revisions,
        }
        return HttpResponse(_article_json(article, working_verdicts, extra), content_type=JSON)


class ArticleLookupView(APIView):
    """The article at a URL, from any variant of it, with its claims and their statuses."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "url",
                OpenApiTypes.STR,
                required=True,
                description="Any variant of the article's URL (tracking parameters, fragment, "
                "host case, default port and trailing slash do not matter).",
            )
        ],
        responses=ArticleOutputSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("url")
        if not raw:
            raise ValidationError({"url": ["Give the article's URL: ?url=https://…"]})
        try:
            canonical = canonicalize_url(raw)
        except InvalidURL as exc:
            raise ValidationError({"url": [str(exc)]}) from None
        working_verdicts = sees_working_verdicts(request)
        # One query: the unique index on canonical_url, joined to the document by primary key.
        values = article_by_canonical_url(canonical, working_verdicts=working_verdicts)
        if values is None:
            raise NotFound(f"No article is known at {canonical}.")
        if values["claims"] is None:
            body = _article_json(_articles_with_documents().get(pk=values["id"]), working_verdicts)
        else:
            body = _splice(article_head(values, staff=working_verdicts), values["claims"])
        response = HttpResponse(body, content_type=JSON)
        response["ETag"] = _lookup_etag(values, working_verdicts)
        return response


class ArticleCandidatesView(APIView):
    """The article's check-worthy sentences, best first, each awaiting an editor's decision."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=["new", "accepted", "rejected"],
                description="Only candidates in this state.",
            )
        ],
        responses=inline_serializer(
            name="CandidateList", fields={"results": CandidateOutputSerializer(many=True)}
        ),
    )
    def get(self, request, pk: int):
        get_object_or_404(Article.objects.only("id"), pk=pk)
        candidates = Candidate.objects.filter(article_id=pk).best_first()
        state = request.query_params.get("state")
        if state is not None:
            if state not in CandidateState.values:
                raise ValidationError(
                    {"state": [f"One of {', '.join(CandidateState.values)}; got {state!r}."]}
                )
            candidates = candidates.filter(state=state)
        return Response({"results": CandidateOutputSerializer(candidates, many=True).data})
