"""The admin of webhook subscriptions and their deliveries (SPEC section 10): an editor sees
and manages their own subscriptions, a superuser everyone's; every save, delete and action
goes through ``webhooks.services``, which checks the permission and the ownership again."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from core.events import EVENT_TYPES
from webhooks import services
from webhooks.models import DeliveryAttempt, Event, Subscription

RECENT_DELIVERIES = 20


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="The events POSTed to the URL.",
    )

    class Meta:
        model = Subscription
        fields = ["url", "description", "event_types"]

    def clean_url(self):
        # The fetcher's address rules, shown beside the field (a loopback or private address
        # is refused unless FACTCHECK_FETCH_ALLOW_PRIVATE).
        try:
            return services.validate_url(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None


def _state(subscription: Subscription) -> str:
    if subscription.paused_at:
        return f"Paused since {subscription.paused_at:%Y-%m-%d %H:%M} UTC"
    if subscription.failing_since:
        return f"Failing since {subscription.failing_since:%Y-%m-%d %H:%M} UTC"
    return "Active"


class OwnSubscriptionsMixin:
    """Editors see their own subscriptions (and their events) only; superusers, all."""

    owner_path = "owner"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.filter(**{self.owner_path: request.user})


@admin.register(Subscription)
class SubscriptionAdmin(OwnSubscriptionsMixin, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["__str__", "url", "owner", "events", "state", "created_at"]
    list_filter = [("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "description", "owner__username"]
    list_select_related = ["owner"]
    actions = ["resume"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["owner", "state", "failing_since", "paused_at", "created_at", "deliveries"]

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "event_types"]
        return fields if obj is None else [*fields, *self.get_readonly_fields(request, obj)]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            form.base_fields["event_types"].initial = obj.event_types
        return form

    def _owns(self, request, obj) -> bool:
        return obj is None or services.may_manage(request.user, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    @admin.display(description="events")
    def events(self, obj: Subscription) -> str:
        return ", ".join(obj.event_types)

    @admin.display(description="state")
    def state(self, obj: Subscription) -> str:
        return _state(obj)

    @admin.display(description="latest deliveries")
    def deliveries(self, obj: Subscription) -> str:
        events = list(
            obj.events.defer("body").prefetch_related(
                Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number"))
            )[:RECENT_DELIVERIES]
        )
        if not events:
            return "Nothing sent yet."
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:webhooks_event_change", args=[event.pk]),
                    event.webhook_id,
                    event.type,
                    event.get_state_display(),
                    len(event.attempts.all()),
                    _last_attempt(event),
                )
                for event in events
            ),
        )
        everything = (
            reverse("admin:webhooks_event_changelist")
            + "?"
            + urlencode({"subscription__id__exact": obj.pk})
        )
        return format_html(
            "<table><thead><tr><th>webhook-id</th><th>type</th><th>state</th><th>attempts</th>"
            '<th>last attempt</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">'
            "All deliveries of this subscription</a></p>",
            rows,
            everything,
        )

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in SubscriptionForm.Meta.fields}
        if change:
            saved = services.subscription_update(subscription=obj, user=request.user, **fields)
        else:
            saved, secret = services.subscription_create(user=request.user, **fields)
            self.message_user(
                request,
                f"The secret of this subscription is {secret} — copy it now: it is shown this "
                "once. Verify each delivery's webhook-signature with it.",
                messages.WARNING,
            )
        obj.pk, obj.owner_id, obj.secret = saved.pk, saved.owner_id, saved.secret

    def delete_model(self, request, obj):
        services.subscription_delete(subscription=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.subscription_delete(subscription=subscription, user=request.user)

    @admin.action(description="Resume the selected subscriptions", permissions=["change"])
    def resume(self, request, queryset):
        for subscription in queryset:
            try:
                count = services.subscription_resume(subscription=subscription, user=request.user)
            except PermissionDenied as exc:
                self.message_user(request, f"“{subscription}”: {exc}", messages.ERROR)
                continue
            self.message_user(
                request, f"“{subscription}” resumed; {count} pending event(s) sent again."
            )


def _last_attempt(event: Event) -> str:
    attempts = event.attempts.all()
    if not attempts:
        return "not tried yet"
    last = attempts[len(attempts) - 1]
    outcome = f"HTTP {last.status_code}" if last.status_code else (last.error or "failed")
    if last.succeeded:
        outcome = f"delivered (HTTP {last.status_code})"
    return f"{last.attempted_at:%Y-%m-%d %H:%M:%S} UTC, {outcome}, {last.duration_ms} ms"


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "attempted_at", "status_code", "succeeded", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(OwnSubscriptionsMixin, admin.ModelAdmin):
    """Deliveries: read only, written by the workers alone."""

    owner_path = "subscription__owner"
    list_display = [
        "webhook_id",
        "type",
        "subscription",
        "state",
        "attempt_count",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["state", "type"]
    search_fields = ["webhook_id", "subscription__url"]
    list_select_related = ["subscription"]
    inlines = [AttemptInline]
    fields = [
        "webhook_id",
        "type",
        "subscription",
        "state",
        "created_at",
        "attempt_count",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "body",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
