"""Field checks shared by the configuration document's validators.

Each helper reads one field of an item, records a message under the field's path in
``Errors`` when it is wrong, and returns the cleaned value (or a harmless stand-in).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_ITEMS = 500


class Errors:
    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.by_path)


def check_fields(item, path: str, allowed: set[str], errors: Errors) -> bool:
    if not isinstance(item, dict):
        errors.add(path, _("Expected an object."))
        return False
    for name in sorted(set(item) - allowed):
        errors.add(f"{path}.{name}", _("Unknown field."))
    return True


def text_field(item, name, path, errors, *, required=True, pattern=None, max_length=150) -> str:
    value = item.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(f"{path}.{name}", _("Expected text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(f"{path}.{name}", _("This field is required."))
    elif value and len(value) > max_length:
        errors.add(f"{path}.{name}", _("At most %(n)d characters.") % {"n": max_length})
    elif value and pattern is not None and not pattern.match(value):
        errors.add(
            f"{path}.{name}", _("'%(value)s' is not in the expected format.") % {"value": value}
        )
    return value


def integer_field(item, name, path, errors, *, minimum=None, maximum=None, required=True):
    value = item.get(name)
    if value is None:
        if required:
            errors.add(f"{path}.{name}", _("This field is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(f"{path}.{name}", _("Expected a whole number."))
        return None
    if minimum is not None and value < minimum:
        errors.add(f"{path}.{name}", _("Must be at least %(n)d.") % {"n": minimum})
        return None
    if maximum is not None and value > maximum:
        errors.add(f"{path}.{name}", _("Must be at most %(n)d.") % {"n": maximum})
        return None
    return value


def boolean_field(item, name, path, errors, default: bool) -> bool:
    value = item.get(name, default)
    if not isinstance(value, bool):
        errors.add(f"{path}.{name}", _("Expected true or false."))
        return default
    return value


def decimal_field(item, name, path, errors) -> Decimal | None:
    value = item.get(name)
    if value is None or value == "":
        errors.add(f"{path}.{name}", _("This field is required."))
        return None
    if isinstance(value, float | bool):
        errors.add(f"{path}.{name}", _('Give amounts as text, e.g. "10.00", never as a float.'))
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(f"{path}.{name}", _("'%(value)s' is not a number.") % {"value": value})
        return None
    if not amount.is_finite():
        errors.add(f"{path}.{name}", _("Must be a finite number."))
        return None
    if amount.as_tuple().exponent < -8 or amount.adjusted() >= 22:
        errors.add(f"{path}.{name}", _("At most 22 digits before and 8 after the point."))
        return None
    return amount


def list_of(document, name, errors) -> list:
    value = document.get(name, [])
    if not isinstance(value, list):
        errors.add(name, _("Expected a list."))
        return []
    if len(value) > MAX_ITEMS:
        errors.add(name, _("At most %(n)d entries.") % {"n": MAX_ITEMS})
        return []
    return value
