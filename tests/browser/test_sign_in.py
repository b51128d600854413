"""Browser: an Admin agent signs in, sees Customers, switches to 한국어 and back, signs out."""

import re

import pytest
from playwright.sync_api import expect

from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, ResellerRelationshipFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_an_admin_agent_signs_in_sees_customers_switches_language_and_signs_out(
    sign_in, live_server
):
    agent = UserFactory(
        roles=[Role.ADMIN_AGENT],
        first_name="Adam",
        last_name="Park",
        partner__name="Fabrikam Cloud Solutions",
    )
    ResellerRelationshipFactory(partner=agent.partner, customer__company_name="Contoso Korea")

    page = sign_in(agent.username, TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    expect(page.get_by_role("cell", name="Contoso Korea")).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("Adam Park")
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("Fabrikam Cloud Solutions")
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("Admin agent")

    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("heading", name="고객")).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_contain_text("관리 에이전트")
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/customers/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/customers/"))


@pytest.mark.django_db(transaction=True)
def test_a_global_admin_adds_a_user_who_must_change_the_temporary_password(
    sign_in, live_server, second_page
):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN])
    page = sign_in(admin.username, TEST_PASSWORD)
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="User management").click()
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("First name").fill("Jisoo")
    page.get_by_label("Last name").fill("Park")
    page.get_by_label("Email").fill("jisoo@fabrikam.example")
    page.get_by_label("Sales agent").check()
    page.get_by_role("button", name="Add").click()
    password = page.get_by_test_id("temporary-password").inner_text().strip()
    assert len(password) == 16
    page.reload()
    expect(page.get_by_test_id("temporary-password")).to_have_count(0)

    newcomer = second_page
    newcomer.goto(f"{live_server.url}/accounts/login/")
    newcomer.get_by_label("Username").fill("jisoo@fabrikam.example")
    newcomer.get_by_label("Password").fill(password)
    newcomer.get_by_role("button", name="Sign in").click()
    expect(newcomer).to_have_url(re.compile(r"/accounts/password_change/$"))
    newcomer.get_by_label("Old password").fill(password)
    newcomer.get_by_label(re.compile(r"^\s*New password\W*$")).fill("A-fresh-Passphrase-26")
    newcomer.get_by_label("New password confirmation").fill("A-fresh-Passphrase-26")
    newcomer.get_by_role("button", name="Change password").click()
    expect(newcomer.get_by_role("heading", name="Customers")).to_be_visible()
