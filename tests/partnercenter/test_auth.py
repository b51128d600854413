"""Sign-in, sign-out, the temporary-password change, language and time zone."""

import zoneinfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnercenter.models import User
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import partner_user_update_roles
from partnercenter.web.middleware import UserTimeZoneMiddleware
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD_URLS = [
    "/",
    "/customers/",
    "/settings/users/",
    "/settings/users/add/",
    "/settings/profile/",
    "/indirect-providers/",
    "/indirect-resellers/",
    "/accounts/password_change/",
]


def test_the_sign_in_page_answers_200(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_every_dashboard_page_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_signs_in_and_lands_on_customers(client, admin_agent):
    response = client.post(
        reverse("login"), {"username": admin_agent.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("customers:list")
    assert response.status_code == 200


def test_back_office_staff_land_in_django_admin(client):
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    response = client.post(
        reverse("login"), {"username": staff.username, "password": TEST_PASSWORD}
    )
    assert client.get(response.url).url == reverse("admin:index")


def test_a_wrong_password_is_refused_with_a_message(client, admin_agent):
    response = client.post(
        reverse("login"), {"username": admin_agent.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_switches_to_the_users_preferred_language(client, make_user):
    user = make_user(Role.ADMIN_AGENT, language="ko")
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    page = client.get(reverse("customers:list"))
    assert "고객".encode() in page.content


def test_sign_out_is_a_post_and_ends_the_session(client, admin_agent):
    client.force_login(admin_agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 302


def test_a_temporary_password_must_be_changed_before_anything_else(client, make_user):
    user = make_user(Role.ADMIN_AGENT, must_change_password=True)
    client.force_login(user)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response.url == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "A-new-Passphrase-77",
            "new_password2": "A-new-Passphrase-77",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.check_password("A-new-Passphrase-77")
    assert client.get(reverse("customers:list")).status_code == 200


def test_a_weak_new_password_is_refused_beside_the_field(client, make_user):
    user = make_user(Role.ADMIN_AGENT, must_change_password=True)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert b"This password is too short" in response.content
    user.refresh_from_db()
    assert user.must_change_password is True


def test_the_language_switch_remembers_the_choice_for_a_signed_in_user(client, admin_agent):
    client.force_login(admin_agent)
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/customers/"})
    assert response.status_code == 302
    admin_agent.refresh_from_db()
    assert admin_agent.language == "ko"
    assert "고객".encode() in client.get("/customers/").content
    client.post(reverse("set_language"), {"language": "en", "next": "/customers/"})
    assert b"Customers" in client.get("/customers/").content


def test_the_language_switch_works_on_the_sign_in_page(client):
    response = client.post(reverse("set_language"), {"language": "ko", "next": reverse("login")})
    assert response.status_code == 302
    assert "로그인".encode() in client.get(reverse("login")).content


def test_the_users_time_zone_is_active_during_their_requests(rf, make_user):
    user = make_user(Role.ADMIN_AGENT, time_zone="Asia/Seoul")
    request = rf.get("/")
    request.user = user
    seen = {}

    def view(_request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    UserTimeZoneMiddleware(view)(request)
    assert seen["zone"] == "Asia/Seoul"
    assert zoneinfo.ZoneInfo(seen["zone"])


def test_my_settings_saves_time_zone_and_language(client, admin_agent):
    client.force_login(admin_agent)
    response = client.post(
        reverse("profile"), {"time_zone": "Pacific/Kiritimati", "language": "ko"}
    )
    assert response.status_code == 302
    admin_agent.refresh_from_db()
    assert (admin_agent.time_zone, admin_agent.language) == ("Pacific/Kiritimati", "ko")


def test_an_unknown_time_zone_is_refused_beside_the_field(client, admin_agent):
    client.force_login(admin_agent)
    response = client.post(reverse("profile"), {"time_zone": "Mars/Olympus", "language": "en"})
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    admin_agent.refresh_from_db()
    assert admin_agent.time_zone == "UTC"


def test_back_office_staff_without_a_partner_get_404_on_dashboard_pages(client):
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(reverse("customers:list")).status_code == 404
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_signed_in_request_loads_the_user_and_partner_in_one_query_and_roles_in_one(
    client, admin_agent
):
    # PartnerModelBackend joins the partner: the partner's name in the header,
    # the nav and scoped reads need no query of their own; every role check and the
    # header share one read of the roles.
    client.force_login(admin_agent)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("customers:list")).status_code == 200
    users = [q["sql"] for q in ctx.captured_queries if 'FROM "partnercenter_user"' in q["sql"]]
    partners = [
        q["sql"] for q in ctx.captured_queries if 'FROM "partnercenter_partner"' in q["sql"]
    ]
    roles = [q["sql"] for q in ctx.captured_queries if '"auth_group"' in q["sql"]]
    assert len(users) == 1 and '"partnercenter_partner"' in users[0], users
    assert partners == []
    assert len(roles) == 1, roles


@pytest.mark.parametrize(
    "roles",
    [[], [Role.SALES_AGENT], [Role.GLOBAL_ADMIN, Role.BILLING_ADMIN], list(Role)],
)
def test_role_names_are_the_users_role_groups_in_spec_order(make_user, roles):
    user = make_user(*roles)
    user.groups.add(Group.objects.create(name="Not a role"))  # other groups don't count
    make_user(*Role)  # another user's groups don't count either
    loaded = User.objects.get(pk=user.pk)
    assert loaded.role_names == [r.value for r in Role if r in roles]
    assert set(loaded.role_names) == {g.name for g in user.groups.all()} - {"Not a role"}


def test_a_role_taken_away_applies_to_the_next_request(client, global_admin, make_user):
    client.force_login(global_admin)
    assert client.get(reverse("users:list")).status_code == 200
    other = make_user(Role.GLOBAL_ADMIN)
    partner_user_update_roles(user=global_admin, roles=[Role.SALES_AGENT], acting_user=other)
    assert client.get(reverse("users:list")).status_code == 403
    assert client.get(reverse("customers:list")).status_code == 200
