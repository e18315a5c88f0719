"""Who may do what through the API (SPEC section 7, auth).

Reads are open: anonymous users and API keys see statuses and published verdicts only (the
views choose the public rendering for them). Writes need a session user whose role grants the
view's model permissions, or an API key with write scope whose owner's role grants them now.
"""

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import APIKey


def sees_working_verdicts(request) -> bool:
    """Editors in the browser see draft verdicts; everyone else, the published ones only.
    API keys get the public view whoever owns them: a tool may show its answers to readers."""
    user = request.user
    return (
        not isinstance(request.auth, APIKey)
        and user.is_authenticated
        and user.has_perm("claims.view_verdict")
    )


class ApiAccess(BasePermission):
    """Views list the permissions each write needs in ``write_permissions``; a method not
    listed there is refused to everyone (a safe default for a new view)."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # DRF answers 405 Method Not Allowed, which says more than a 403.
        needed = getattr(view, "write_permissions", {}).get(request.method)
        if needed is None:
            raise exceptions.PermissionDenied("This endpoint does not accept writes.")
        if not needed:
            return True  # a POST that only reads (claim matching): open like a GET
        if isinstance(request.auth, APIKey):
            if not request.auth.can_write:
                raise exceptions.PermissionDenied(
                    "This API key has read scope; writes need a key with write scope."
                )
            # The key writes as its owner, so never beyond the owner's role as it is today: an
            # editor moved to Viewer keeps a key that reads but no longer writes.
            if not request.user.has_perms(needed):
                raise exceptions.PermissionDenied(
                    "The owner of this API key may no longer make this change: it needs "
                    + ", ".join(sorted(needed))
                    + "."
                )
            return True
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(
                "Writes need an API key with write scope (Authorization: Api-Key <key>) "
                "or a signed-in editor."
            )
        if not request.user.has_perms(needed):
            raise exceptions.PermissionDenied(
                "Your role does not allow this: it needs " + ", ".join(sorted(needed)) + "."
            )
        return True
