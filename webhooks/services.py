"""Every write to webhook subscriptions: the admin, the API and its keys call these, which
check the permission and the ownership (editors manage their own subscriptions, superusers
all; SPEC section 10)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from articles.errors import FetchError
from articles.fetch import resolve_checked
from claims.services import require_permission
from core.events import EVENT_TYPES
from webhooks.delivery import requeue_pending
from webhooks.models import Subscription
from webhooks.tasks import queue_after_commit

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def validate_url(url: str) -> str:
    """The fetcher's rules for a subscription's URL: http or https, a host whose every address
    is public (unless FACTCHECK_FETCH_ALLOW_PRIVATE). Raises ValidationError on ``url``."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a full http or https URL."}) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError({"url": "Put no user name or password in the URL."})
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        resolve_checked(parts.hostname or "", port, url=url)
    except ValueError:
        raise ValidationError({"url": "The URL has an invalid port."}) from None
    except FetchError as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


def validate_event_types(event_types: Iterable[str]) -> list[str]:
    if isinstance(event_types, str) or not isinstance(event_types, Iterable):
        raise ValidationError({"event_types": "Give a list of event types."})
    chosen = list(dict.fromkeys(event_types))
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {
                "event_types": f"Unknown event type {unknown[0]!r}; "
                f"choose among {', '.join(EVENT_TYPES)}."
            }
        )
    if not chosen:
        raise ValidationError({"event_types": "Choose at least one event type."})
    # In the order of SPEC section 10, whatever the order given.
    return [name for name in EVENT_TYPES if name in chosen]


def may_manage(user, subscription: Subscription) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (user.is_superuser or subscription.owner_id == user.pk)
    )


def _require_manager(user, subscription: Subscription, permission: str, action: str) -> None:
    require_permission(user, permission, action)
    if not may_manage(user, subscription):
        raise PermissionDenied(f"Only the owner of this subscription may {action}.")


@transaction.atomic
def subscription_create(
    *, user, url: str, event_types: Iterable[str], description: str = ""
) -> tuple[Subscription, str]:
    """A new subscription owned by ``user``; returns it and its secret, which is shown to the
    owner this once."""
    require_permission(user, "webhooks.add_subscription", "manage webhook subscriptions")
    subscription = Subscription(
        owner=user,
        url=validate_url(url),
        event_types=validate_event_types(event_types),
        description=(description or "").strip(),
        secret=new_secret(),
    )
    subscription.full_clean()
    subscription.save()
    return subscription, subscription.secret


@transaction.atomic
def subscription_update(*, subscription: Subscription, user, **fields) -> Subscription:
    """Change the URL, the event types or the description."""
    _require_manager(user, subscription, "webhooks.change_subscription", "change this subscription")
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    allowed = {"url", "event_types", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    if "url" in fields:
        locked.url = validate_url(fields["url"])
    if "event_types" in fields:
        locked.event_types = validate_event_types(fields["event_types"])
    if "description" in fields:
        locked.description = (fields["description"] or "").strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def subscription_delete(*, subscription: Subscription, user) -> None:
    """Delete it with its events and their attempts: nothing more is sent."""
    _require_manager(user, subscription, "webhooks.delete_subscription", "delete this subscription")
    Subscription.objects.filter(pk=subscription.pk).delete()


@transaction.atomic
def subscription_resume(*, subscription: Subscription, user) -> int:
    """Resume a paused subscription (or hurry a failing one): its pending events, those held
    while it was paused included, are sent now. Returns how many were queued."""
    _require_manager(user, subscription, "webhooks.change_subscription", "resume this subscription")
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    now = timezone.now()
    locked.paused_at = None
    locked.failing_since = None
    locked.save(update_fields=["paused_at", "failing_since", "updated_at"])
    ids = requeue_pending(locked, now)
    queue_after_commit(ids)
    subscription.paused_at = None
    subscription.failing_since = None
    return len(ids)
