"""The profile page: time zone and language per person, MFA devices, contact methods."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.services.mfa import totp_enrolment_confirm, totp_enrolment_start
from tests.accounts.mfa_support import code_for, events
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile__language_switched_to_indonesian__pages_answer_in_it(verified_client):
    user = UserFactory(roles=["ops"])
    client = verified_client(user)

    response = client.post(
        reverse("accounts:profile"), {"timezone": "Asia/Jakarta", "language": "id"}
    )
    page = client.get(reverse("accounts:profile"))
    home = client.get("/")

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.timezone) == ("id", "Asia/Jakarta")
    assert page["Content-Language"] == "id"
    assert '<html lang="id">' in page.content.decode()
    assert home["Content-Language"] == "id"
    event = events("account.preferences_changed", target_id=str(user.pk)).get()
    assert event.data["after"] == {"timezone": "Asia/Jakarta", "language": "id"}


def test_profile__unknown_time_zone_or_language__field_errors_nothing_changes(verified_client):
    user = UserFactory(roles=["ops"])
    client = verified_client(user)

    response = client.post(
        reverse("accounts:profile"), {"timezone": "Mars/Olympus", "language": "xx"}
    )

    assert response.status_code == 200
    assert response.context["preferences_form"].errors.keys() == {"timezone", "language"}
    assert User.objects.get(pk=user.pk).language == "en"
    assert not events("account.preferences_changed").exists()


def test_profile__mfa_devices__listed_with_backup_code_count(verified_client):
    user = UserFactory()
    device = totp_enrolment_start(actor=user)
    codes = totp_enrolment_confirm(actor=user, device=device, code=code_for(device))
    from apps.accounts.mfa import verify_backup_code

    verify_backup_code(user, codes[0])
    client = verified_client(user)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Authenticator app" in page
    assert "Backup codes left: 9 of 10." in page
    assert reverse("accounts:backup_codes") in page
    assert device.key not in page


def test_profile__contact_methods_link__present_when_notify_serves_it(verified_client):
    from django.urls import NoReverseMatch

    client = verified_client(UserFactory())
    page = client.get(reverse("accounts:profile"))

    assert page.status_code == 200
    try:
        url = reverse("notify:contact_methods")
    except NoReverseMatch:
        assert "Contact methods are not available yet." in page.content.decode()
    else:
        assert f'href="{url}"' in page.content.decode()


def test_profile__anonymous__sent_to_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile__language_choices__each_language_in_its_own_name(verified_client):
    user = UserFactory(roles=["ops"], language="ru")
    html = verified_client(user).get(reverse("accounts:profile")).content.decode()

    for own_name in ("English", "Bahasa Indonesia", "Русский"):
        assert f">{own_name}</option>" in html
    assert ">Английский</option>" not in html


def test_home__roles__shown_by_their_names_not_their_identifiers(verified_client):
    user = UserFactory(roles=["super_admin", "incident_commander"])
    html = verified_client(user).get("/").content.decode()

    assert ">Super admin<" in html and ">Incident commander<" in html
    assert ">super_admin<" not in html and ">incident_commander<" not in html


def test_every_page__favicon_linked_and_present(verified_client):
    from django.contrib.staticfiles import finders

    html = verified_client(UserFactory(roles=["ops"])).get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("favicon.svg")
