"""Serializer building blocks shared by the apps' API modules."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF would otherwise turn 42 or 4.2 into "42"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know, so a typo ("statment") is a
    400 naming the field instead of a silently ignored change."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                allowed = ", ".join(sorted(self.fields))
                raise serializers.ValidationError(
                    {name: [f"Unknown field. Allowed fields: {allowed}."] for name in unknown}
                )
        return super().to_internal_value(data)


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(
        required=False, allow_null=True, help_text="Per-field messages, when there are any."
    )


class ErrorSerializer(serializers.Serializer):
    """Every error answer: ``{"error": {"status", "code", "message", "details"}}``."""

    error = ErrorBodySerializer()
