"""The Django admin is the editors' main tool (SPEC section 8). Every write goes through the
claims services, so the admin obeys the same rules as the API and the pages. One module per
concept; importing them registers their admins."""

from claims.admin import candidates, claims, evidence, records, sources, verdicts  # noqa: F401
