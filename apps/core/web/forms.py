"""From a service's ``ValidationError`` to a form's errors.

Services validate (``full_clean()``, rules that need the database) and raise Django's
``ValidationError``; a page shows those errors on the form the person filled in. Field
names the form has get their errors next to the field; anything else (``__all__``, a
model field the form does not show, an error without fields) goes above the form.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def apply_validation_error(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    field_map: Mapping[str, str] | None = None,
) -> None:
    """Add ``error`` to ``form``: per field where the form has the field, on top otherwise.

    ``field_map`` renames a service's field to the form's (``{"expires_at": "expires_on"}``)
    where the form asks for the value in another shape. Error codes are kept, so
    ``form.has_error(field, code)`` works as for the form's own errors. Never raises for a
    field the form lacks (Django's ``form.add_error(None, error)`` would).
    """
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, ValidationError(error.error_list))
        return
    for name, errors in error.error_dict.items():
        target = field_map.get(name, name)
        if target == NON_FIELD_ERRORS or target not in form.fields:
            target = None
        form.add_error(target, ValidationError(errors))
