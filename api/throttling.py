from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous readers, by address, at ``FACTCHECK_ANON_RATE`` (None turns it off). Read at
    each request so tests and deployments can change it without a restart of the module."""

    def get_rate(self) -> str | None:
        return settings.FACTCHECK_ANON_RATE

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        return super().allow_request(request, view)
