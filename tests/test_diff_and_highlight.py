"""The two text helpers of the article review page: the revision diff and the highlights."""

from articles.diff import CONTEXT_CHARS, diff_html
from web.highlight import Piece, Span, paragraphs


def test_diff_marks_changed_figures_as_whole_words():
    html, stats = diff_html("About 4,200 containers.", "About 4,400 containers.")
    assert "<del>" in html and "4,200" in html.split("<del>")[1].split("</del>")[0]
    assert "4,400" in html.split("<ins>")[1].split("</ins>")[0]
    assert (stats.inserted_words, stats.deleted_words) == (1, 1)


def test_diff_escapes_both_sides():
    html, _ = diff_html("a <b>bold</b> claim", "a <i>new</i> claim & more")
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;" in html and "&gt;" in html and "&amp; more" in html


def test_identical_texts_have_no_changes():
    html, stats = diff_html("Same text.", "Same text.")
    assert stats.unchanged
    assert "<ins>" not in html and "<del>" not in html


def test_long_unchanged_stretches_are_shortened():
    common = "word " * 400
    html, _ = diff_html(common + "old ending.", common + "new ending.")
    assert "diff-skip" in html
    assert len(html) < len(common) // 2 + CONTEXT_CHARS * 4


def _flat(result):
    return [[(p.text, p.span.id if p.span else None) for p in para] for para in result]


def test_paragraphs_split_at_line_breaks_and_place_highlights():
    text = "Title\nThe port said 4,200 boxes. The union disagreed.\n\nLast line."
    spans = [
        Span(text.index("4,200"), text.index("4,200") + 11, "claim", 1, "disputed", "Disputed")
    ]
    assert _flat(paragraphs(text, spans)) == [
        [("Title", None)],
        [("The port said ", None), ("4,200 boxes", 1), (". The union disagreed.", None)],
        [("Last line.", None)],
    ]


def test_overlapping_highlights_do_not_repeat_text():
    text = "abcdefghij"
    spans = [
        Span(2, 6, "claim", 1, "unverified", "Unverified"),
        Span(4, 8, "claim", 2, "disputed", "Disputed"),
        Span(3, 5, "claim", 3, "contested", "Contested"),  # inside the first: listed only
    ]
    result = paragraphs(text, spans)
    assert "".join(p.text for p in result[0]) == text
    assert _flat(result) == [[("ab", None), ("cdef", 1), ("gh", 2), ("ij", None)]]


def test_highlight_across_a_paragraph_break_is_split_and_spans_past_the_end_are_cut():
    text = "one two\nthree four"
    result = paragraphs(
        text,
        [Span(4, 13, "claim", 7, "unverified", "U"), Span(15, 99, "claim", 8, "unverified", "U")],
    )
    assert _flat(result) == [
        [("one ", None), ("two", 7)],
        [("three", 7), (" f", None), ("our", 8)],
    ]
    assert isinstance(result[0][0], Piece)


def test_candidate_sentence_is_marked_around_the_claim_inside_it():
    text = "The port said 4,200 boxes passed. Next sentence."
    claim_start = text.index("4,200")
    spans = [
        Span(0, 33, "candidate", 5, "new", "Candidate"),
        Span(claim_start, claim_start + 11, "claim", 1, "disputed", "Disputed"),
    ]
    result = paragraphs(text, spans)
    assert [(p.text, p.span.kind if p.span else None) for p in result[0]] == [
        ("The port said ", "candidate"),
        ("4,200 boxes", "claim"),
        (" passed.", "candidate"),
        (" Next sentence.", None),
    ]
    assert "".join(p.text for p in result[0]) == text
    # The candidate is cut in two; only its last part ends the highlight.
    assert [p.span.continues for p in result[0] if p.span] == [True, False, False]
