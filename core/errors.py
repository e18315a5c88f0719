"""Errors the services raise and every caller (admin, pages, API, commands) turns into its own
answer: a message on the form, a 409 or 412 in the API."""


class StaleVersionError(Exception):
    """A save based on a version that someone else has changed since."""

    def __init__(self, obj, expected: int):
        self.obj = obj
        self.expected = expected
        self.current = obj.version
        name = obj._meta.verbose_name
        super().__init__(
            f"This {name} was changed by someone else since you opened it "
            f"(you had version {expected}, it is now version {obj.version}). "
            f"Reload it to see their changes, then make yours again."
        )


class ReviewRuleError(Exception):
    """A step that the rules of SPEC.md do not allow in the current state (a verdict's review
    of section 4, a decided candidate decided again)."""
