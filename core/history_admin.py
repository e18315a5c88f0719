"""The admin's history pages, shared by every app: who changed what, computed fields included."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange

# Bookkeeping that changes on every save and would drown the meaningful changes.
NOISE = {"updated_at", "version"}


def _computed_changes(old, new) -> list[ModelChange]:
    """Changes of the tracked fields that are not editable (django-simple-history diffs only
    editable ones): a claim's status, explanation and counts, a verdict's review state."""
    changes = []
    for field in new.tracked_fields:
        if field.editable or field.name in NOISE:
            continue
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before != after:
            if field.is_relation:
                before, after = getattr(old, field.name), getattr(new, field.name)
            changes.append(ModelChange(field.name, before, after))
    return changes


class HistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history's revert form saves on POST whatever the user's permissions,
        # and around our services. History pages only show; changes go through the change form.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(current, foreign_keys_are_objs=foreign_keys_are_objs)
                delta.changes.extend(_computed_changes(current, previous))
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
