"""Sign-in security: lockout, the client address behind a proxy, session
lifetime, sign-out everywhere, no-store, sealed temporary passwords, the admin
center's password page, and Add user's one answer for a taken email."""

import json
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from partnercenter.signin.client import client_ip
from partnercenter.signin.middleware import LAST_SEEN, SIGNED_IN_AT
from partnercenter.tenant.roles import Role
from partnercenter.web.sealing import secret_open, secret_seal
from tests.factories import TEST_PASSWORD, CustomerFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, path, username, password):
    return client.post(path, {"username": username, "password": password})


SIGN_IN_PAGES = ["/accounts/login/", "/admincenter/signin/"]


@pytest.mark.parametrize("path", SIGN_IN_PAGES)
def test_an_account_is_locked_after_n_failures_and_released_after_the_cool_off(
    client, settings, path
):
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    if "admincenter" in path:
        user = UserFactory(partner=None, customer=CustomerFactory())
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, path, user.username, "wrong")
        assert response.status_code == 200  # the form's own "wrong password" message
    locked = attempt(client, path, user.username, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Sign-in blocked for now" in text and "15 minutes" in text
    # Now even the right password is refused, from any address.
    other_address = Client(REMOTE_ADDR="203.0.113.9")
    assert attempt(other_address, path, user.username, TEST_PASSWORD).status_code == 429
    assert SESSION_KEY not in other_address.session

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    response = attempt(other_address, path, user.username, TEST_PASSWORD)
    assert response.status_code == 302 and SESSION_KEY in other_address.session
    assert AccessLog.objects.filter(username=user.username).exists()  # success recorded
    assert AccessFailureLog.objects.filter(username=user.username).count() >= 5  # failures too


def test_one_address_is_locked_after_n_failures_across_accounts(client, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", f"nobody{n}@example.com", "wrong")
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    assert attempt(client, "/accounts/login/", user.username, TEST_PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(elsewhere, "/accounts/login/", user.username, TEST_PASSWORD).status_code == 302


def test_wrong_mfa_codes_count_towards_the_lockout(client, settings):
    from tests.partnercenter.test_mfa import enrolled

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is tested elsewhere
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    enrolled(user)
    responses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", user.username, TEST_PASSWORD)
        responses.append(client.post(reverse("mfa_verify"), {"code": "123456"}).status_code)
    assert responses[-1] == 429 and responses[0] == 200
    assert attempt(client, "/accounts/login/", user.username, TEST_PASSWORD).status_code == 429


def test_django_admins_sign_in_page_never_checks_a_password_itself(client):
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    for _ in range(3):
        response = attempt(client, reverse("admin:login"), staff.username, TEST_PASSWORD)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session
    # So its failures are counted, and locked out, by the one sign-in page.
    for _ in range(5):
        attempt(client, f"{reverse('login')}?next=/admin/", staff.username, "wrong")
    assert attempt(client, reverse("login"), staff.username, TEST_PASSWORD).status_code == 429


def test_lockouts_are_listed_and_cleared_in_django_admin(client, settings):
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", user.username, "wrong")
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    back_office = Client()
    back_office.force_login(staff)
    listing = back_office.get(reverse("admin:axes_accessattempt_changelist"))
    assert user.username in listing.content.decode()
    lock = AccessAttempt.objects.get(username=user.username)
    back_office.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [lock.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert attempt(Client(), "/accounts/login/", user.username, TEST_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.5", "", "203.0.113.5"),
        # An untrusted peer's X-Forwarded-For is the client's own claim: ignored.
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        # From the trusted proxy: the right-most address that isn't a trusted proxy.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_the_client_address_believes_x_forwarded_for_only_from_a_trusted_proxy(
    settings, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.2", "10.0.0.3"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_spoofed_x_forwarded_for_does_not_escape_the_address_lockout(client, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": f"x{n}@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


# --- Sessions -------------------------------------------------------------------------


def _age(client, *, idle=0, since_sign_in=0):
    session = client.session
    now = time.time()
    session[LAST_SEEN] = now - idle
    session[SIGNED_IN_AT] = now - since_sign_in
    session.save()


def test_an_idle_session_is_signed_out(client, settings):
    client.force_login(UserFactory(roles=[Role.ADMIN_AGENT]))
    _age(client, idle=settings.SESSION_IDLE_MINUTES * 60 - 30)
    assert client.get(reverse("customers:list")).status_code == 200
    _age(client, idle=settings.SESSION_IDLE_MINUTES * 60 + 1)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session
    page = client.get(response.url)
    assert "minutes without activity" in page.content.decode()


def test_a_session_ends_at_its_absolute_lifetime_even_when_busy(client, settings):
    client.force_login(UserFactory(roles=[Role.ADMIN_AGENT]))
    _age(client, since_sign_in=settings.SESSION_MAX_HOURS * 3600 + 1)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and SESSION_KEY not in client.session


def test_most_requests_do_not_write_the_session(client, django_assert_num_queries):
    client.force_login(UserFactory(roles=[Role.SALES_AGENT]))
    client.get(reverse("profile"))
    before = Session.objects.get().expire_date
    client.get(reverse("profile"))
    assert Session.objects.get().expire_date == before


def test_a_customer_account_timed_out_goes_back_to_the_admin_center_sign_in(client, settings):
    client.force_login(UserFactory(partner=None, customer=CustomerFactory()))
    _age(client, idle=settings.SESSION_IDLE_MINUTES * 60 + 1)
    response = client.get(reverse("admincenter:home"))
    assert response.url.startswith(reverse("admincenter:login"))


def test_sign_out_everywhere_ends_every_session_of_the_user_only(client):
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    colleague = UserFactory(partner=user.partner, roles=[Role.ADMIN_AGENT])
    laptop, phone, theirs = Client(), Client(), Client()
    for browser, who in ((laptop, user), (phone, user), (theirs, colleague)):
        browser.force_login(who)
    response = laptop.post(reverse("sign_out_everywhere"))
    assert response.url == reverse("login")
    assert laptop.get(reverse("customers:list")).status_code == 302
    assert phone.get(reverse("customers:list")).status_code == 302
    assert theirs.get(reverse("customers:list")).status_code == 200
    # Signing in again works.
    assert attempt(phone, reverse("login"), user.username, TEST_PASSWORD).status_code == 302
    assert phone.get(reverse("customers:list")).status_code == 200


def test_a_removed_user_is_signed_out_everywhere(client):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN])
    member = UserFactory(partner=admin.partner, roles=[Role.SALES_AGENT])
    members_browser = Client()
    members_browser.force_login(member)
    client.force_login(admin)
    client.post(reverse("users:remove", args=[member.pk]))
    assert members_browser.get(reverse("customers:list")).status_code == 302


def test_a_password_change_signs_out_the_other_sessions(client):
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    other = Client()
    other.force_login(user)
    client.force_login(user)
    client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Another-Long-Pass-2026",
            "new_password2": "Another-Long-Pass-2026",
        },
    )
    assert client.get(reverse("customers:list")).status_code == 200
    assert other.get(reverse("customers:list")).status_code == 302


# --- Responses --------------------------------------------------------------------------


def test_signed_in_pages_and_the_admin_center_are_never_cached(client):
    client.force_login(UserFactory(roles=[Role.ADMIN_AGENT]))
    for url in (reverse("customers:list"), reverse("profile"), reverse("security")):
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
    client.logout()
    assert "no-store" in client.get(reverse("admincenter:login"))["Cache-Control"]
    account = UserFactory(partner=None, customer=CustomerFactory())
    client.force_login(account)
    assert "no-store" in client.get(reverse("admincenter:home"))["Cache-Control"]


# --- Secrets --------------------------------------------------------------------------


def _every_session_text() -> str:
    return json.dumps([s.get_decoded() for s in Session.objects.all()])


def test_no_temporary_password_is_readable_in_any_session_row(client):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN])
    client.force_login(admin)
    response = client.post(
        reverse("users:add"),
        {
            "first_name": "Ana",
            "last_name": "Lee",
            "email": "ana@x.example",
            "roles": ["Sales agent"],
        },
    )
    # Between the redirect and the confirmation page the password waits sealed.
    stored = _every_session_text()
    page = client.get(response.url)
    password = page.context["password"]
    assert password and password not in stored
    assert "new_user_passwords" in stored  # it was there, sealed
    assert password not in _every_session_text()
    assert "can't be shown again" in client.get(response.url).content.decode()


def test_a_sealed_secret_expires_and_refuses_tampering(settings):
    token = secret_seal("Temp-Pass-1234")
    assert "Temp-Pass" not in token
    assert secret_open(token) == "Temp-Pass-1234"
    assert secret_open(token[:-2] + "xx") is None
    assert secret_open(token, max_age=-1) is None


# --- Admin center password page, Add user ---------------------------------------------


def test_the_admin_center_password_page_is_for_customer_accounts_only(client):
    url = reverse("admincenter:password_change")
    for user in (
        UserFactory(roles=[Role.GLOBAL_ADMIN]),
        UserFactory(partner=None, is_staff=True, is_superuser=True),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    client.force_login(UserFactory(partner=None, customer=CustomerFactory()))
    assert client.get(url).status_code == 200


def test_add_user_gives_one_answer_whoever_holds_the_email(client):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN])
    UserFactory(partner=admin.partner, email="mine@a.example", username="mine@a.example")
    UserFactory(
        partner=PartnerFactory(),
        email="someone@partnerb.example",
        username="someone@partnerb.example",
    )
    UserFactory(partner=None, customer=CustomerFactory(), username="admin@contoso.onmicrosoft.com")
    client.force_login(admin)
    answers = set()
    for email in ("mine@a.example", "SOMEONE@partnerB.example", "admin@contoso.onmicrosoft.com"):
        response = client.post(
            reverse("users:add"),
            {"first_name": "N", "last_name": "M", "email": email, "roles": ["Sales agent"]},
        )
        assert response.status_code == 200
        answers.add(tuple(response.context["form"].errors["email"]))
    assert answers == {("This email address can't be used. Choose another.",)}
    text = response.content.decode()
    assert "partnerB" not in text.replace("SOMEONE@partnerB.example", "")


def test_an_attempt_record_expires_so_old_failures_do_not_lock(client, settings):
    user = UserFactory(roles=[Role.ADMIN_AGENT])
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "/accounts/login/", user.username, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1))
    attempt(client, "/accounts/login/", user.username, "wrong")
    assert attempt(client, "/accounts/login/", user.username, TEST_PASSWORD).status_code == 302


def test_the_content_security_policy_is_enforced_on_every_kind_of_page(client):
    expected = {
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    }
    pages = [
        "/accounts/login/",
        "/admincenter/signin/",
        "/no-such-page/",
        "/static/css/partnercenter.css",
    ]
    for url in pages:
        response = client.get(url)
        policy = {part.strip() for part in response["Content-Security-Policy"].split(";")}
        assert expected <= policy, url
        assert "Content-Security-Policy-Report-Only" not in response.headers
    client.force_login(UserFactory(roles=[Role.BILLING_ADMIN]))
    for url in ("/customers/", "/settings/users/", "/admin/"):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404)
        assert "default-src 'self'" in response["Content-Security-Policy"], url


def test_no_template_has_inline_script_or_style():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", text), path
