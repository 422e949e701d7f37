"""Teams and who belongs to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A group of people who share on-call duty (backend, ops, finance, support, …).

    The lead is a member who edits the team's schedules (a per-object permission kept in
    step by ``team_set_lead``) and hears about coverage gaps. ``channel`` is the team's
    war-room channel in apps.notify; pages and test pages post there too.
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("lead"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="warroom_teams",
        blank=True,
        verbose_name=_("members"),
    )
    channel = models.ForeignKey(
        "notify.Channel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("war-room channel"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        db_table = "warroom_team"
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        permissions = [("send_test_page", _("Can send a test page for a team"))]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="warroom_team_slug_unique",
                violation_error_message=_("A team with this slug already exists."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                name="warroom_team_name_unique",
                violation_error_message=_("A team with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_member(self, user) -> bool:
        return bool(user and user.pk) and self.memberships.filter(user_id=user.pk).exists()


class Membership(models.Model):
    """One person's place in a team."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="warroom_memberships",
        verbose_name=_("person"),
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now, editable=False)

    class Meta:
        db_table = "warroom_membership"
        ordering = ["team__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                name="warroom_membership_team_user_unique",
                violation_error_message=_("This person is already on the team."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"
