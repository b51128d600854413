"""Settings → User management (seed 004: "Add a new user", "Assign user permissions")."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from partnercenter.models import AuditEvent
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import partner_user_update_roles
from tests.factories import UserFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
User = get_user_model()
MANAGERS = {Role.GLOBAL_ADMIN, Role.USER_ADMIN}


def _member_url(name):
    return lambda partner: reverse(
        name, args=[UserFactory(partner=partner, roles=[Role.SALES_AGENT]).pk]
    )


def test_user_list_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=lambda p: reverse("users:list"), allowed=MANAGERS, scoped=False
    )


def test_add_user_page_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=lambda p: reverse("users:add"), allowed=MANAGERS, scoped=False
    )


def test_add_user_post_follows_the_permission_matrix(client):
    counter = iter(range(1000))
    assert_permission_matrix(
        client,
        build_url=lambda p: reverse("users:add"),
        method="post",
        data=lambda p: {
            "first_name": "N",
            "last_name": "M",
            "email": f"n{next(counter)}@x.example",
            "roles": ["Sales agent"],
        },
        allowed=MANAGERS,
        scoped=False,
    )


def test_user_detail_follows_the_permission_matrix(client):
    assert_permission_matrix(client, build_url=_member_url("users:detail"), allowed=MANAGERS)


def test_user_roles_update_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client,
        build_url=_member_url("users:detail"),
        method="post",
        data={"roles": ["Helpdesk agent"]},
        allowed=MANAGERS,
    )


def test_user_created_page_follows_the_permission_matrix(client):
    assert_permission_matrix(client, build_url=_member_url("users:created"), allowed=MANAGERS)


def test_user_remove_follows_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=_member_url("users:remove"), method="post", allowed=MANAGERS
    )


def test_the_list_shows_only_the_partners_active_users(client, global_admin, other_partner):
    colleague = UserFactory(
        partner=global_admin.partner, roles=[Role.SALES_AGENT], first_name="Colleague"
    )
    removed = UserFactory(partner=global_admin.partner, roles=[Role.SALES_AGENT], is_active=False)
    stranger = UserFactory(partner=other_partner, roles=[Role.SALES_AGENT])
    client.force_login(global_admin)
    listed = set(client.get(reverse("users:list")).context["users"])
    assert colleague in listed and global_admin in listed
    assert removed not in listed and stranger not in listed


def test_adding_a_user_saves_roles_and_shows_the_temporary_password_once(client, global_admin):
    client.force_login(global_admin)
    response = client.post(
        reverse("users:add"),
        {
            "first_name": "Jisoo",
            "last_name": "Park",
            "email": "Jisoo.Park@Fabrikam.example",
            "roles": ["Admin agent", "Sales agent"],
        },
    )
    assert response.status_code == 302
    new = User.objects.get(email__iexact="jisoo.park@fabrikam.example")
    assert new.partner == global_admin.partner
    assert new.username == "jisoo.park@fabrikam.example"
    assert new.role_names == ["Admin agent", "Sales agent"]
    assert new.must_change_password is True

    page = client.get(response.url)
    password = page.context["password"]
    assert password and password.encode() in page.content
    assert new.check_password(password)
    assert password not in new.password  # stored only as a hash

    again = client.get(response.url)
    assert again.context["password"] is None
    assert password.encode() not in again.content
    assert b"shown only once" in again.content


def test_the_new_user_can_sign_in_with_the_temporary_password_and_must_change_it(
    client, global_admin
):
    client.force_login(global_admin)
    response = client.post(
        reverse("users:add"),
        {
            "first_name": "Min",
            "last_name": "Cho",
            "email": "min@fabrikam.example",
            "roles": ["Sales agent"],
        },
    )
    password = client.get(response.url).context["password"]
    client.logout()
    response = client.post(
        reverse("login"), {"username": "min@fabrikam.example", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("password_change")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "first_name": "",
                "last_name": "Kim",
                "email": "a@x.example",
                "roles": ["Sales agent"],
            },
            "first_name",
            "This field is required.",
        ),
        (
            {
                "first_name": "   ",
                "last_name": "Kim",
                "email": "a@x.example",
                "roles": ["Sales agent"],
            },
            "first_name",
            "This field is required.",
        ),
        (
            {
                "first_name": "A",
                "last_name": "Kim",
                "email": "not-an-email",
                "roles": ["Sales agent"],
            },
            "email",
            "Enter a valid email address.",
        ),
        (
            {"first_name": "A", "last_name": "Kim", "email": "a@x.example", "roles": []},
            "roles",
            "Choose at least one role.",
        ),
        (
            {"first_name": "A", "last_name": "Kim", "email": "a@x.example", "roles": ["Root"]},
            "roles",
            "Select a valid choice.",
        ),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_saves_nothing(
    client, global_admin, data, field, message
):
    client.force_login(global_admin)
    before = User.objects.count()
    response = client.post(reverse("users:add"), data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert User.objects.count() == before


def test_a_duplicate_email_in_any_case_is_refused_beside_the_field(
    client, global_admin, other_partner
):
    UserFactory(partner=other_partner, email="taken@fabrikam.example")
    client.force_login(global_admin)
    before = User.objects.count()
    response = client.post(
        reverse("users:add"),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "TAKEN@fabrikam.example",
            "roles": ["Sales agent"],
        },
    )
    assert response.context["form"].errors["email"] == [
        "This email address can't be used. Choose another."
    ]
    assert User.objects.count() == before


def test_the_database_refuses_a_duplicate_email_too():
    from django.db import IntegrityError, transaction

    UserFactory(email="dup@x.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="DUP@x.example", username="other")


def test_update_changes_the_users_roles(client, global_admin):
    member = UserFactory(partner=global_admin.partner, roles=[Role.SALES_AGENT])
    client.force_login(global_admin)
    response = client.post(
        reverse("users:detail", args=[member.pk]), {"roles": ["Admin agent", "Billing admin"]}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert User.objects.get(pk=member.pk).role_names == ["Admin agent", "Billing admin"]


def test_the_last_global_admin_cannot_lose_the_role(global_admin):
    """Rule U4. Only a Global admin may take the role away (U1) and nobody changes their own
    roles (U3), so only the system (a management command, Django admin) could try."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=r"A partner must keep at least one Global admin\."):
        partner_user_update_roles(user=global_admin, roles=["Sales agent"])
    assert User.objects.get(pk=global_admin.pk).role_names == ["Global admin"]


def test_removing_a_user_deactivates_the_account_so_it_cannot_sign_in(client, global_admin):
    member = UserFactory(partner=global_admin.partner, roles=[Role.SALES_AGENT])
    client.force_login(global_admin)
    assert client.get(reverse("users:remove", args=[member.pk])).status_code == 200
    response = client.post(reverse("users:remove", args=[member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active is False
    client.logout()
    assert not client.login(
        request=RequestFactory().post("/"), username=member.username, password="Test-Password-2026"
    )


def test_a_user_cannot_remove_their_own_account(client, global_admin):
    client.force_login(global_admin)
    response = client.post(reverse("users:remove", args=[global_admin.pk]))
    assert response.status_code == 200
    assert b"You can&#x27;t remove your own account." in response.content
    global_admin.refresh_from_db()
    assert global_admin.is_active


def test_another_partners_user_is_404_for_every_action(client, global_admin, other_partner):
    stranger = UserFactory(partner=other_partner, roles=[Role.SALES_AGENT])
    client.force_login(global_admin)
    for name in ("users:detail", "users:created", "users:remove"):
        assert client.get(reverse(name, args=[stranger.pk])).status_code == 404
    assert (
        client.post(
            reverse("users:detail", args=[stranger.pk]), {"roles": ["Global admin"]}
        ).status_code
        == 404
    )
    assert client.post(reverse("users:remove", args=[stranger.pk])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active and stranger.role_names == ["Sales agent"]


@pytest.mark.parametrize(
    "path", ["/settings/users/abc/", "/settings/users/99999999/", "/settings/users/-1/remove/"]
)
def test_malformed_or_unknown_user_ids_are_404(client, global_admin, path):
    client.force_login(global_admin)
    assert client.get(path).status_code == 404


# --- Who may manage whom (docs/roles.md, rules U1–U3) ------------------------------------


@pytest.fixture
def user_admin(make_user):
    return make_user(Role.USER_ADMIN, first_name="Una")


def test_u1_a_user_admin_cannot_make_itself_global_admin(client, user_admin, global_admin):
    client.force_login(user_admin)
    response = client.post(
        reverse("users:detail", args=[user_admin.pk]), {"roles": ["User admin", "Global admin"]}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=user_admin.pk).role_names == ["User admin"]
    assert client.get(reverse("webhooks:list")).status_code == 403


def test_u1_a_user_admin_cannot_make_another_user_global_admin(client, user_admin):
    agent = UserFactory(partner=user_admin.partner, roles=[Role.SALES_AGENT])
    client.force_login(user_admin)
    response = client.post(reverse("users:detail", args=[agent.pk]), {"roles": ["Global admin"]})
    assert response.status_code == 403
    assert User.objects.get(pk=agent.pk).role_names == ["Sales agent"]
    assert not AuditEvent.objects.filter(event_type="user.roles_changed").exists()
    # The other roles stay theirs to manage.
    response = client.post(reverse("users:detail", args=[agent.pk]), {"roles": ["Admin agent"]})
    assert response.status_code == 302
    assert User.objects.get(pk=agent.pk).role_names == ["Admin agent"]


def test_u1_a_user_admin_cannot_add_a_global_admin(client, user_admin):
    client.force_login(user_admin)
    page = client.get(reverse("users:add")).content.decode()
    assert re.search(r'<input[^>]*value="Global admin"[^>]*disabled', page), "shown locked"
    response = client.post(
        reverse("users:add"),
        {
            "first_name": "Mallory",
            "last_name": "Kim",
            "email": "mallory@fabrikam.example",
            "roles": ["Global admin"],
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="mallory@fabrikam.example").exists()


def test_u1_a_global_admin_grants_and_removes_global_admin(client, global_admin):
    colleague = UserFactory(partner=global_admin.partner, roles=[Role.SALES_AGENT])
    client.force_login(global_admin)
    page = client.get(reverse("users:detail", args=[colleague.pk])).content.decode()
    assert not re.search(r'<input[^>]*value="Global admin"[^>]*disabled', page)
    client.post(reverse("users:detail", args=[colleague.pk]), {"roles": ["Global admin"]})
    assert User.objects.get(pk=colleague.pk).role_names == ["Global admin"]
    client.post(reverse("users:detail", args=[colleague.pk]), {"roles": ["Sales agent"]})
    assert User.objects.get(pk=colleague.pk).role_names == ["Sales agent"]


def test_u2_a_user_admin_cannot_touch_a_global_admins_account(client, user_admin, global_admin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.partnercenter.test_mfa import enrolled

    enrolled(global_admin)
    client.force_login(user_admin)
    page = client.get(reverse("users:detail", args=[global_admin.pk])).content.decode()
    assert "Only a Global admin can change a Global admin" in page
    assert "Reset MFA" not in page and "Remove user" not in page

    roles = client.post(reverse("users:detail", args=[global_admin.pk]), {"roles": ["Sales agent"]})
    reset = client.post(reverse("users:mfa_reset", args=[global_admin.pk]))
    remove = client.post(reverse("users:remove", args=[global_admin.pk]))
    assert (roles.status_code, reset.status_code, remove.status_code) == (403, 403, 403)
    global_admin.refresh_from_db()
    assert global_admin.is_active and global_admin.mfa_reset_at is None
    assert User.objects.get(pk=global_admin.pk).role_names == ["Global admin"]
    assert TOTPDevice.objects.filter(user=global_admin, confirmed=True).exists()
    assert not AuditEvent.objects.filter(
        event_type__in=["user.roles_changed", "user.mfa_reset", "user.removed"]
    ).exists()


def test_u2_a_global_admin_resets_another_global_admins_mfa(client, global_admin):
    from tests.partnercenter.test_mfa import enrolled

    other = UserFactory(partner=global_admin.partner, roles=[Role.GLOBAL_ADMIN])
    enrolled(other)
    client.force_login(global_admin)
    assert client.post(reverse("users:mfa_reset", args=[other.pk])).status_code == 302
    other.refresh_from_db()
    assert other.mfa_reset_by == global_admin


def test_u3_nobody_changes_their_own_roles(client, global_admin):
    second = UserFactory(partner=global_admin.partner, roles=[Role.GLOBAL_ADMIN])
    client.force_login(second)
    page = client.get(reverse("users:detail", args=[second.pk])).content.decode()
    assert "You can&#x27;t change your own roles." in page
    response = client.post(reverse("users:detail", args=[second.pk]), {"roles": ["Sales agent"]})
    assert response.status_code == 200
    assert "You can&#x27;t change your own roles." in response.content.decode()
    assert User.objects.get(pk=second.pk).role_names == ["Global admin"]
