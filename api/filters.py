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
