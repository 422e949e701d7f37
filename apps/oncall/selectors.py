"""Reads of the war room, restricted to what the user may see.

Who is on call is visible to every verified person (``oncall.view_schedule`` is held by
every role); the functions taking no user are for trusted code (tasks, services).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.policy import can, restrict
from apps.notify.models import OutboxMessage
from apps.notify.selectors import reachable_user_ids
from apps.oncall import rotation
from apps.oncall.models import (
    CalendarFeed,
    EscalationPolicy,
    LayerParticipant,
    LayerVersion,
    Membership,
    Override,
    Page,
    RotationLayer,
    Schedule,
    Team,
)

GAP_HORIZON = timedelta(days=14)
# How far around an instant the final schedule is built to find who holds it.
ON_CALL_LOOKAROUND = timedelta(days=15)
# The longest shift a layer allows (90 days, 12 weeks) bounds a read past the window.
MAX_SHIFT_LOOKAHEAD = timedelta(days=92)


# --- visibility ---------------------------------------------------------------------------


# ``user`` is the caller: a person, or an API token (``policy.caller_of(request)``).
READ_SCOPE = "oncall:read"


def team_list(*, user) -> QuerySet[Team]:
    queryset = Team.objects.select_related("lead").prefetch_related("memberships__user")
    return restrict(queryset, user, "oncall.view_team", scope=READ_SCOPE)


def schedule_list(*, user, team: Team | None = None) -> QuerySet[Schedule]:
    queryset = restrict(
        Schedule.objects.select_related("team", "team__lead"),
        user,
        "oncall.view_schedule",
        scope=READ_SCOPE,
    )
    return queryset.filter(team=team) if team is not None else queryset


def layer_list(*, user) -> QuerySet[RotationLayer]:
    queryset = RotationLayer.objects.select_related("schedule", "schedule__team")
    return restrict(queryset, user, "oncall.view_rotationlayer", scope=READ_SCOPE)


def override_list(*, user) -> QuerySet[Override]:
    queryset = Override.objects.select_related("schedule", "schedule__team", "user")
    return restrict(queryset, user, "oncall.view_override", scope=READ_SCOPE)


def policy_list(*, user, team: Team | None = None) -> QuerySet[EscalationPolicy]:
    queryset = EscalationPolicy.objects.select_related("team").prefetch_related(
        "steps__schedule", "steps__user"
    )
    queryset = restrict(queryset, user, "oncall.view_escalationpolicy", scope=READ_SCOPE)
    return queryset.filter(team=team) if team is not None else queryset


def page_list(*, user, filters: dict | None = None) -> QuerySet[Page]:
    queryset = restrict(
        Page.objects.select_related("team", "acknowledged_by", "created_by"),
        user,
        "oncall.view_page",
        scope=READ_SCOPE,
    )
    filters = filters or {}
    if filters.get("team"):
        queryset = queryset.filter(team__slug=filters["team"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    return queryset


def page_deliveries(*, user, page: Page) -> QuerySet[OutboxMessage]:
    """The notifications a page sent and where each delivery stands (pending, delivered,
    dead), for whoever may see the page. Destinations are named, never their addresses."""
    deliveries = (
        OutboxMessage.objects.filter(event="warroom.page", payload__page_id=page.pk)
        .select_related("channel", "contact_method", "contact_method__user")
        .order_by("created_at", "id")
    )
    return restrict(deliveries, user, "oncall.view_page", scope=READ_SCOPE)


def feed_list(*, user) -> QuerySet[CalendarFeed]:
    if user is None or not getattr(user, "is_authenticated", False):
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(owner=user).select_related("schedule", "person")


def can_edit_schedule(user, schedule: Schedule) -> bool:
    return can(user, "oncall.change_schedule", schedule)


# --- the final schedule -------------------------------------------------------------------


def layer_versions(schedule: Schedule, start: datetime, end: datetime) -> list[LayerVersion]:
    """Every version of the schedule's layers that was in effect during [start, end)."""
    return list(
        LayerVersion.objects.filter(layer__schedule=schedule, effective_from__lt=end)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=start))
        .prefetch_related(
            Prefetch("participants", queryset=LayerParticipant.objects.order_by("position"))
        )
        .order_by("layer_id", "effective_from")
    )


def override_specs(
    schedule: Schedule, start: datetime, end: datetime
) -> list[rotation.OverrideSpec]:
    specs = []
    for override in Override.objects.filter(schedule=schedule, start__lt=end, end__gt=start):
        effective_end = override.effective_end
        if effective_end > override.start and effective_end > start:
            specs.append(
                rotation.OverrideSpec(
                    key=override.pk,
                    user_id=override.user_id,
                    start=override.start,
                    end=effective_end,
                )
            )
    return specs


def final_schedule(schedule: Schedule, start: datetime, end: datetime) -> list[rotation.FinalShift]:
    """The final schedule of ``schedule`` for [start, end): overrides, then layers by
    priority; pieces are clipped to the window."""
    if start >= end:
        return []
    specs = [version.spec() for version in layer_versions(schedule, start, end)]
    return rotation.final_schedule(specs, override_specs(schedule, start, end), start, end)


def coverage_gaps(
    schedule: Schedule, start: datetime | None = None, end: datetime | None = None
) -> list[rotation.Gap]:
    start = start or timezone.now()
    end = end or start + GAP_HORIZON
    return rotation.gaps(final_schedule(schedule, start, end), start, end)


@dataclass(frozen=True)
class Unreachable:
    """A stretch where someone is on call but cannot be reached: they have no verified
    contact method. It counts as uncovered, like a gap."""

    start: datetime
    end: datetime
    user_id: int


def unreachable_stretches(shifts: list[rotation.FinalShift]) -> list[Unreachable]:
    """The parts of ``shifts`` held by people with no verified contact method."""
    reachable = reachable_user_ids({shift.user_id for shift in shifts})
    found: list[Unreachable] = []
    for shift in shifts:
        if shift.user_id in reachable:
            continue
        if found and found[-1].end == shift.start and found[-1].user_id == shift.user_id:
            found[-1] = Unreachable(found[-1].start, shift.end, shift.user_id)
        else:
            found.append(Unreachable(shift.start, shift.end, shift.user_id))
    return found


@dataclass
class Coverage:
    """The final schedule of a window, what nobody covers, and who cannot be reached."""

    start: datetime
    end: datetime
    shifts: list[rotation.FinalShift]
    gaps: list[rotation.Gap]
    unreachable: list[Unreachable]

    @property
    def covered(self) -> bool:
        return not self.gaps and not self.unreachable


def coverage(
    schedule: Schedule, start: datetime | None = None, end: datetime | None = None
) -> Coverage:
    """The coverage check: a moment is covered only if someone reachable is on call."""
    start = start or timezone.now()
    end = end or start + GAP_HORIZON
    shifts = final_schedule(schedule, start, end)
    return Coverage(
        start=start,
        end=end,
        shifts=shifts,
        gaps=rotation.gaps(shifts, start, end),
        unreachable=unreachable_stretches(shifts),
    )


def on_call_at(schedule: Schedule, at: datetime) -> rotation.FinalShift | None:
    """Who covers ``schedule`` at ``at``, from the start to the end of the current shift.

    The final schedule merges a person's back-to-back shifts (a one-person weekly backup
    is one endless stretch), so the shift is cut to the rotation's handoffs around ``at``
    for a layer, or to the override's own end; a look-around window never shows as an end.
    """
    window_end = at + ON_CALL_LOOKAROUND
    around = final_schedule(schedule, at - ON_CALL_LOOKAROUND, window_end)
    stretch = next((shift for shift in around if shift.covers(at)), None)
    if stretch is None:
        return None
    bounds = _natural_bounds(schedule, stretch, at)
    if bounds is None:
        return stretch
    start, end = bounds
    if stretch.end >= window_end and end > window_end:
        # The stretch was cut by the window: read on to the shift's real end.
        later = final_schedule(schedule, at, min(end, at + MAX_SHIFT_LOOKAHEAD))
        onward = next((shift for shift in later if shift.covers(at)), None)
        if onward is not None:
            stretch = replace(stretch, end=onward.end)
    return replace(stretch, start=max(stretch.start, start), end=min(stretch.end, end))


def _natural_bounds(
    schedule: Schedule, stretch: rotation.FinalShift, at: datetime
) -> tuple[datetime, datetime] | None:
    """Where the piece of coverage holding ``at`` starts and ends by itself: the layer's
    handoffs around ``at``, or the override's start and (effective) end."""
    if stretch.source_kind == "override":
        override = Override.objects.filter(pk=stretch.source_id, schedule=schedule).first()
        return (override.start, override.effective_end) if override is not None else None
    for version in layer_versions(schedule, at, at + timedelta(microseconds=1)):
        if version.layer_id == stretch.source_id:
            return rotation.shift_bounds(version.spec(), at)
    return None


def next_handoffs(schedule: Schedule, after: datetime, count: int = 3) -> list[rotation.FinalShift]:
    """The next ``count`` stretches starting after ``after`` (within 30 days)."""
    shifts = final_schedule(schedule, after - timedelta(days=1), after + timedelta(days=30))
    return [shift for shift in shifts if shift.start > after][:count]


@dataclass
class TeamOnCall:
    team: Team
    at: datetime
    primary: Schedule | None = None
    backup: Schedule | None = None
    primary_shift: rotation.FinalShift | None = None
    backup_shift: rotation.FinalShift | None = None
    handoffs: list[tuple[Schedule, rotation.FinalShift]] = field(default_factory=list)
    gaps: list[tuple[Schedule, rotation.Gap]] = field(default_factory=list)
    unreachable: list[tuple[Schedule, Unreachable]] = field(default_factory=list)
    primary_reachable: bool = False
    backup_reachable: bool = False

    @property
    def covered(self) -> bool:
        """Someone reachable is on call at every moment of the outlook."""
        return not self.gaps and not self.unreachable


def team_on_call(team: Team, at: datetime, *, with_outlook: bool = False) -> TeamOnCall:
    answer = TeamOnCall(team=team, at=at)
    for schedule in team.schedules.all():
        shift = on_call_at(schedule, at)
        if schedule.kind == Schedule.Kind.PRIMARY:
            answer.primary, answer.primary_shift = schedule, shift
        else:
            answer.backup, answer.backup_shift = schedule, shift
        if with_outlook:
            answer.handoffs.extend((schedule, s) for s in next_handoffs(schedule, at, 2))
            outlook = coverage(schedule, at)
            answer.gaps.extend((schedule, g) for g in outlook.gaps)
            answer.unreachable.extend((schedule, u) for u in outlook.unreachable)
    reachable = reachable_user_ids(
        shift.user_id for shift in (answer.primary_shift, answer.backup_shift) if shift
    )
    answer.primary_reachable = bool(answer.primary_shift) and (
        answer.primary_shift.user_id in reachable
    )
    answer.backup_reachable = bool(answer.backup_shift) and (
        answer.backup_shift.user_id in reachable
    )
    answer.handoffs.sort(key=lambda pair: pair[1].start)
    answer.gaps.sort(key=lambda pair: pair[1].start)
    answer.unreachable.sort(key=lambda pair: pair[1].start)
    return answer


def on_call_board(*, user, at: datetime | None = None) -> list[TeamOnCall]:
    """Every team the user may see: who is on call, the next handoffs and any gaps."""
    at = at or timezone.now()
    teams = team_list(user=user).prefetch_related("schedules")
    if not can(user, "oncall.view_schedule"):
        return []
    return [team_on_call(team, at, with_outlook=True) for team in teams]


def page_by_ack_token(token: str) -> Page | None:
    """The page a notification's acknowledge link names (the token only finds it; the
    verified login that follows the link is what authorises)."""
    if not token or len(token) > 64:
        return None
    return Page.objects.filter(ack_token=token).first()


def team_ids_of(user) -> set[int]:
    """The teams ``user`` (a person) is a member of: trusted, for deciding what they own."""
    if user is None or not getattr(user, "pk", None):
        return set()
    return set(Membership.objects.filter(user_id=user.pk).values_list("team_id", flat=True))


def users_by_id(ids) -> dict[int, object]:
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=set(ids))}


def current_layers(schedule: Schedule) -> list[tuple[RotationLayer, LayerVersion]]:
    """Layers in effect now or later, each with its current (or upcoming) version."""
    now = timezone.now()
    result = []
    for layer in schedule.layers.all().order_by("id"):
        version = (
            layer.versions.filter(Q(effective_until__isnull=True) | Q(effective_until__gt=now))
            .prefetch_related("participants__user")
            .order_by("effective_from")
            .first()
        )
        if version is not None:
            result.append((layer, version))
    result.sort(key=lambda pair: -pair[1].priority)
    return result


def layer_open_version(layer: RotationLayer) -> LayerVersion | None:
    """The version in effect now or, if none is yet, the upcoming open-ended one."""
    return (
        layer.current_version(timezone.now())
        or layer.versions.filter(effective_until__isnull=True).first()
    )
