"""Forms of the editors' pages. They validate input only; the services do the writing."""

from django import forms

from claims.models import Source, Stance

_VERSION_LOST = "The form lost track of the claim's version: reload the page and try again."


class EvidenceQuickForm(forms.Form):
    stance = forms.ChoiceField(
        choices=Stance.choices, widget=forms.RadioSelect, initial=Stance.CORROBORATES
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.only("id", "name").order_by("name", "id"),
        empty_label="Choose the source…",
        help_text="Who published or said it. Add a new source in the admin.",
    )
    url = forms.URLField(
        label="Link", max_length=2000, assume_scheme="https", help_text="Where it can be read."
    )
    title = forms.CharField(max_length=500)
    quote = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional."
    )
    published_at = forms.DateTimeField(
        label="Published",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional.",
    )
    # The claim's version when the form was shown: the service refuses the save if the claim
    # changed since (SPEC section 7, stale-save refusal).
    claim_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _VERSION_LOST,
            "invalid": _VERSION_LOST,
            "min_value": _VERSION_LOST,
        },
    )


class VerdictActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(required=False, max_length=300)


class ClaimAssignForm(forms.Form):
    action = forms.ChoiceField(choices=[("take", "Assign to me"), ("release", "Unassign")])
    claim_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CandidateAcceptForm(forms.Form):
    statement = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The claim as it will be checked; shorten the sentence to what is asserted.",
        error_messages={"required": "Write the claim's statement, or keep the sentence."},
    )


class CandidateRejectForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        help_text="Why it is not worth checking; kept with the candidate.",
        error_messages={"required": "Say why the candidate is rejected."},
    )


class CandidateAttachForm(forms.Form):
    # The claim the page proposed: matching may have changed since the page was shown, and
    # the candidate is attached only to the claim the editor saw.
    claim = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
