"""Webhook subscriptions, the events stored for them (an outbox) and every delivery attempt
(SPEC section 10)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.events import EVENT_TYPES


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user, *, as_key: bool = False):
        """Editors see their own subscriptions, superusers all of them; an API key sees its
        owner's only, whoever the owner is (a superuser's key included)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser and not as_key:
            return self
        return self.filter(owner=user)

    def paused(self):
        return self.filter(paused_at__isnull=False)


class Subscription(models.Model):
    """A newsroom tool's wish to be told of some events, at a URL, signed with its secret."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        help_text="Who manages it: only they (and superusers) see, change or resume it.",
    )
    url = models.URLField(
        "URL",
        max_length=2000,
        help_text="Where the events are POSTed: http or https, a public address.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="What it is for.")
    event_types = models.JSONField(
        default=list, help_text="The event types it wants (core.events.EVENT_TYPES)."
    )
    # Kept to sign every delivery (Standard Webhooks signs with the shared secret itself, so a
    # hash would not do); shown to its owner once, on creation, and never again.
    secret = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The first failed attempt since the last delivered one: a subscription whose every
    # attempt failed for FAILING_BEFORE_PAUSE is paused until its owner resumes it.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner", "id"], name="subscription_owner")]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def wants(self, event_type: str) -> bool:
        return event_type in (self.event_types or [])


class EventState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (retries exhausted)"


class EventQuerySet(models.QuerySet):
    def due(self, now):
        """Pending events whose next attempt is due, of subscriptions that are not paused,
        oldest first: what the sweep hands to the workers (the partial index ``event_due``).
        The subscription is a sub-select, not a join, so the sweep's FOR UPDATE locks events
        only."""
        active = Subscription.objects.filter(paused_at__isnull=True).values("pk")
        return self.filter(
            state=EventState.PENDING, next_attempt_at__lte=now, subscription_id__in=active
        ).order_by("next_attempt_at")


class Event(models.Model):
    """One event for one subscription: the message delivered, byte for byte the same body and
    the same ``webhook-id`` on every retry. Stored in the transaction of the change it tells
    of, so nothing is lost when the broker or the workers are down."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    webhook_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=40, choices=[(t, t) for t in EVENT_TYPES])
    body = models.TextField(help_text='The JSON POSTed: {"type", "timestamp", "data"}.')
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=EventState.choices, default=EventState.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=EventState.values), name="event_state_valid"
            ),
            models.CheckConstraint(condition=Q(type__in=EVENT_TYPES), name="event_type_valid"),
        ]
        indexes = [
            # The sweep's query (EventQuerySet.due): pending events by due time.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state=EventState.PENDING),
                name="event_due",
            ),
            # A subscription's deliveries, newest first (the API's and the admin's lists).
            models.Index(fields=["subscription", "-id"], name="event_subscription"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.webhook_id}"


class DeliveryAttempt(models.Model):
    """One POST of an event: what came back (or why nothing did) and how long it took."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="attempt_event_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.event.webhook_id}"
