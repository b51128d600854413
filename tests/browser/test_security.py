"""Browser: MFA set-up and sign-in, and every main page under the enforced
Content-Security-Policy with 0 violations in Chromium's console."""

import io
import re

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agreements.models import AgreementAcceptance
from customers.models import Customer
from partnercenter.management.demo import DEMO_PASSWORD
from partnercenter.models import User
from relationships.models import IndirectPartnership


def _code(username: str) -> str:
    device = TOTPDevice.objects.filter(user__username=username).latest("pk")
    return f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"


def _csp_watch(page) -> list[str]:
    """Chromium reports every blocked script, style or resource in the console."""
    seen: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"{page.url}: page error {error}"))
    return seen


def _visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("load")
    assert response.status == 200, (url, response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
    assert "report-only" not in " ".join(response.headers), url
    return response


def _enrol_in_the_browser(page, live_server, username, *, next_path=""):
    page.goto(f"{live_server.url}/accounts/login/{next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    qr = page.get_by_test_id("mfa-qr").locator("svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 100  # a real, scannable picture
    page.get_by_label("Code from the app").fill(_code(username))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()


@pytest.mark.django_db(transaction=True)
def test_every_main_page_works_under_the_enforced_csp_with_mfa_required(
    page, live_server, settings
):
    settings.MFA_REQUIRED = True
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language="en")  # some demo users prefer Korean; this test reads English
    violations = _csp_watch(page)
    base = live_server.url

    # Fabrikam's Global admin sets up MFA at the first sign-in, as Partner Center requires.
    _enrol_in_the_browser(page, live_server, "globaladmin@fabrikam.example")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    fabrikam = User.objects.get(username="globaladmin@fabrikam.example").partner
    customer = (
        Customer.objects.filter(reseller_relationships__partner=fabrikam).order_by("pk").first()
    )
    member = User.objects.filter(partner=fabrikam).order_by("pk").last()
    for path in (
        "/customers/",
        "/customers/?status=not_confirmed",
        "/customers/?q=contoso",
        f"/customers/{customer.pk}/",
        f"/customers/{customer.pk}/agreement/update/",
        f"/customers/{customer.pk}/agreement/history/",
        f"/customers/{customer.pk}/subscriptions/",
        f"/customers/{customer.pk}/orders/new/",
        "/customers/new/",
        "/customers/request-relationship/",
        "/settings/users/",
        "/settings/users/add/",
        f"/settings/users/{member.pk}/",
        "/settings/profile/",
        "/settings/security/",
        "/settings/webhooks/",
        "/accounts/password_change/",
    ):
        _visit(page, base + path)

    # The pages' scripts still run: the navigation dropdown (Bootstrap) and the
    # invitation page's Copy to clipboard / DAP box (static/js/invitation.js).
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("link", name="Security info")).to_be_visible()
    _visit(page, base + "/customers/request-relationship/")
    shown = page.get_by_test_id("invitation-url")
    link_before = shown.inner_text()
    page.get_by_label("Include delegated admin privileges").click()
    expect(shown).not_to_have_text(link_before)
    page.get_by_role("button", name="Sign out", exact=True).click()

    # Northwind (indirect provider): Indirect resellers and a partnership's customers.
    _enrol_in_the_browser(page, live_server, "globaladmin@northwind.example")
    northwind = User.objects.get(username="globaladmin@northwind.example").partner
    partnership = IndirectPartnership.objects.filter(provider=northwind).first()
    _visit(page, base + "/indirect-resellers/")
    _visit(page, base + "/indirect-resellers/invite/")
    _visit(page, base + f"/indirect-partnerships/{partnership.pk}/customers/")
    page.get_by_role("button", name="Sign out", exact=True).click()

    # A customer's admin account in the admin center.
    page.goto(base + "/admincenter/signin/")
    page.get_by_label("Username").fill("admin@contosokr.onmicrosoft.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admincenter/"))
    _visit(page, base + "/admincenter/")
    _visit(page, base + "/admincenter/partners/")
    page.get_by_role("button", name=re.compile("Sign out")).click()

    # Back-office staff: MFA, then Django admin's pages.
    _enrol_in_the_browser(
        page, live_server, "backoffice@partnercenter.example", next_path="?next=/admin/"
    )
    expect(page).to_have_url(re.compile(r"/admin/$"))
    acceptance = AgreementAcceptance.objects.order_by("pk").first()
    for path in (
        "/admin/",
        "/admin/customers/customer/",
        f"/admin/customers/customer/{customer.pk}/change/",
        "/admin/agreements/agreementacceptance/",
        f"/admin/agreements/agreementacceptance/{acceptance.pk}/change/",
        "/admin/axes/accessattempt/",
        "/admin/partnercenter/user/",
        "/admin/partnercenter/outboundemail/",
        "/admin/partnercenter/webhookdelivery/",
    ):
        _visit(page, base + path)

    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_user_sets_up_mfa_in_security_info_then_signs_in_with_a_code(page, live_server):
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language="en")
    username = "adminagent@fabrikam.example"
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()  # MFA not required
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Security info").click()
    expect(page.get_by_test_id("mfa-state")).to_have_text("Authenticator app: not set up.")
    page.get_by_role("link", name="Set up authenticator app").click()
    # Changing the second factor asks for the password again first (docs/security.md, S2).
    expect(page.get_by_role("heading", name="Confirm your password")).to_be_visible()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Code from the app").fill(_code(username))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_test_id("mfa-state")).to_contain_text("set up. 10 recovery codes left.")
    page.get_by_role("button", name="Sign out", exact=True).click()
    TOTPDevice.objects.filter(user__username=username).update(last_t=-1)

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter code")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    # Beside the field and in the error summary at the top.
    expect(page.get_by_text("That code didn't work")).to_have_count(2)
    expect(page.get_by_test_id("error-summary")).to_contain_text("That code didn't work")
    page.get_by_label("Code").fill(_code(username))
    page.get_by_role("button", name="Verify").click()
    # django-otp's back-off after a wrong code: a clear wait, then the code works.
    expect(
        page.get_by_text(re.compile(r"Too many wrong codes. Wait \d+ seconds?")).first
    ).to_be_visible()
    page.wait_for_timeout(2000)
    page.get_by_label("Code").fill(_code(username))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_password_alone_cannot_replace_an_authenticator(
    page, second_page, live_server, settings
):
    """The review's critical finding, as an attacker would try it: a second browser with
    only the password opens the set-up page. It lands on Enter code, and stays out."""
    from partnercenter.tenant.roles import Role
    from tests.factories import TEST_PASSWORD, UserFactory

    settings.MFA_REQUIRED = True
    victim = UserFactory(roles=[Role.GLOBAL_ADMIN], language="en", username="ga@fabrikam.example")

    # The victim sets up an authenticator at the first sign-in.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(victim.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from the app").fill(_code(victim.username))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    device = TOTPDevice.objects.get(user=victim, confirmed=True)

    # The attacker has the password, in another browser.
    attacker = second_page
    attacker.goto(f"{live_server.url}/accounts/login/")
    attacker.get_by_label("Username").fill(victim.username)
    attacker.get_by_label("Password").fill(TEST_PASSWORD)
    attacker.get_by_role("button", name="Sign in").click()
    expect(attacker.get_by_role("heading", name="Enter code")).to_be_visible()
    attacker.goto(f"{live_server.url}/accounts/mfa/setup/")
    expect(attacker.get_by_role("heading", name="Enter code")).to_be_visible()
    expect(attacker.get_by_test_id("mfa-qr")).to_have_count(0)
    attacker.goto(f"{live_server.url}/customers/")
    expect(attacker.get_by_role("button", name="Sign in")).to_be_visible()

    # Nothing changed for the victim: the same app, still signed in.
    assert list(TOTPDevice.objects.filter(user=victim)) == [device]
    page.reload()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
