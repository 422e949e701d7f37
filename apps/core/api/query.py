"""Query parameters of a view, checked by a serializer that also documents them.

    class PageFilters(serializers.Serializer):
        status = serializers.ChoiceField(choices=Page.Status.choices, required=False)

    @extend_schema(parameters=[PageFilters], ...)
    def get(self, request):
        filters = query_params(PageFilters, request)

The same serializer is the OpenAPI parameter list and the check, so what the document
says a parameter takes is what the endpoint accepts: an unknown choice, a malformed
number, boolean or time is 400 ``validation_error`` naming the parameter, never a filter
silently ignored. A blank text parameter means "no filter".
"""

from __future__ import annotations

from rest_framework import serializers


def query_params(serializer_class: type[serializers.Serializer], request) -> dict:
    """``request``'s query parameters validated by ``serializer_class`` (400 otherwise).

    A repeated parameter counts once, with its last value, as Django's ``QueryDict.get``.
    """
    given = serializer_class(data=request.query_params.dict())
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def text_filter(help_text: str, **kwargs) -> serializers.CharField:
    """An optional text filter; blank is no filter."""
    kwargs.setdefault("max_length", 200)
    return serializers.CharField(required=False, allow_blank=True, help_text=help_text, **kwargs)


def yes_no_filter(help_text: str) -> serializers.BooleanField:
    """An optional true/false filter: true, false, 1, 0, yes, no."""
    return serializers.BooleanField(required=False, allow_null=False, help_text=help_text)
