"""Small text helpers for lists and titles."""


def shorten(text: str, limit: int = 80) -> str:
    """A long statement or sentence cut to fit a list or a page title."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
