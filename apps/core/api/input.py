"""The base of every API input serializer: JSON values of the type the document states.

DRF converts loosely: a number is taken for a text field (``"reason": 0`` becomes
``"0"``), ``"5"`` for an id, ``1`` for a boolean. The OpenAPI document says ``string``,
``integer``, ``boolean``, so a client reading it, or a fuzzer testing it, expects such
values to be refused. ``JsonInput`` checks the JSON type of each field it receives
before DRF converts it, and refuses a wrong one with a field error ("Give text.").

A field that takes more than one JSON type declares them in ``json_types`` (and
documents them with ``extend_schema_field``). Query-parameter serializers
(``apps.core.api.query``) do not use this base: every query value is text.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

_MESSAGES = {
    str: _("Give text (a JSON string)."),
    int: _("Give a whole number (a JSON integer)."),
    bool: _("Give true or false (a JSON boolean)."),
    list: _("Give a list (a JSON array)."),
    dict: _("Give an object (a JSON object)."),
}


def _expected(field) -> tuple[type, ...] | None:
    """The JSON types ``field`` accepts, or None when it checks its own input."""
    declared = getattr(field, "json_types", None)
    if declared is not None:
        return tuple(declared)
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return (list,)
    if isinstance(field, serializers.Serializer | serializers.DictField):
        return (dict,)
    if isinstance(field, serializers.JSONField | serializers.ChoiceField):
        return None
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return (int,)
    if isinstance(field, serializers.CharField | serializers.SlugRelatedField):
        return (str,)
    return None


def json_type_error(field, value) -> str | None:
    """Why ``value`` is not a JSON value of ``field``'s type (None when it is)."""
    if value is None:
        return None  # null: the field's allow_null decides
    expected = _expected(field)
    if expected is None:
        return None
    if isinstance(value, bool) and bool not in expected:
        return str(_MESSAGES[expected[0]])
    if not isinstance(value, expected):
        return str(_MESSAGES[expected[0]])
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for item in value:
            error = json_type_error(field.child, item)
            if error:
                return error
    if isinstance(field, serializers.DictField) and isinstance(value, dict):
        for item in value.values():
            error = json_type_error(field.child, item)
            if error:
                return error
    return None


class JsonInput(serializers.Serializer):
    """An input body: each field's JSON type is checked before DRF converts it."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                error = json_type_error(field, data[name])
                if error:
                    errors[name] = [error]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
