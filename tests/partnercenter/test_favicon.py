"""Every page names an icon, and /favicon.ico (asked for by browsers anyway) finds it."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


def test_favicon_ico_leads_to_the_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert finders.find("favicon.svg"), "the icon is shipped under static/"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admincenter/signin/"])
def test_the_pages_name_their_icon(client, url):
    assert 'rel="icon"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_error_pages_name_their_icon_too(client, admin_agent):
    client.force_login(admin_agent)
    page = client.get(reverse("customers:detail", args=[999999]))
    assert page.status_code == 404 and 'rel="icon"' in page.content.decode()
