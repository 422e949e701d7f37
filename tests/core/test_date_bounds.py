"""Every date and date-time input lies in 2000..2099; 9999-12-31 is a field error.

The walk takes every date(-time) field of every API serializer, portal form and
django-filter filter set in the project, so a new field is covered without a new test.
The door tests send the far-future date through the API and the pages, and check that
nothing was stored.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

import apps
from apps.accounts.roles import OPS, SUPER_ADMIN
from apps.approvals.models import ChangeRequest, FreezeWindow
from apps.flags.models import FlagState, ScheduledFlagChange
from apps.oncall.models import Override
from apps.warroom.models import LaunchPlan
from tests.core.test_api_conventions import assert_error_shape
from tests.factories import ServiceAccountFactory

FAR_FUTURE = "9999-12-31T23:59:00Z"
OUT_OF_RANGE = "Enter a date between 2000 and 2100."


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(apps.__path__, "apps."):
        if ".migrations" in module.name or module.name.endswith(".tests"):
            continue
        importlib.import_module(module.name)


def _subclasses(base: type) -> list[type]:
    found, pending = [], [base]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("apps."):
                found.append(subclass)
    return found


def _serializer_date_fields() -> list[tuple[str, serializers.Field]]:
    fields = []
    for serializer_class in _subclasses(serializers.Serializer):
        try:
            declared = serializer_class().fields
        except Exception:  # noqa: BLE001 - a serializer that needs arguments
            declared = getattr(serializer_class, "_declared_fields", {})
        for name, field in declared.items():
            if isinstance(field, serializers.DateField | serializers.DateTimeField):
                if not field.read_only:
                    fields.append((f"{serializer_class.__qualname__}.{name}", field))
    return fields


def _form_date_fields() -> list[tuple[str, forms.Field]]:
    fields = []
    for form_class in _subclasses(forms.BaseForm):
        for name, field in getattr(form_class, "base_fields", {}).items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                fields.append((f"{form_class.__qualname__}.{name}", field))
    for filterset_class in _subclasses(django_filters.FilterSet):
        for name, filter_ in filterset_class.base_filters.items():
            if isinstance(filter_.field, forms.DateField | forms.DateTimeField):
                fields.append((f"{filterset_class.__qualname__}.{name}", filter_.field))
    return fields


@pytest.fixture(scope="module")
def date_fields():
    _import_every_module()
    return _serializer_date_fields(), _form_date_fields()


def test_walk__every_serializer_date_field__refuses_9999_accepts_2030(date_fields):
    serializer_fields, _forms = date_fields
    assert len(serializer_fields) >= 10  # the walk really finds the API's inputs

    for label, field in serializer_fields:
        is_datetime = isinstance(field, serializers.DateTimeField)
        far, fine = (
            (FAR_FUTURE, "2030-06-01T10:00:00Z") if is_datetime else ("9999-12-31", "2030-06-01")
        )
        with pytest.raises(serializers.ValidationError) as refused:
            field.run_validation(far)
        assert OUT_OF_RANGE in str(refused.value.detail), label
        assert field.run_validation(fine) is not None, label


def test_walk__every_form_and_filter_date_field__refuses_9999(date_fields):
    _serializers, form_fields = date_fields
    assert len(form_fields) >= 6

    for label, field in form_fields:
        is_datetime = isinstance(field, forms.DateTimeField)
        far = "9999-12-31 23:59" if is_datetime else "9999-12-31"
        with pytest.raises(DjangoValidationError) as refused:
            field.clean(far)
            pytest.fail(f"{label} took {far}")
        assert OUT_OF_RANGE in refused.value.messages, label


def test_walk__earliest_and_latest_moments__bounds_inclusive_exclusive(date_fields):
    field = serializers.DateTimeField()

    assert field.run_validation("2000-01-01T00:00:00Z") == datetime(2000, 1, 1, tzinfo=UTC)
    assert field.run_validation("2099-12-31T23:59:59Z").year == 2099
    for outside in ("1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00"):
        with pytest.raises(serializers.ValidationError):
            field.run_validation(outside)


# --- through the doors ------------------------------------------------------------------------


@pytest.fixture
def admin_api(make_user, verified_api_client):
    return verified_api_client(make_user(SUPER_ADMIN))


def _refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    error = assert_error_shape(response, "validation_error")
    assert OUT_OF_RANGE in str(error["fields"][field]), error


@pytest.mark.django_db
def test_system_flag_set__until_9999__400_on_until_and_no_state(token_client):
    api, _token = token_client(scopes=["flags:write"])

    response = api.post(
        "/v1/admin/system-flags/set",
        {"flag": "contribute", "state": "blocked", "reason": "x", "until": FAR_FUTURE},
        format="json",
    )

    _refused(response, "until")
    assert not FlagState.objects.exists()


@pytest.mark.django_db
def test_scheduled_change__run_at_9999__400_and_nothing_scheduled(admin_api):
    response = admin_api.post(
        "/v1/flags/scheduled-changes",
        {"flag": "contribute", "state": "blocked", "reason": "x", "run_at": FAR_FUTURE},
        format="json",
    )

    _refused(response, "run_at")
    assert not ScheduledFlagChange.objects.exists()


@pytest.mark.django_db
def test_change_request__flag_state_until_9999_in_payload__400_and_nothing_filed(admin_api):
    payload = {"flag": "contribute", "state": "allowed", "reason": "x", "until": FAR_FUTURE}

    response = admin_api.post(
        "/v1/approvals/",
        {"kind": "flags.state", "payload": payload, "reason": "reopen"},
        format="json",
    )

    assert response.status_code == 400
    assert OUT_OF_RANGE in str(response.json()["error"])
    assert not ChangeRequest.objects.filter(kind="flags.state").exists()


@pytest.mark.django_db
def test_launch__t0_9999__400_on_t0_and_no_plan(admin_api):
    response = admin_api.post("/v1/launches/", {"name": "Go", "t0": FAR_FUTURE}, format="json")

    _refused(response, "t0")
    assert not LaunchPlan.objects.exists()


@pytest.mark.django_db
def test_launch__t0_overflowing_on_conversion__400_not_500(admin_api):
    response = admin_api.post(
        "/v1/launches/", {"name": "Go", "t0": "9999-12-31T23:59:59-05:00"}, format="json"
    )

    assert response.status_code == 400
    assert "t0" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_override__end_9999__400_on_end_and_no_override(admin_api, make_user):
    from apps.oncall import services

    admin = make_user(SUPER_ADMIN)
    member = make_user(OPS)
    team = services.team_create(actor=admin, name="Date bounds team")
    services.team_member_add(actor=admin, team=team, user=member)
    schedule = services.schedule_create(
        actor=admin, team=team, kind="primary", timezone_name="Asia/Jakarta"
    )

    response = admin_api.post(
        f"/v1/oncall/schedules/{schedule.pk}/overrides/",
        {"user": member.pk, "start": "2030-01-01T00:00:00Z", "end": FAR_FUTURE},
        format="json",
    )

    _refused(response, "end")
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_token__expires_at_9999__400_on_expires_at(admin_api):
    account = ServiceAccountFactory()

    response = admin_api.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "t", "scopes": ["flags:read"], "expires_at": FAR_FUTURE},
        format="json",
    )

    _refused(response, "expires_at")
    assert not account.api_tokens.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/v1/oncall/now?at={FAR_FUTURE}", "at"),
        (f"/v1/audit/changes/?until={FAR_FUTURE}", "until"),
        (f"/v1/audit/events/?since={FAR_FUTURE}", "since"),
    ],
)
def test_query_times__9999__400_naming_the_parameter(admin_api, url, field):
    _refused(admin_api.get(url), field)


@pytest.mark.django_db
def test_oncall_now__at_overflowing_on_conversion__400_naming_at(admin_api):
    response = admin_api.get("/v1/oncall/now?at=9999-12-31T23:59:59-05:00")

    assert response.status_code == 400
    assert list(assert_error_shape(response, "validation_error")["fields"]) == ["at"]


@pytest.mark.django_db
def test_flag_block_page__until_9999__field_error_and_no_state(make_user, verified_client):
    client = verified_client(make_user(OPS))

    response = client.post(
        "/flags/contribute/block",
        {"scope_kind": "global", "reason": "x", "until": "9999-12-31T23:59"},
    )

    assert response.status_code == 400
    assert OUT_OF_RANGE in response.context["form"].errors["until"]
    assert not FlagState.objects.exists()


@pytest.mark.django_db
def test_freeze_window_page__ends_9999__field_error_and_no_window(make_user, verified_client):
    client = verified_client(make_user(SUPER_ADMIN))

    response = client.post(
        "/approvals/freeze/",
        {
            "name": "Launch freeze",
            "kind": "config",
            "starts_at": "2030-01-01T00:00",
            "ends_at": "9999-12-31T23:59",
            "reason": "launch",
        },
    )

    assert response.status_code in (200, 400)
    assert OUT_OF_RANGE in response.context["form"].errors["ends_at"]
    assert not FreezeWindow.objects.exists()
