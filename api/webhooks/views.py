"""API of webhook subscriptions (SPEC sections 7 and 10): editors in the browser and write
keys manage them; a key acts as its owner, with the owner's role as it is today, and sees its
owner's subscriptions only. Writes call ``webhooks.services``."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from api.models import APIKey
from api.pagination import IdCursorPagination
from api.views import APIView, GenericAPIView
from api.webhooks.serializers import (
    DeliveryOutputSerializer,
    ResumedSerializer,
    SubscriptionCreatedSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
    SubscriptionUpdateInputSerializer,
)
from webhooks import services
from webhooks.models import DeliveryAttempt, Event, Subscription

NEEDED = {
    "GET": "webhooks.view_subscription",
    "HEAD": "webhooks.view_subscription",
    "OPTIONS": "webhooks.view_subscription",
    "POST": "webhooks.add_subscription",
    "PATCH": "webhooks.change_subscription",
    "DELETE": "webhooks.delete_subscription",
}


class ManagesWebhooks(BasePermission):
    """Not open to anonymous readers, nor to read keys, reads included: a subscription names
    where a newsroom's events go."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, APIKey):
            if not request.auth.can_write:
                raise exceptions.PermissionDenied(
                    "Webhook subscriptions are managed with a key of write scope."
                )
        elif not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(
                "Webhook subscriptions need an API key with write scope "
                "(Authorization: Api-Key <key>) or a signed-in editor."
            )
        needed = getattr(view, "needed_permissions", NEEDED).get(request.method)
        if needed is None:
            return True  # DRF answers 405
        if not request.user.has_perm(needed):
            raise exceptions.PermissionDenied(
                f"Managing webhook subscriptions needs {needed}: editors have it."
            )
        return True


def subscriptions_of(request):
    return Subscription.objects.visible_to(
        request.user, as_key=isinstance(request.auth, APIKey)
    ).select_related("owner")


def _subscription(request, pk: int) -> Subscription:
    subscription = subscriptions_of(request).filter(pk=pk).first()
    if subscription is None:
        # Another owner's subscription is not found rather than forbidden: its existence is
        # not theirs to learn either.
        raise NotFound(f"No webhook subscription #{pk}.")
    return subscription


class SubscriptionListCreateView(GenericAPIView):
    """Your webhook subscriptions, newest first (superusers in the browser: everyone's);
    POST creates one and answers its secret, this once."""

    is_list_view = True
    pagination_class = IdCursorPagination
    permission_classes = [ManagesWebhooks]
    serializer_class = SubscriptionInputSerializer  # describes POST to OPTIONS

    def get_queryset(self):
        return subscriptions_of(self.request)

    @extend_schema(operation_id="webhooks_list", responses=SubscriptionOutputSerializer)
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SubscriptionOutputSerializer(page, many=True).data)

    @extend_schema(
        request=SubscriptionInputSerializer, responses={201: SubscriptionCreatedSerializer}
    )
    def post(self, request):
        data = SubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, _secret = services.subscription_create(
            user=request.user, **data.validated_data
        )
        return Response(
            SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class SubscriptionDetailView(APIView):
    """One subscription; PATCH its URL, events or description; DELETE it."""

    permission_classes = [ManagesWebhooks]

    @extend_schema(responses=SubscriptionOutputSerializer)
    def get(self, request, pk: int):
        return Response(SubscriptionOutputSerializer(_subscription(request, pk)).data)

    @extend_schema(
        request=SubscriptionUpdateInputSerializer, responses=SubscriptionOutputSerializer
    )
    def patch(self, request, pk: int):
        subscription = _subscription(request, pk)
        data = SubscriptionUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.subscription_update(
            subscription=subscription, user=request.user, **data.validated_data
        )
        return Response(SubscriptionOutputSerializer(updated).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.subscription_delete(subscription=_subscription(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionResumeView(APIView):
    """Resume a paused subscription: its pending events are sent now."""

    permission_classes = [ManagesWebhooks]
    needed_permissions = {"POST": "webhooks.change_subscription"}

    @extend_schema(request=None, responses=ResumedSerializer)
    def post(self, request, pk: int):
        subscription = _subscription(request, pk)
        requeued = services.subscription_resume(subscription=subscription, user=request.user)
        subscription.refresh_from_db()
        return Response(
            {
                "subscription": SubscriptionOutputSerializer(subscription).data,
                "requeued": requeued,
            }
        )


class SubscriptionDeliveriesView(GenericAPIView):
    """The events sent (or to be sent) to a subscription, newest first, each with every
    attempt: when, the receiver's status or the error, and how long it took."""

    is_list_view = True
    pagination_class = IdCursorPagination
    permission_classes = [ManagesWebhooks]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # Schema generation has no pk.
            return Event.objects.none()
        subscription = _subscription(self.request, self.kwargs["pk"])
        # Two queries a page, whatever its size: the events, then all their attempts.
        return (
            Event.objects.filter(subscription=subscription)
            .defer("body")
            .prefetch_related(
                Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number"))
            )
        )

    @extend_schema(operation_id="webhooks_deliveries_list", responses=DeliveryOutputSerializer)
    def get(self, request, pk: int):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)
