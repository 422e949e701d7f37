"""Helpers shared by the war-room API views."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework.generics import GenericAPIView

from apps.accounts.policy import caller_of
from apps.notify.selectors import reachable_user_ids
from apps.oncall import selectors
from apps.oncall.api.serializers import person

TAGS_ONCALL = ["on-call"]
TAGS_TEAMS = ["teams"]
TAGS_ESCALATION = ["escalation"]
PEOPLE_ONLY_AUTH = [{"cookieAuth": []}]


class WarroomView(GenericAPIView):
    """A view that loads one object and checks the object-level rule on it."""

    def schedules(self):
        """The schedules the caller (person or token) may see."""
        return selectors.schedule_list(user=caller_of(self.request))

    def load(self, queryset, **lookup):
        obj = get_object_or_404(queryset, **lookup)
        self.check_object_permissions(self.request, obj)
        return obj


def shifts_data(shifts) -> list[dict]:
    """Shifts as the API gives them; ``reachable`` says whether the person on call has a
    verified contact method (a shift counts as covered only then)."""
    people = selectors.users_by_id(s.user_id for s in shifts)
    reachable = reachable_user_ids(s.user_id for s in shifts)
    return [
        {
            "start": s.start,
            "end": s.end,
            "user": person(people.get(s.user_id)),
            "source": s.source,
            "reachable": s.user_id in reachable,
        }
        for s in shifts
    ]


def shift_data(shift) -> dict | None:
    return shifts_data([shift])[0] if shift is not None else None
