"""What every admin page of the claims app shares: the status badge, version checks, the
services' refusals shown as messages, the review steps."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string

from claims import services
from core.errors import ReviewRuleError, StaleVersionError


def status_badge_html(status: str, label: str) -> str:
    """The pages' status badge (one template for both), for the admin's lists and forms."""
    return render_to_string("claims/_status_badge.html", {"status": status, "label": label})


class VersionedForm(forms.ModelForm):
    """Carries the version the editor opened, so a save based on a stale copy is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            current = type(self.instance).objects.filter(pk=self.instance.pk).first()
            if current is not None and expected is not None and current.version != expected:
                raise ValidationError(str(StaleVersionError(current, expected)), code="stale")
        return cleaned


class ServiceErrorsMixin:
    """Rules enforced in the services (a race on the version, a refused review step) surface
    as messages on the same page, never as a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (StaleVersionError, ReviewRuleError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class ReviewStepsMixin:
    """Submit, publish and return-to-draft, applied through the verdict services with a message
    for each verdict the rules refuse."""

    REVIEW_STEPS = {
        "submit": (services.verdict_submit, "submitted for review"),
        "publish": (services.verdict_publish, "published"),
        "draft": (services.verdict_return_to_draft, "returned to draft"),
    }

    def _apply(self, request, step: str, verdicts):
        action, done_label = self.REVIEW_STEPS[step]
        done, refused = services.verdicts_apply(action, verdicts, request.user)
        if done:
            self.message_user(
                request, f"{len(done)} verdict{'s' if len(done) != 1 else ''} {done_label}."
            )
        for verdict, reason in refused:
            self.message_user(request, f"“{verdict.claim}”: {reason}", messages.ERROR)


def report_each(modeladmin, request, done: int, label: str, refused: list[tuple[object, str]]):
    if done:
        modeladmin.message_user(request, f"{done} {label}.")
    for obj, reason in refused:
        modeladmin.message_user(request, f"“{obj}”: {reason}", messages.ERROR)


def refusal_reason(exc: Exception) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
