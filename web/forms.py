"""Forms of the editors' pages. They validate input only; the services do the writing."""

from django import forms

from articles.models import ArticleState, Feed
from claims.candidate_review import NewSource
from claims.models import Rating, Source, SourceKind, Stance
from claims.notes import NOTE_MAX_LENGTH
from pipeline.services import PASTED_TEXT_MAX_LENGTH

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


_VERDICT_VERSION_LOST = (
    "The form lost track of the verdict's version: reload the page and try again."
)


class VerdictActionForm(forms.Form):
    """Publish a verdict: the version the editor saw, and the
    confirmation (the first POST shows what is about to be published; the second, with
    ``confirm``, publishes it)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class _OwnIds(forms.Form):
    """Forms that share a page with others (the review page's claim panel) name their fields'
    ids after themselves, so no two ids on the page are the same."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class VerdictReturnForm(_OwnIds):
    """Returning a verdict to its writer needs a reason: it is what they find under
    "Returned to me" in the review queue."""

    id_prefix = "return"

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": _VERDICT_VERSION_LOST, "invalid": _VERDICT_VERSION_LOST},
    )
    reason = forms.CharField(
        label="Why return it?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The writer reads this under “Returned to me” in the review queue.",
        error_messages={"required": "Say why the verdict goes back to its writer."},
    )


class VerdictForm(_OwnIds):
    """Write or revise a verdict: a rating on the scale and the explanation. ``version`` is
    the verdict's version when the form was shown (none for a first verdict)."""

    id_prefix = "verdict"

    rating = forms.ModelChoiceField(
        queryset=Rating.objects.all(),
        empty_label="Choose the rating…",
        help_text="The newsroom's rating scale, best to worst; Unproven is outside it.",
        error_messages={
            "required": "Choose a rating.",
            "invalid_choice": "That rating no longer exists: choose another.",
        },
    )
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=10000,
        help_text="What the evidence shows, in words a reader can follow.",
        error_messages={"required": "A verdict needs a written explanation."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    action = forms.ChoiceField(
        choices=[("save", "Save draft"), ("submit", "Save and submit for review")],
        initial="save",
        required=False,
    )


class NoteForm(_OwnIds):
    id_prefix = "note"

    text = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Internal: seen by the newsroom only, never by the public or the API.",
        error_messages={"required": "Write the note's text."},
    )


class ClaimAssignForm(forms.Form):
    action = forms.ChoiceField(choices=[("take", "Assign to me"), ("release", "Unassign")])
    claim_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


TOP_LEVEL = "none"


class CandidateAcceptForm(forms.Form):
    """The claim's statement and who made it: a source on record (the suggested claimant's
    source chosen in advance when names or aliases resolve it), or, as a deliberate step, a
    new source with its kind and its parent. The template renders the source choices itself
    (``web.articles.source_options``), so a long list of sources stays searchable."""

    statement = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The claim as it will be checked; shorten the sentence to what is asserted.",
        error_messages={"required": "Write the claim's statement, or keep the sentence."},
    )
    claimant = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        error_messages={"invalid_choice": "That source no longer exists: choose another."},
    )
    about = forms.ModelMultipleChoiceField(
        queryset=Source.objects.all(),
        required=False,
        label="The claim is about",
        help_text="The parties the claim is about, if any (“Russian forces killed wounded "
        "soldiers” is about the Government of Russia): their evidence is not independent.",
        error_messages={"invalid_choice": "One of those sources no longer exists: choose again."},
    )
    new_source = forms.BooleanField(
        required=False, label="Add the claimant as a new source, instead of choosing one above"
    )
    new_source_name = forms.CharField(label="Name", max_length=300, required=False)
    new_source_kind = forms.ChoiceField(
        label="Kind", choices=[("", "Choose the kind…"), *SourceKind.choices], required=False
    )
    # An id of a source, or TOP_LEVEL: the parent decides what counts as independent (SPEC
    # section 3), so "no parent" is an answer the editor gives, never a default.
    new_source_parent = forms.CharField(label="Belongs to", required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("new_source"):
            if cleaned.get("claimant") is None and "claimant" not in self.errors:
                self.add_error(
                    "claimant",
                    "Choose who made the claim, or add the claimant as a new source.",
                )
            cleaned["new_source_request"] = None
            return cleaned
        cleaned["claimant"] = None
        name = " ".join(cleaned.get("new_source_name", "").split())
        if not name:
            self.add_error("new_source_name", "Give the new source's name.")
        if not cleaned.get("new_source_kind"):
            self.add_error("new_source_kind", "Choose what kind of source it is.")
        parent_value = cleaned.get("new_source_parent", "")
        parent = None
        if parent_value == TOP_LEVEL:
            parent = None
        elif parent_value.isdigit() and Source.objects.filter(pk=parent_value).exists():
            parent = Source.objects.get(pk=parent_value)
        else:
            self.add_error(
                "new_source_parent",
                "Choose the source it belongs to, or say it belongs to none (a top-level source).",
            )
        if not self.errors:
            cleaned["new_source_request"] = NewSource(
                name=name, kind=cleaned["new_source_kind"], parent=parent
            )
        return cleaned


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
    add_figures = forms.BooleanField(
        required=False,
        label="Also add this sentence's figures to the claim",
        help_text="Off: the sentence becomes another appearance of the claim and nothing else "
        "changes.",
    )


# The article inbox ------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    """The inbox's search and filters, read from the query string; every field optional."""

    ANY = ""
    YES_NO = [(ANY, "Any"), ("yes", "Yes"), ("no", "No")]

    q = forms.CharField(label="Search", required=False, max_length=200)
    state = forms.ChoiceField(
        label="State", required=False, choices=[(ANY, "Any state"), *ArticleState.choices]
    )
    candidates = forms.ChoiceField(label="Open candidates", required=False, choices=YES_NO)
    flagged = forms.ChoiceField(label="Flagged claims", required=False, choices=YES_NO)
    feed = forms.ModelChoiceField(
        label="Feed",
        required=False,
        queryset=Feed.objects.only("id", "title", "url").order_by("title", "url", "id"),
        empty_label="Any feed",
        error_messages={"invalid_choice": "That feed does not exist (any more)."},
    )


class ArticleUrlForm(forms.Form):
    url = forms.CharField(
        label="Article URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        help_text="A news page on the public web (http or https); it is fetched in the "
        "background and its check-worthy sentences found.",
    )


class ArticleTextForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Its own ids: the URL form on the same page has a field "url" too.
        kwargs.setdefault("auto_id", "paste_%s")
        super().__init__(*args, **kwargs)

    title = forms.CharField(max_length=500)
    text = forms.CharField(
        # No maxlength attribute: a browser would cut a longer paste short without a word.
        # The service refuses it with the count instead.
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
        help_text=f"The article's text, at most {PASTED_TEXT_MAX_LENGTH:,} characters. Its "
        "check-worthy sentences are found at once.",
    )
    publisher = forms.CharField(max_length=300, required=False, help_text="Optional.")
    url = forms.CharField(
        label="Original URL",
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="Optional: where it was published. It is not fetched.",
    )
