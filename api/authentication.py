"""``Authorization: Api-Key <key>``: newsroom tools authenticate as the key's owner."""

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import APIKey

KEYWORD = "Api-Key"


class APIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return None  # Not ours: session authentication may still apply.
        key = key.strip()
        if not key:
            raise exceptions.AuthenticationFailed(
                "The Authorization header has no key: send 'Authorization: Api-Key <key>'."
            )
        try:
            api_key = APIKey.objects.get_from_key(key)
        except APIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                "This API key is unknown or has been revoked."
            ) from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if not api_key.owner.is_active:
            raise exceptions.AuthenticationFailed("The owner of this API key is inactive.")
        return api_key.owner, api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to an unauthenticated write, naming the scheme.
        return KEYWORD


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.APIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; keys are created and revoked in the admin.",
        }


class CookieSessionAuthentication(authentication.SessionAuthentication):
    """A browser session, looked for only when the request carries the session cookie: a
    tool's request without one skips loading a session that cannot exist."""

    def authenticate(self, request):
        if settings.SESSION_COOKIE_NAME not in request._request.COOKIES:
            return None
        return super().authenticate(request)


class CookieSessionScheme(SessionScheme):
    """The OpenAPI description of the session cookie, as drf-spectacular gives DRF's own."""

    target_class = "api.authentication.CookieSessionAuthentication"
