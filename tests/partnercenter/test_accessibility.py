"""Without a browser: times with their zone, readable culture, the CSRF page,
the error summary, and Django admin in Korean. (axe-core audits: tests/browser.)"""

import datetime
import zoneinfo

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from partnercenter.tenant.roles import Action, Role
from tests.factories import ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_timestamp_carries_its_time_zone():
    moment = datetime.datetime(2026, 11, 21, 6, 4, tzinfo=datetime.UTC)
    template = Template("{% load timestamps %}{{ moment|timestamp }}")
    with timezone.override(zoneinfo.ZoneInfo("Asia/Seoul")):
        seoul = template.render(Context({"moment": moment}))
    with timezone.override(datetime.UTC):
        utc = template.render(Context({"moment": moment}))
    assert seoul == '<time datetime="2026-11-21T15:04+09:00">Nov. 21, 2026, 3:04 p.m. KST</time>'
    with timezone.override(zoneinfo.ZoneInfo("Asia/Seoul")), translation.override("ko"):
        korean = template.render(Context({"moment": moment}))
    assert korean.endswith(">2026. 11. 21. 오후 3:04 KST</time>")
    assert utc.endswith(" UTC</time>") and 'datetime="2026-11-21T06:04+00:00"' in utc
    assert Template("{% load timestamps %}{{ none|timestamp }}").render(Context({})) == ""


def test_account_info_names_the_language_not_the_raw_culture_code(client, admin_agent):
    customer = ResellerRelationshipFactory(
        partner=admin_agent.partner, customer__culture="ko-KR"
    ).customer
    client.force_login(admin_agent)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Korean (ko-KR)" in page
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ko"
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "한국어 (ko-KR)" in page


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Your form expired"), ("ko", "양식이 만료되었습니다")]
)
def test_a_csrf_failure_is_a_translated_page_with_a_way_back(language, heading):
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert heading in page and f'<html lang="{language}">' in page
    assert 'href="/accounts/login/"' in page  # back to the form
    assert "CSRF" not in page and "DEBUG" not in page


def test_after_a_failed_submit_an_error_summary_links_each_field(client, make_user):
    client.force_login(make_user(Role.GLOBAL_ADMIN))
    page = client.post(reverse("users:add"), {"first_name": "Bo"}).content.decode()
    start = page.index('data-testid="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert 'href="#id_last_name"' in summary and 'href="#id_email"' in summary
    assert 'href="#div_id_roles"' in summary  # a checkbox group: its fieldset's wrapper
    assert "Choose at least one role." in summary
    assert 'tabindex="-1"' in page[page.index("data-error-summary") - 200 :]


def test_django_admin_speaks_korean_with_clean_permission_names(client):
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True, language="ko")
    client.force_login(staff)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ko"
    index = client.get("/admin/").content.decode()
    assert "파트너 센터 백 오피스" in index
    group = Group.objects.get(name=Role.ADMIN_AGENT.value)
    form = client.get(f"/admin/auth/group/{group.pk}/change/").content.decode()
    with translation.override("ko"):
        label = str(Action.ATTEST_AGREEMENT_ON_BEHALF.label)
    assert label in form and label != "Attest agreement acceptance on the customer's behalf"
    for action in Action:
        assert "seed" not in action.label and "issue" not in action.label
    change = client.get(f"/admin/partnercenter/user/{staff.pk}/change/").content.decode()
    assert 'name="last_login"' not in change  # evidence, shown read-only
    assert "selectfilter" not in change  # plain, labelled multi-selects
