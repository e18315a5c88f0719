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


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter builds a form class for every request; most list requests (a poller's
    first page) filter on nothing, so skip that work when no filter parameter is given."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
