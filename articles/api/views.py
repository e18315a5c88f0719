"""API views of articles (SPEC section 7). Lookup by URL and the lists answer from the
article documents (``api.documents``) joined to the article row: one indexed query."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api.pagination import IdCursorPagination
from api.permissions import sees_working_verdicts
from api.views import APIView, GenericAPIView, paginated_documents
from articles.api.serializers import (
    ArticleDetailOutputSerializer,
    ArticleFieldsSerializer,
    ArticleIngestInputSerializer,
    ArticleOutputSerializer,
    ArticleQueuedSerializer,
    RevisionOutputSerializer,
)
from articles.canonical import InvalidURL, canonicalize_url
from articles.models import Article
from articles.services import article_request_ingestion

JSON = "application/json"
FIELDS = ArticleFieldsSerializer.Meta.fields


def _article_json(article: Article, private: bool, extra: dict | None = None) -> str:
    """The article's columns encoded now, its claims spliced in from its document as stored."""
    fields = ArticleFieldsSerializer(article).data
    document = getattr(article, "document", None)
    fields["revision_count"] = document.revision_count if document else 0
    if extra:
        fields.update(extra)
    head = json.dumps(fields, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    if document is None:
        # Written by code that bypassed the services: render now (slower, still correct).
        claims = _claims_json_without_document(article, private)
        fields["revision_count"] = article.revisions.count()
        head = json.dumps(fields, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    else:
        claims = document.private_claims if private else document.public_claims
    return head[:-1] + ',"claims":' + claims + "}"


def _claims_json_without_document(article: Article, private: bool) -> str:
    from api.documents import render_claim
    from claims.models import Claim

    claims = Claim.objects.filter(appearances__revision__article=article).distinct().order_by("pk")
    return "[" + ",".join(render_claim(claim, private=private) for claim in claims) + "]"


def _articles_with_documents():
    return Article.objects.select_related("document")


def _etag(article: Article, private: bool) -> str:
    # The document's version for the claims, and the row's own timestamps for its columns
    # (ingestion updates last_checked_at and next_check_at without touching the document).
    document = getattr(article, "document", None)
    stamps = [article.updated_at, article.last_checked_at, article.next_check_at]
    stamp = ".".join(str(int(s.timestamp() * 1000)) if s else "0" for s in stamps)
    audience = "e" if private else "p"
    return f'"a{article.pk}.{document.version if document else 0}.{stamp}.{audience}"'


class ArticleListCreateView(GenericAPIView):
    """Articles, newest first, with their claims' statuses; POST a URL to queue ingestion."""

    is_list_view = True
    pagination_class = IdCursorPagination
    serializer_class = ArticleIngestInputSerializer  # describes POST to OPTIONS
    write_permissions = {"POST": ["articles.add_article"]}

    def get_queryset(self):
        return _articles_with_documents()

    @extend_schema(operation_id="articles_list", responses=ArticleOutputSerializer)
    def get(self, request):
        private = sees_working_verdicts(request)
        page = self.paginate_queryset(self.get_queryset())
        return paginated_documents(
            self.paginator, (_article_json(article, private) for article in page)
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
        private = sees_working_verdicts(request)
        article = get_object_or_404(
            _articles_with_documents().select_related("current_revision"), pk=pk
        )
        revisions = RevisionOutputSerializer(article.revisions.order_by("number"), many=True).data
        extra = {
            "text": article.current_revision.text if article.current_revision else None,
            "revisions": revisions,
        }
        return HttpResponse(_article_json(article, private, extra), content_type=JSON)


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
        # One query: the unique index on canonical_url, joined to the document by primary key.
        article = _articles_with_documents().filter(canonical_url=canonical).first()
        if article is None:
            raise NotFound(f"No article is known at {canonical}.")
        private = sees_working_verdicts(request)
        response = HttpResponse(_article_json(article, private), content_type=JSON)
        response["ETag"] = _etag(article, private)
        return response
