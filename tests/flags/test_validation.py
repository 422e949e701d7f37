"""Bad input to the flag services: field errors, and nothing written anywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.flags import services
from tests.flags.helpers import row_counts

GOOD = {"flag": "contribute", "state": "blocked", "reason": "Oracle stale"}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"flag": "no.such.flag"}, "flag", "unknown"),
        (
            {"scope_kind": "claim_type", "scope_value": "vesting"},
            "scope_kind",
            "scope_not_accepted",
        ),
        ({"scope_kind": "galaxy", "scope_value": "x"}, "scope_kind", None),
        ({"reason": ""}, "reason", "required"),
        ({"reason": "   "}, "reason", "required"),
        ({"reason": "x" * 2001}, "reason", None),
        ({"scope_kind": "round", "scope_value": "forty-two"}, "scope_value", "invalid_scope_value"),
        ({"scope_kind": "round", "scope_value": "0"}, "scope_value", "invalid_scope_value"),
        ({"scope_kind": "round", "scope_value": "042"}, "scope_value", "invalid_scope_value"),
        ({"scope_kind": "round", "scope_value": ""}, "scope_value", "invalid_scope_value"),
        ({"scope_kind": "global", "scope_value": "42"}, "scope_value", "invalid_scope_value"),
        ({"scope_kind": "user", "scope_value": "has space"}, "scope_value", "invalid_scope_value"),
        (
            {"scope_kind": "network", "scope_value": "eth/main"},
            "scope_value",
            "invalid_scope_value",
        ),
        ({"state": "open"}, "state", "invalid_state"),
        ({"state": "on"}, "state", "invalid_state"),
        ({"until": "past"}, "until", "until_before_start"),
        ({"until": "naive"}, "until", None),
        ({"incident_ref": "INC\n42"}, "incident_ref", None),
        ({"source": "schedule"}, "source", None),
    ],
)
def test_state_set__bad_input__field_error_and_nothing_written(people, changes, field, code):
    kwargs = {**GOOD, **changes}
    if kwargs.get("until") == "past":
        kwargs["until"] = timezone.now() - timedelta(minutes=1)
    elif kwargs.get("until") == "naive":
        kwargs["until"] = (timezone.now() + timedelta(hours=1)).replace(tzinfo=None)
    before = row_counts()

    with pytest.raises(ValidationError) as refused:
        services.flag_state_set(actor=people["ops"], **kwargs)

    errors = refused.value.error_dict
    assert field in errors, errors
    assert all(str(e.message).strip() for e in errors[field])
    if code:
        assert errors[field][0].code == code
    assert row_counts() == before


def test_state_set__several_bad_fields__all_reported_at_once(people):
    with pytest.raises(ValidationError) as refused:
        services.flag_state_set(
            actor=people["ops"],
            flag="payout",
            state="open",
            reason="",
            scope_kind="network",
            scope_value="Not A Slug",
            until=timezone.now() - timedelta(hours=1),
        )
    assert set(refused.value.error_dict) == {"state", "reason", "scope_value", "until"}


def test_state_set__bad_fund_unblock__no_change_request_filed(people):
    before = row_counts()
    with pytest.raises(ValidationError):
        services.flag_state_set(
            actor=people["ops"],
            flag="payout",
            state="allowed",
            reason="",
            scope_kind="network",
            scope_value="bsc",
        )
    assert row_counts() == before
