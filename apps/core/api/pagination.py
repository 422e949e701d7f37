"""The page envelope of every list in the API.

- ``page``: a whole number from 1 (or ``last``); anything else is 400 ``validation_error``
  naming ``page``. A page after the last one is 404 ``not_found``.
- ``page_size``: a whole number from 1; larger than 200 is served as 200; anything else is
  400 naming ``page_size``. Absent: 50.

Both are documented on every list operation by ``apps.core.api.schema``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination

from apps.core.api.errors import ApiError

_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        _("The request has invalid fields; see 'fields'."),
        code="validation_error",
        fields={field: [message]},
    )


class StandardPagination(PageNumberPagination):
    """Page numbers with a caller-chosen page size up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
            raise _invalid(self.page_query_param, _("Give a page number from 1."))
        return raw

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
            raise _invalid(
                self.page_size_query_param,
                _("Give a page size from 1 to %(max)d.") % {"max": self.max_page_size},
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        return page_parameters()


def page_parameters() -> list[dict]:
    """The OpenAPI query parameters ``page`` and ``page_size``."""
    return [
        {
            "name": "page",
            "required": False,
            "in": "query",
            "description": "A page number from 1; after the last page: 404.",
            "schema": {"type": "integer", "minimum": 1},
        },
        {
            "name": "page_size",
            "required": False,
            "in": "query",
            "description": "Results per page, from 1 (default 50); above 200 serves 200.",
            "schema": {"type": "integer", "minimum": 1},
        },
    ]
