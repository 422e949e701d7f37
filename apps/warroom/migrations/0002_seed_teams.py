"""Seed the launch runbook's teams and, for backend, ops and finance, the primary and
backup schedules it asks for (layers and people are added in the portal)."""

from django.db import migrations

TEAMS = [
    ("backend", "Backend", "Platform services, tx manager, indexer.", True),
    ("ops", "Ops", "Daily operations, kill switches, checklists.", True),
    ("finance", "Finance", "Treasury, payouts, reconciliation.", True),
    ("support", "Support", "Customer tickets and diagnostics.", False),
]
TIMEZONE = "Europe/Warsaw"  # the launch plan's time zone


def seed(apps, schema_editor):
    Team = apps.get_model("warroom", "Team")
    Schedule = apps.get_model("warroom", "Schedule")
    for slug, name, description, on_call in TEAMS:
        team, _created = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        if not on_call:
            continue
        for kind, label in (("primary", "primary"), ("backup", "backup")):
            Schedule.objects.get_or_create(
                team=team, kind=kind, defaults={"name": f"{name} {label}", "timezone": TIMEZONE}
            )


def unseed(apps, schema_editor):
    Team = apps.get_model("warroom", "Team")
    Schedule = apps.get_model("warroom", "Schedule")
    slugs = [slug for slug, *_rest in TEAMS]
    Schedule.objects.filter(team__slug__in=slugs, layers__isnull=True).delete()
    Team.objects.filter(slug__in=slugs, schedules__isnull=True, memberships__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("warroom", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
