"""API views of claims, evidence, sources, ClaimReview and the changes feed (SPEC section 7).

Claim detail and the claims list answer from the status documents (``claims.documents``); the
rest go through the ordinary serializers. Writes call ``claims.services``.
"""

import json

from django.db.models import Exists, F, OuterRef, Prefetch, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpResponse
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.claims.serializers import (
    AnalyseInputSerializer,
    AnalysisOutputSerializer,
    ClaimChangeOutputSerializer,
    ClaimCreateInputSerializer,
    ClaimOutputSerializer,
    ClaimUpdateInputSerializer,
    EvidenceInputSerializer,
    EvidenceOutputSerializer,
    MatchInputSerializer,
    MatchOutputSerializer,
    SourceInputSerializer,
    SourceOutputSerializer,
)
from api.exceptions import Gone
from api.filters import StrictFilterSet, filters_requested
from api.pagination import MAX_PAGE_SIZE, IdCursorPagination
from api.permissions import sees_working_verdicts
from api.reads import ClaimPageRows, claim_document, claim_documents
from api.views import (
    APIView,
    CSVListMixin,
    GenericAPIView,
    claim_etag,
    expected_claim_version,
    paginated_documents,
)
from articles.models import Article
from claims import services
from claims.analysis import figure_data, text_analyse
from claims.claimreview import NotPublished, claimreview_document
from claims.documents import render_claim
from claims.exports import claims_csv, evidence_csv, sources_csv
from claims.matching import texts_match
from claims.models import (
    Appearance,
    Claim,
    ClaimChange,
    ClaimStatus,
    Evidence,
    LinkState,
    Rating,
    Source,
    SourceKind,
    Stance,
)

JSON = "application/json"


def _claim_or_gone(claim_id: int, queryset=None) -> Claim:
    """The claim; 410 Gone for one that was deleted or merged into another (its changes feed
    ends with that event), 404 for an id that never was a claim."""
    claim = (queryset if queryset is not None else Claim.objects.all()).filter(pk=claim_id).first()
    if claim is not None:
        return claim
    end = (
        ClaimChange.objects.filter(claim_id=claim_id, field=ClaimChange.Field.CLAIM)
        .order_by("-id")
        .first()
    )
    if end is None:
        raise NotFound(f"No claim #{claim_id}.")
    when = end.created_at.strftime("%Y-%m-%d %H:%M UTC")
    if end.to_value == ClaimChange.MERGED:
        raise Gone(
            f"Claim #{claim_id} was merged into claim #{end.merged_into} on {when}.",
            {"claim": claim_id, "event": end.to_value, "merged_into": end.merged_into},
        )
    raise Gone(
        f"Claim #{claim_id} was deleted on {when}; its history stays in the changes feed.",
        {"claim": claim_id, "event": end.to_value, "merged_into": None},
    )


def _claim_response(request, claim_id: int, *, status_code: int = 200) -> HttpResponse:
    """The claim's status document: one query on the document's primary key."""
    working_verdicts = sees_working_verdicts(request)
    row = claim_document(claim_id, working_verdicts=working_verdicts)
    if row is None:
        # A claim written by code that bypassed the services has no document yet: render it
        # (a slower read, still correct) rather than answer 404 for a claim that exists; a
        # deleted claim has none either, and answers 410.
        claim = _claim_or_gone(claim_id)
        body, etag = (
            render_claim(claim, working_verdicts=working_verdicts),
            claim_etag(claim_id, claim.version, 0, working_verdicts),
        )
    else:
        body, etag = row[0], claim_etag(claim_id, row[1], row[2], working_verdicts)
    response = HttpResponse(body, content_type=JSON, status=status_code)
    response["ETag"] = etag
    return response


# Claims -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ArticleIdFilter(filters.ModelChoiceFilter):
    pass


class ClaimFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=ClaimStatus.choices, help_text="The computed status.")
    verdict = filters.CharFilter(
        method="filter_verdict",
        help_text="The published verdict's label (case does not matter), or `none`.",
    )
    claimant = filters.ModelChoiceFilter(
        queryset=Source.objects.all(), help_text="Id of the claimant source."
    )
    article = ArticleIdFilter(
        queryset=Article.objects.all(),
        method="filter_article",
        help_text="Id of an article the claim appears in.",
    )
    q = filters.CharFilter(
        field_name="statement", lookup_expr="icontains", help_text="Words in the statement."
    )
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time; claims changed at or after it.",
    )

    class Meta:
        model = Claim
        fields = []

    def filter_verdict(self, queryset, name, value):
        # Published verdicts only, for everyone: a filter must not reveal a draft's rating.
        if value.strip().lower() == "none":
            return queryset.filter(verdict__published_at__isnull=True)
        labels = {label.lower(): label for label in Rating.objects.values_list("label", flat=True)}
        label = labels.get(value.strip().lower())
        if label is None:
            raise ValidationError(
                {
                    "verdict": [
                        f"Unknown verdict {value!r}; one of: {', '.join(labels.values())}, none."
                    ]
                }
            )
        return queryset.filter(
            verdict__published_at__isnull=False, verdict__published_rating__label=label
        )

    def filter_article(self, queryset, name, value):
        # EXISTS, not a join, so a claim quoted twice in the article is listed once.
        return queryset.filter(
            Exists(Appearance.objects.filter(claim=OuterRef("pk"), revision__article=value))
        )


class ClaimListCreateView(CSVListMixin, GenericAPIView):
    """Claims, newest first, with their statuses; create one with where it appears."""

    is_list_view = True
    filterset_class = ClaimFilter
    pagination_class = IdCursorPagination
    serializer_class = ClaimCreateInputSerializer  # describes POST to OPTIONS
    write_permissions = {"POST": ["claims.add_claim", "claims.add_appearance"]}

    def get_queryset(self):
        return Claim.objects.all()

    @extend_schema(operation_id="claims_list", responses=ClaimOutputSerializer)
    def get(self, request):
        working_verdicts = sees_working_verdicts(request)
        if self.csv_requested(request):
            return claims_csv(
                self.filter_queryset(self.get_queryset()), working_verdicts=working_verdicts
            )
        if filters_requested(request, self.filterset_class):
            body = (
                Coalesce(
                    NullIf(F("document__private_body"), Value("")),
                    F("document__public_body"),
                    output_field=TextField(),
                )
                if working_verdicts
                else F("document__public_body")
            )
            # Rows as dicts, not models: the documents are all a page needs, and instantiating
            # 50 models costs more than the query.
            rows = self.filter_queryset(self.get_queryset()).values("id", body=body)
        else:
            # What pollers ask for at volume: one hand-written query (api/reads.py).
            rows = ClaimPageRows(working_verdicts=working_verdicts)
        page = self.paginate_queryset(rows)
        bodies = [
            row["body"]
            if row["body"] is not None
            else render_claim(Claim.objects.get(pk=row["id"]), working_verdicts=working_verdicts)
            for row in page
        ]
        versions = None
        if isinstance(rows, ClaimPageRows) and all(row["body"] is not None for row in page):
            # Each document's version changes with its body (the claim's ETag says as much):
            # the page's ETag is made from those instead of a hash of 50 bodies.
            audience = "e" if working_verdicts else "p"
            versions = [
                f"{row['id']}.{row['claim_version']}.{row['document_version']}" for row in page
            ]
            versions.append(audience)
        return paginated_documents(self.paginator, bodies, versions=versions)

    @extend_schema(request=ClaimCreateInputSerializer, responses={201: ClaimOutputSerializer})
    def post(self, request):
        data = ClaimCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_create_with_appearances(
            statement=data.validated_data["statement"],
            claimant=data.validated_data["claimant"],
            about=data.validated_data.get("about", ()),
            appearances=[
                (item["article"], item["quote"])
                for item in data.validated_data.get("appearances", [])
            ],
            user=request.user,
        )
        response = _claim_response(request, claim.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:claim-detail", args=[claim.pk])
        return response


class ClaimDetailView(APIView):
    """One claim with its status, evidence counts and verdict; edit it with PATCH."""

    write_permissions = {"PATCH": ["claims.change_claim"]}

    @extend_schema(responses=ClaimOutputSerializer)
    def get(self, request, pk: int):
        return _claim_response(request, pk)

    @extend_schema(
        request=ClaimUpdateInputSerializer,
        responses=ClaimOutputSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The claim's ETag or version; 412 if it changed since.",
            )
        ],
    )
    def patch(self, request, pk: int):
        claim = _claim_or_gone(pk)
        data = ClaimUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_update(
            claim=claim,
            user=request.user,
            expected_version=expected_claim_version(request, pk),
            **data.validated_data,
        )
        return _claim_response(request, pk)


class ClaimMatchView(APIView):
    """Existing claims that state what a text states, best first, with a score from 0 to 1:
    "has this been checked before?". A read, so it needs no write access."""

    write_permissions = {"POST": []}  # answers a question; changes nothing

    @extend_schema(request=MatchInputSerializer, responses=MatchOutputSerializer)
    def post(self, request):
        data = MatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        (matches,) = texts_match([data.validated_data["text"]], limit=data.validated_data["limit"])
        editor = sees_working_verdicts(request)
        ids = [match.claim_id for match in matches]
        bodies = claim_documents(ids, working_verdicts=editor)
        # A claim written around the services has no document yet: rendered now.
        missing = Claim.objects.with_related().in_bulk([i for i in ids if i not in bodies])
        for claim_id, claim in missing.items():
            bodies[claim_id] = render_claim(claim, working_verdicts=editor)
        results = ",".join(
            f'{{"claim":{bodies[m.claim_id]},"score":{json.dumps(m.score)},'
            f'"likely_same":{json.dumps(m.likely_same)}}}'
            for m in matches
            if m.claim_id in bodies
        )
        return HttpResponse('{"results":[' + results + "]}", content_type=JSON)


class AnalyseView(APIView):
    """Sentences of a text with check-worthiness, claimant, figures and the claims on record
    they may restate (SPEC section 6): what a CMS asks of a draft. Changes nothing."""

    write_permissions = {"POST": []}  # answers a question; changes nothing

    @extend_schema(request=AnalyseInputSerializer, responses=AnalysisOutputSerializer)
    def post(self, request):
        data = AnalyseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        findings = text_analyse(text=data.validated_data["text"])
        sentences = []
        for finding in findings:
            analysed = finding.analysed
            sentences.append(
                {
                    "text": analysed.sentence.text,
                    "start": analysed.sentence.start,
                    "end": analysed.sentence.end,
                    "score": analysed.score.score,
                    "check_worthy": finding.check_worthy,
                    "features": analysed.score.features,
                    "claimant": analysed.claimant,
                    "claimant_source": finding.claimant_source_id,
                    "figures": [figure_data(figure) for figure in analysed.figures],
                    "matches": [
                        {"claim": m.claim_id, "score": m.score, "likely_same": m.likely_same}
                        for m in finding.matches
                    ],
                }
            )
        return Response({"sentences": sentences})


# Evidence ---------------------------------------------------------------------------------


class ClaimEvidenceView(GenericAPIView):
    """The evidence linked to a claim; POST links more and recomputes the status."""

    is_list_view = True
    pagination_class = IdCursorPagination
    write_permissions = {"POST": ["claims.add_evidence"]}
    serializer_class = EvidenceInputSerializer  # describes POST to OPTIONS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # Schema generation has no pk.
            return Evidence.objects.none()
        return Evidence.objects.filter(claim_id=self.kwargs["pk"]).select_related("source")

    def _claim(self, pk: int) -> Claim:
        return _claim_or_gone(pk)

    @extend_schema(operation_id="claims_evidence_list", responses=EvidenceOutputSerializer)
    def get(self, request, pk: int):
        self._claim(pk)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EvidenceOutputSerializer(page, many=True).data)

    @extend_schema(
        request=EvidenceInputSerializer,
        responses={201: EvidenceOutputSerializer},
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The claim's ETag or version; 412 if it changed since.",
            )
        ],
    )
    def post(self, request, pk: int):
        claim = self._claim(pk)
        data = EvidenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.evidence_create(
            claim=claim,
            user=request.user,
            expected_claim_version=expected_claim_version(request, pk),
            **data.validated_data,
        )
        evidence = Evidence.objects.select_related("source").get(pk=evidence.pk)
        return Response(EvidenceOutputSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFilter(StrictFilterSet):
    claim = filters.ModelChoiceFilter(
        queryset=Claim.objects.all(), help_text="Id of the claim the evidence is linked to."
    )
    source = filters.ModelChoiceFilter(
        queryset=Source.objects.all(), help_text="Id of the evidence's source."
    )
    stance = filters.ChoiceFilter(choices=Stance.choices)
    link_state = filters.ChoiceFilter(
        choices=LinkState.choices, help_text="The outcome of the last link check."
    )

    class Meta:
        model = Evidence
        fields = []


class EvidenceListView(CSVListMixin, GenericAPIView):
    """All evidence, newest first, across claims: what each claim's evidence list shows, for
    tools and spreadsheets (``?format=csv``). Readable by whoever may read the claims list,
    which lists every claim (a reader's restriction is on verdicts, not on evidence)."""

    is_list_view = True
    filterset_class = EvidenceFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return Evidence.objects.select_related("source").only(
            *(field for field in EvidenceOutputSerializer.Meta.fields if field != "source"),
            "source__id",
            "source__name",
        )

    @extend_schema(operation_id="evidence_list", responses=EvidenceOutputSerializer)
    def get(self, request):
        if self.csv_requested(request):
            return evidence_csv(self.filter_queryset(Evidence.objects.all()))
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EvidenceOutputSerializer(page, many=True).data)


# ClaimReview ------------------------------------------------------------------------------


class JSONLDRenderer(JSONRenderer):
    """JSON-LD is pasted into pages inside <script> tags: "<", ">" and "&" are sent as \\u
    escapes (the same JSON to a parser), so a statement holding "</script>" cannot end the tag
    and run what follows on the newsroom's page."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        body = super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


class FirstRenderer(BaseContentNegotiation):
    """JSON-LD whatever the Accept header says: it is the one format of this resource."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ClaimReviewView(APIView):
    """schema.org ClaimReview (JSON-LD) of the claim's published verdict; 404 if none."""

    renderer_classes = [JSONLDRenderer]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="schema.org ClaimReview"
            )
        }
    )
    def get(self, request, pk: int):
        claim = _claim_or_gone(
            pk,
            Claim.objects.select_related("claimant", "verdict__published_rating").prefetch_related(
                Prefetch(
                    "appearances",
                    queryset=Appearance.objects.select_related("revision__article").order_by("id"),
                )
            ),
        )
        try:
            # The same document the public claim page embeds; the newsroom's address, not the
            # API host's, so it is the same whoever asks.
            return Response(claimreview_document(claim))
        except NotPublished as exc:
            raise NotFound(str(exc)) from None


# Sources ----------------------------------------------------------------------------------


class SourceFilter(StrictFilterSet):
    kind = filters.ChoiceFilter(choices=SourceKind.choices)
    q = filters.CharFilter(method="filter_q", help_text="Words in the name or an alias.")
    parent = filters.ModelChoiceFilter(queryset=Source.objects.all())

    class Meta:
        model = Source
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


class SourceListCreateView(CSVListMixin, GenericAPIView):
    """Sources (outlets, organizations, government bodies, people, documents, accounts)."""

    is_list_view = True
    serializer_class = SourceInputSerializer  # describes POST to OPTIONS
    filterset_class = SourceFilter
    pagination_class = IdCursorPagination
    write_permissions = {"POST": ["claims.add_source"]}

    def get_queryset(self):
        return Source.objects.prefetch_related("aliases")

    @extend_schema(operation_id="sources_list", responses=SourceOutputSerializer)
    def get(self, request):
        if self.csv_requested(request):
            return sources_csv(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SourceOutputSerializer(page, many=True).data)

    @extend_schema(request=SourceInputSerializer, responses={201: SourceOutputSerializer})
    def post(self, request):
        data = SourceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = services.source_create(user=request.user, **data.validated_data)
        response = Response(SourceOutputSerializer(source).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:source-detail", args=[source.pk])
        return response


class SourceDetailView(GenericAPIView):
    """One source."""

    serializer_class = SourceOutputSerializer

    def get_queryset(self):
        return Source.objects.prefetch_related("aliases")

    def get(self, request, pk: int):
        return Response(SourceOutputSerializer(self.get_object()).data)


# Changes feed -----------------------------------------------------------------------------


class ChangesFeedView(APIView):
    """Status and verdict changes in the order they happened, for polling tools. Each answer
    gives the ``cursor`` to send as ``after`` next time; ids become visible in order (see
    ``claims.services.record_claim_change``), so a poller never misses or repeats an event."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.STR,
                description="The cursor of the last event you have; omit to start at the "
                "beginning.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description=f"Events per answer, 1 to {MAX_PAGE_SIZE} (default 100).",
            ),
        ],
        responses=inline_serializer(
            name="ChangesPage",
            fields={
                "results": ClaimChangeOutputSerializer(many=True),
                "cursor": serializers.CharField(
                    help_text="Send as ?after= on the next poll (unchanged if no news)."
                ),
                "has_more": serializers.BooleanField(),
                "next": serializers.URLField(),
            },
        ),
    )
    def get(self, request):
        after = _non_negative_int(request.query_params.get("after"), "after", default=0)
        limit = _non_negative_int(
            request.query_params.get("page_size"), "page_size", default=MAX_PAGE_SIZE
        )
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [f"A whole number from 1 to {MAX_PAGE_SIZE}; got {limit}."]}
            )
        staff = sees_working_verdicts(request)
        events = ClaimChange.objects.filter(id__gt=after).order_by("id")
        events = events.select_related("actor") if staff else events.filter(is_public=True)
        rows = list(events[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        cursor = str(rows[-1].id if rows else after)
        next_url = request.build_absolute_uri(
            f"{reverse('api:changes')}?after={cursor}&page_size={limit}"
        )
        return Response(
            {
                "results": ClaimChangeOutputSerializer(
                    rows, many=True, context={"staff_names": staff}
                ).data,
                "cursor": cursor,
                "has_more": has_more,
                "next": next_url,
            }
        )


def _non_negative_int(raw: str | None, name: str, *, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError({name: [f"Must be a whole number (digits only); got {raw!r}."]})
    return int(raw)
