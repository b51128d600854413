"""Multi-factor authentication: enrolment, the code after the password,
recovery codes, MFA_REQUIRED, Reset MFA, Security info."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnercenter.models import AuditEvent, OutboundEmail
from partnercenter.signin.services import (
    RECOVERY_CODE_COUNT,
    mfa_enrolment_confirm,
    mfa_enrolment_start,
)
from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, CustomerFactory, UserFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
MANAGERS = {Role.GLOBAL_ADMIN, Role.USER_ADMIN}


def code_for(device, *, offset: int = 0) -> str:
    """The 6-digit code an authenticator app shows for ``device`` now (+ ``offset`` steps)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - offset * device.step):06d}"


def enrolled(user) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator, as a finished enrolment does."""
    device = mfa_enrolment_start(user=user)
    mfa_enrolment_confirm(device=device, code=code_for(device), signed_in=False)
    device.refresh_from_db()
    device.last_t = -1  # the enrolment's code may be used again in the test's sign-in
    device.save()
    return device


def password_step(client, user, path="login"):
    return client.post(reverse(path), {"username": user.username, "password": TEST_PASSWORD})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def proved(client) -> None:
    """Give the signed-in user of ``client`` a fresh proof (**Confirm your password**)."""
    response = client.post(reverse("security_confirm"), {"password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()


def test_enrolment_shows_a_local_qr_code_and_the_key_then_recovery_codes_once(
    client, make_user, settings
):
    settings.MFA_REQUIRED = True
    user = make_user(Role.ADMIN_AGENT)
    response = password_step(client, user)
    assert response.status_code == 302 and response.url == reverse("mfa_enrol")
    assert not signed_in(client), "the password alone must not sign in"

    page = client.get(reverse("mfa_enrol"))
    html = page.content.decode()
    assert "<svg" in html and "otpauth" not in html.split("<svg")[0]  # drawn here, no service
    assert 'src="http' not in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', html)[1]
    assert secret.replace(" ", "") in device.config_url
    # A reload shows the same device, not a new key.
    client.get(reverse("mfa_enrol"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(reverse("mfa_enrol"), {"code": "000000"})
    assert "That code didn&#x27;t work" in wrong.content.decode() and not signed_in(client)

    done = client.post(reverse("mfa_enrol"), {"code": code_for(device)})
    codes = re.findall(
        r'<li class="col-6 col-md-4 font-monospace secret">(\w+)</li>', done.content.decode()
    )
    assert len(codes) == RECOVERY_CODE_COUNT
    assert signed_in(client) and DEVICE_ID_SESSION_KEY in client.session
    device.refresh_from_db()
    assert device.confirmed
    # Shown once: Security info never lists them again.
    security = client.get(reverse("security")).content.decode()
    assert not any(code in security for code in codes)
    assert "10 recovery codes left" in security


def test_sign_in_asks_for_the_code_after_the_password(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    device = enrolled(user)
    response = password_step(client, user)
    assert response.url == reverse("mfa_verify") and not signed_in(client)
    assert client.get(reverse("customers:list")).status_code == 302  # still signed out

    response = client.post(reverse("mfa_verify"), {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("home")
    assert signed_in(client)
    assert client.get(reverse("customers:list")).status_code == 200


def test_a_wrong_or_reused_code_is_refused_beside_the_field(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    device = enrolled(user)
    password_step(client, user)
    wrong = client.post(reverse("mfa_verify"), {"code": code_for(device, offset=5)})
    assert wrong.status_code == 200 and not signed_in(client)
    assert "That code didn&#x27;t work" in wrong.content.decode()
    assert 'id="error_1_id_code"' in wrong.content.decode()

    # django-otp's back-off: right after a wrong code even the right one must wait.
    waiting = client.post(reverse("mfa_verify"), {"code": code_for(device)})
    assert "Too many wrong codes. Wait 1 second," in waiting.content.decode()
    device.refresh_from_db()
    device.throttling_failure_timestamp -= timedelta(seconds=2)
    device.save()
    code = code_for(device)
    assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    client.logout()
    password_step(client, user)
    again = client.post(reverse("mfa_verify"), {"code": code})
    assert again.status_code == 200 and not signed_in(client), "a code works once"


def test_a_recovery_code_signs_in_once(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    enrolled(user)
    code = StaticToken.objects.filter(device__user=user).first().token
    password_step(client, user)
    response = client.post(reverse("mfa_verify"), {"code": code.upper()})
    assert response.status_code == 302 and signed_in(client)
    assert not StaticToken.objects.filter(token=code).exists()
    assert "9 are left" in str(list(client.get(reverse("security")).context["messages"]))

    client.logout()
    password_step(client, user)
    assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 200
    assert not signed_in(client)


def test_the_half_done_sign_in_expires(client, make_user, settings):
    user = make_user(Role.ADMIN_AGENT)
    device = enrolled(user)
    password_step(client, user)
    session = client.session
    session["mfa_pending"]["at"] = time.time() - settings.MFA_PENDING_SECONDS - 1
    session.save()
    response = client.post(reverse("mfa_verify"), {"code": code_for(device)})
    assert response.url == reverse("login") and not signed_in(client)


def test_verify_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get(reverse("mfa_verify")).url == reverse("login")
    assert client.get(reverse("mfa_enrol")).url == reverse("login")


def test_without_mfa_required_and_no_app_the_password_signs_in(client, make_user, settings):
    settings.MFA_REQUIRED = False
    user = make_user(Role.ADMIN_AGENT)
    assert password_step(client, user).url == reverse("home") and signed_in(client)


def test_mfa_required_is_on_by_default_in_production():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.com",
        "EMAIL_URL": "smtp://mail.example.com:25",
    }
    env.pop("MFA_REQUIRED", None)
    out = subprocess.run(
        [sys.executable, "-c", "import django,os;os.environ['DJANGO_SETTINGS_MODULE']="
         "'partnercenter.settings';django.setup();from django.conf import settings;"
         "print(settings.MFA_REQUIRED)"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == "True"


def test_mfa_required_signs_out_a_session_that_had_no_second_factor(client, make_user, settings):
    user = make_user(Role.ADMIN_AGENT)
    client.force_login(user)
    assert client.get(reverse("customers:list")).status_code == 200
    settings.MFA_REQUIRED = True
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not signed_in(client)


def test_staff_need_mfa_for_django_admin_too(client, settings):
    settings.MFA_REQUIRED = True
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    # Django admin's own sign-in page hands over to Partner Center's.
    response = client.post(
        reverse("admin:login"), {"username": staff.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not signed_in(client)
    response = client.post(
        f"{reverse('login')}?next=/admin/", {"username": staff.username, "password": TEST_PASSWORD}
    )
    assert response.url == reverse("mfa_enrol")
    client.get(reverse("mfa_enrol"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("mfa_enrol"), {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_customer_admin_accounts_sign_in_without_mfa(client, settings):
    settings.MFA_REQUIRED = True
    account = UserFactory(partner=None, customer=CustomerFactory())
    response = client.post(
        reverse("admincenter:login"), {"username": account.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and signed_in(client)
    assert client.get(reverse("admincenter:home")).status_code == 200


def test_a_partner_user_on_the_admin_center_sign_in_still_gives_a_code(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    enrolled(user)
    response = password_step(client, user, path="admincenter:login")
    assert response.url == reverse("mfa_verify") and not signed_in(client)


def test_user_management_shows_who_has_mfa(client, make_user):
    admin = make_user(Role.GLOBAL_ADMIN)
    with_app = make_user(Role.SALES_AGENT)
    enrolled(with_app)
    without = make_user(Role.SALES_AGENT)
    client.force_login(admin)
    html = client.get(reverse("users:list")).content.decode()
    assert re.search(rf'data-testid="mfa-{with_app.pk}">Set up<', html)
    assert re.search(rf'data-testid="mfa-{without.pk}"><span[^>]*>Not set up<', html)


def test_reset_mfa_removes_the_app_records_who_and_signs_the_user_out_everywhere(client, make_user):
    from django.test import Client

    admin = make_user(Role.USER_ADMIN)
    member = make_user(Role.SALES_AGENT)
    enrolled(member)
    members_browser = Client()
    members_browser.force_login(member)
    assert members_browser.get(reverse("customers:list")).status_code == 200

    client.force_login(admin)
    response = client.post(reverse("users:mfa_reset", args=[member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticToken.objects.filter(device__user=member).exists()
    assert member.mfa_reset_by == admin and member.mfa_reset_at is not None
    assert (
        "MFA was reset on" in client.get(reverse("users:detail", args=[member.pk])).content.decode()
    )
    assert members_browser.get(reverse("customers:list")).status_code == 302


def test_reset_mfa_follows_the_permission_matrix(client):
    def build(partner):
        member = UserFactory(partner=partner, roles=[Role.SALES_AGENT])
        enrolled(member)
        return reverse("users:mfa_reset", args=[member.pk])

    assert_permission_matrix(client, build_url=build, method="post", allowed=MANAGERS)


def test_security_info_renews_recovery_codes_and_sets_up_a_new_phone(client, make_user):
    user = make_user(Role.SALES_AGENT)
    old = enrolled(user)
    client.force_login(user)
    proved(client)
    page = client.post(reverse("recovery_codes_renew"))
    codes = re.findall(r'font-monospace secret">(\w+)<', page.content.decode())
    assert len(codes) == 10
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(codes)

    client.get(reverse("mfa_enrol"))
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("mfa_enrol"), {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]
    assert old.pk != new.pk


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("security", "get"),
        ("security_confirm", "get"),
        ("mfa_enrol", "get"),
        ("sign_out_everywhere", "post"),
    ],
)
def test_security_pages_serve_every_partner_user_and_staff_but_no_customer(client, name, method):
    """Each user looks after their own sign-in: every role, and staff (who need MFA too)."""
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    users = [UserFactory(roles=[role]) for role in Role]
    users.append(UserFactory(partner=None, is_staff=True))
    for user in users:
        client.force_login(user)
        assert getattr(client, method)(url).status_code in (200, 302), user
    client.force_login(UserFactory(partner=None, customer=CustomerFactory()))
    # A customer account has no partner pages (CustomerAccountMiddleware).
    assert getattr(client, method)(url).url == reverse("admincenter:home")


def test_new_recovery_codes_need_an_app_first(client):
    user = UserFactory(roles=[Role.SALES_AGENT])
    client.force_login(user)
    assert client.post(reverse("recovery_codes_renew")).status_code == 403
    assert client.get(reverse("recovery_codes_renew")).status_code == 405
    enrolled(user)
    proved(client)
    assert client.post(reverse("recovery_codes_renew")).status_code == 200


def test_an_operator_resets_a_users_mfa_in_django_admin(client):
    member = UserFactory(roles=[Role.SALES_AGENT])
    enrolled(member)
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:partnercenter_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [member.pk]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert member.mfa_reset_by == staff
    page = client.get(reverse("admin:partnercenter_user_change", args=[member.pk]))
    assert page.status_code == 200 and "MFA reset at" in page.content.decode()


def test_an_operator_resets_a_global_admins_mfa_in_django_admin(client):
    """Rule U2 binds partner users, not back-office staff: they recover a partner whose
    only Global admin lost the phone."""
    only_admin = UserFactory(roles=[Role.GLOBAL_ADMIN])
    enrolled(only_admin)
    staff = UserFactory(partner=None, is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.post(
        reverse("admin:partnercenter_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [only_admin.pk]},
    )
    only_admin.refresh_from_db()
    assert not TOTPDevice.objects.filter(user=only_admin).exists()
    assert only_admin.mfa_reset_by == staff


def test_the_code_pages_speak_the_users_language(client, settings, make_user):
    settings.MFA_REQUIRED = True
    user = make_user(Role.ADMIN_AGENT, language="ko")
    password_step(client, user)
    page = client.get(reverse("mfa_enrol")).content.decode()
    assert "인증 앱 설정" in page and "앱에 표시된 코드" in page


# --- The password alone never replaces a second factor (docs/security.md, S1–S3) ---------


@pytest.mark.parametrize("mfa_required", [True, False])
def test_a_waiting_sign_in_of_a_user_with_an_app_cannot_open_the_set_up_page(
    client, make_user, settings, mfa_required
):
    """The critical finding: with only the password, a second browser opened **Set up your
    authenticator app**, scanned its own key and replaced the victim's app."""
    settings.MFA_REQUIRED = mfa_required
    victim = make_user(Role.GLOBAL_ADMIN)
    device = enrolled(victim)
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    password_step(client, victim)  # the attacker knows the password, not the code

    page = client.get(reverse("mfa_enrol"))
    assert page.status_code == 302 and page.url == reverse("mfa_verify")
    assert not TOTPDevice.objects.filter(user=victim, confirmed=False).exists(), "no new key"

    # Even a POST with a code for a device the attacker made is refused, changing nothing.
    planted = TOTPDevice.objects.create(user=victim, name="planted", confirmed=False)
    session = client.session
    session["mfa_enrolling_device"] = planted.pk
    session.save()
    response = client.post(reverse("mfa_enrol"), {"code": code_for(planted)})
    assert response.status_code == 302 and response.url == reverse("mfa_verify")
    assert not signed_in(client)
    assert list(TOTPDevice.objects.filter(user=victim, confirmed=True)) == [device]
    planted.refresh_from_db()
    assert not planted.confirmed
    assert client.get(reverse("customers:list")).status_code == 302
    later = AuditEvent.objects.filter(pk__gt=last_event)
    assert not later.filter(event_type__startswith="user.mfa_").exists()


def test_recovery_codes_alone_also_count_as_a_second_factor(client, make_user, settings):
    settings.MFA_REQUIRED = True
    user = make_user(Role.ADMIN_AGENT)
    enrolled(user)
    TOTPDevice.objects.filter(user=user).delete()  # only the recovery codes are left
    response = password_step(client, user)
    assert response.url == reverse("mfa_verify")
    assert client.get(reverse("mfa_enrol")).url == reverse("mfa_verify")


def test_two_first_set_ups_racing_cannot_both_win(make_user):
    """The service re-checks under the user's row lock: the second confirmation is refused."""
    from django.core.exceptions import ValidationError

    user = make_user(Role.ADMIN_AGENT)
    first = mfa_enrolment_start(user=user)
    second = TOTPDevice.objects.create(user=user, name="other browser", confirmed=False)
    mfa_enrolment_confirm(device=first, code=code_for(first), signed_in=False)
    with pytest.raises(ValidationError, match="already has multi-factor authentication"):
        mfa_enrolment_confirm(device=second, code=code_for(second), signed_in=False)
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [first]


def test_the_first_set_up_at_sign_in_is_recorded(client, make_user, settings):
    settings.MFA_REQUIRED = True
    user = make_user(Role.ADMIN_AGENT)
    password_step(client, user)
    client.get(reverse("mfa_enrol"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("mfa_enrol"), {"code": code_for(device)})
    assert signed_in(client)
    event = AuditEvent.objects.get(event_type="user.mfa_enrolled")
    assert (event.actor, event.partner, event.object_id) == (user, user.partner, str(user.pk))


# --- Fresh proof before changing the second factor ---------------------------------------


def test_a_new_authenticator_while_signed_in_asks_for_the_password_first(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    old = enrolled(user)
    client.force_login(user)
    response = client.get(reverse("mfa_enrol"))
    confirm = reverse("security_confirm")
    assert response.status_code == 302 and response.url.startswith(confirm)
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    # Posting a code without the proof changes nothing either.
    response = client.post(reverse("mfa_enrol"), {"code": "123456"})
    assert response.url.startswith(confirm)
    assert list(TOTPDevice.objects.filter(user=user)) == [old]

    page = client.get(response.url)
    assert page.status_code == 200 and "Confirm your password" in page.content.decode()
    wrong = client.post(
        response.url, {"password": "not the password", "next": "/accounts/mfa/setup/"}
    )
    assert wrong.status_code == 200 and "That password isn&#x27;t right." in wrong.content.decode()
    right = client.post(response.url, {"password": TEST_PASSWORD, "next": reverse("mfa_enrol")})
    assert right.status_code == 302 and right.url == reverse("mfa_enrol")
    assert client.get(reverse("mfa_enrol")).status_code == 200


def test_new_recovery_codes_ask_for_the_password_first(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    enrolled(user)
    before = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    client.force_login(user)
    response = client.post(reverse("recovery_codes_renew"))
    assert response.status_code == 302 and response.url.startswith(reverse("security_confirm"))
    after = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert after == before
    assert not AuditEvent.objects.filter(event_type="user.recovery_codes_renewed").exists()

    proved(client)
    page = client.post(reverse("recovery_codes_renew"))
    assert page.status_code == 200
    event = AuditEvent.objects.get(event_type="user.recovery_codes_renewed")
    assert event.actor == user


def test_the_proof_lasts_only_a_few_minutes(client, make_user, settings):
    user = make_user(Role.ADMIN_AGENT)
    enrolled(user)
    client.force_login(user)
    proved(client)
    session = client.session
    session["security_proof_at"] -= settings.SECURITY_PROOF_MINUTES * 60 + 1
    session.save()
    assert client.post(reverse("recovery_codes_renew")).url.startswith(reverse("security_confirm"))


def test_the_proof_page_returns_only_to_this_site(client, make_user):
    client.force_login(make_user(Role.ADMIN_AGENT))
    response = client.post(
        reverse("security_confirm"), {"password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == reverse("security")


def test_wrong_passwords_on_the_proof_page_count_towards_the_lockout(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(Role.ADMIN_AGENT)
    client.force_login(user)
    for _attempt in range(2):
        page = client.post(reverse("security_confirm"), {"password": "guess"})
        assert page.status_code == 200
    locked = client.post(reverse("security_confirm"), {"password": "guess"})
    assert locked.status_code == 429
    # While locked out, even the right password gives no proof.
    assert client.post(reverse("security_confirm"), {"password": TEST_PASSWORD}).status_code == 429
    assert "security_proof_at" not in client.session


def test_replacing_the_app_signs_out_other_sessions_emails_the_user_and_is_recorded(
    client, make_user, django_capture_on_commit_callbacks
):
    from django.test import Client

    user = make_user(Role.ADMIN_AGENT, email="adam@fabrikam.example", language="ko")
    old = enrolled(user)
    elsewhere = Client()
    elsewhere.force_login(user)
    assert elsewhere.get(reverse("customers:list")).status_code == 200

    client.force_login(user)
    proved(client)
    client.get(reverse("mfa_enrol"))
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("mfa_enrol"), {"code": code_for(new)})
    assert done.status_code == 200 and "Recovery codes" in done.content.decode()

    assert list(TOTPDevice.objects.filter(user=user)) == [new] and old.pk != new.pk
    assert client.get(reverse("customers:list")).status_code == 200, "this session stays"
    assert elsewhere.get(reverse("customers:list")).status_code == 302, "the others end"
    event = AuditEvent.objects.get(event_type="user.mfa_replaced")
    assert event.actor == user and event.object_id == str(user.pk)
    assert (
        not AuditEvent.objects.filter(event_type="user.mfa_enrolled")
        .exclude(created_at__lt=event.created_at)
        .exists()
    )
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.SECURITY_NOTICE)
    assert email.to_email == "adam@fabrikam.example"
    assert "인증 앱" in email.subject, "in the user's language"


def test_a_password_change_is_recorded(client, make_user):
    user = make_user(Role.ADMIN_AGENT)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "A-new-Passw0rd-2026",
            "new_password2": "A-new-Passw0rd-2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("A-new-Passw0rd-2026") and not user.must_change_password
    event = AuditEvent.objects.get(event_type="user.password_changed")
    assert event.actor == user
    assert "A-new-Passw0rd-2026" not in str(event.before) + str(event.after)
