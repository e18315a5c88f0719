from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError


class StrictFilterSet(filters.FilterSet):
    """A filter given with no value (``?status=``) is a mistake in the caller's URL: a 400
    that says so, rather than silently listing everything."""

    def is_valid(self) -> bool:
        empty = [name for name in self.filters if self.data.get(name, None) == ""]
        if empty:
            raise ValidationError(
                {name: ["Give a value, or leave the parameter out."] for name in empty}
            )
        return super().is_valid()


def filters_requested(request, filterset_class) -> bool:
    """Whether the request names any of the filter set's filters (even with no value, which
    the filter set refuses)."""
    return any(name in request.query_params for name in filterset_class.base_filters)


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter builds a form class for every request; most list requests (a poller's
    first page) filter on nothing, so skip that work when no filter parameter is given."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not filters_requested(request, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)
