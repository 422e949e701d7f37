import pytest


@pytest.mark.django_db
def test_login_page__anonymous__is_served(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "X-Request-ID" in response


@pytest.mark.django_db
def test_home__anonymous__redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
