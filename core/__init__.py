"""What every app shares and that knows no app: the admin's history pages, the errors the
services raise and the web layers translate, leases on due rows, small text helpers.

Nothing here imports ``articles``, ``claims``, ``pipeline``, ``web``, ``api`` or ``factcheck``
(the import contract in pyproject.toml checks it)."""
