"""apply_validation_error: a service's ValidationError shown on the form a person filled in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from apps.core.web.forms import apply_validation_error


class ReasonForm(forms.Form):
    reason = forms.CharField()
    expires_on = forms.DateField(required=False)


def _bound_form() -> ReasonForm:
    form = ReasonForm(data={"reason": "price feed lagging"})
    assert form.is_valid()
    return form


def test_apply_validation_error__known_field__error_shows_on_the_field_with_its_code():
    form = _bound_form()

    apply_validation_error(
        form, ValidationError({"reason": ValidationError("Too short.", code="short")})
    )

    assert form.errors == {"reason": ["Too short."]}
    assert form.has_error("reason", "short")
    assert "reason" not in form.cleaned_data


def test_apply_validation_error__unknown_and_all_fields__go_above_the_form():
    form = _bound_form()

    apply_validation_error(
        form,
        ValidationError({"scope_value": ["No such round."], NON_FIELD_ERRORS: ["Frozen."]}),
    )

    assert form.non_field_errors() == ["No such round.", "Frozen."]
    assert set(form.errors) == {NON_FIELD_ERRORS}


def test_apply_validation_error__error_without_fields__goes_above_the_form():
    form = _bound_form()

    apply_validation_error(form, ValidationError(["First.", "Second."]))

    assert form.non_field_errors() == ["First.", "Second."]


def test_apply_validation_error__field_map__renames_the_service_field_to_the_form_field():
    form = _bound_form()

    apply_validation_error(
        form,
        ValidationError({"expires_at": ["Must be in the future."]}),
        field_map={"expires_at": "expires_on"},
    )

    assert form.errors == {"expires_on": ["Must be in the future."]}
