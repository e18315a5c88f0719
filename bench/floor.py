"""The benchmark's floor view, served twice by bench/api.py: inside the app's own settings and
middleware (bench.settings) and bare (bench.bare_settings)."""

from django.db import connection
from django.http import Http404, JsonResponse


def floor(request, pk: int) -> JsonResponse:
    """The least a Django view can do: one row by primary key, one indexed query, as JSON."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, payload FROM bench_floor WHERE id = %s", [pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return JsonResponse({"id": row[0], "payload": row[1]})
