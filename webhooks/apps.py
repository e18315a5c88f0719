from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Subscriptions of newsroom tools to the domain events (SPEC section 10): the outbox the
    events are stored in, and their signed delivery by the workers."""

    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Connected here, not at import: the listener stores events in the transaction of the
        # service that emits them (core.events), whichever process that runs in.
        from webhooks import outbox  # noqa: F401
