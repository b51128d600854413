"""Browser: the New customer wizard with both agreement options, Account info and Update."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from partnercenter.tenant.roles import Role
from tests.browser.pages import fill_account_info
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def start_wizard(sign_in, live_server):
    agent = UserFactory(
        roles=[Role.ADMIN_AGENT], first_name="Adam", last_name="Park", time_zone="Asia/Seoul"
    )
    page = sign_in(agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", name="Account info")).to_be_visible()
    return page


def test_option_1_then_update_with_another_person_leaves_two_records(sign_in, live_server):
    page = start_wizard(sign_in, live_server)
    fill_account_info(page, company="Contoso Korea", domain="contosokr")

    expect(page.get_by_role("heading", name="Microsoft agreement")).to_be_visible()
    page.get_by_label("The customer has accepted the Microsoft Customer Agreement").check()
    page.get_by_label("Agreement acceptance date").fill("2026-11-01")
    expect(page.get_by_test_id("acceptor-summary")).to_contain_text("Minji Kang")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Review")).to_be_visible()
    expect(page.get_by_text("contosokr.onmicrosoft.com")).to_be_visible()
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_test_id("admin-user-name")).to_have_text("admin@contosokr.onmicrosoft.com")
    password = page.get_by_test_id("temporary-password").inner_text()
    assert len(password) == 16
    page.reload()
    expect(page.get_by_test_id("temporary-password")).to_have_count(0)
    expect(page.get_by_text("shown only once")).to_be_visible()

    page.get_by_role("link", name="Done").click()
    row = page.get_by_test_id("customer-row").filter(has_text="Contoso Korea")
    expect(row).to_contain_text("Confirmed")
    row.get_by_role("link", name="Contoso Korea").click()

    expect(page.get_by_role("heading", name="Account info")).to_be_visible()
    expect(page.get_by_test_id("current-confirmation")).to_contain_text("Minji Kang")
    page.get_by_test_id("mca-section").get_by_role("link", name="Update").click()
    expect(page.get_by_label("First name")).to_have_value("Minji")  # A4: the primary contact
    page.get_by_label("First name").fill("Jiho")
    page.get_by_label("Last name").fill("Lim")
    page.get_by_label("Email address").fill("jiho.lim@contoso.example")
    page.get_by_label("Phone number (optional)").fill("")
    page.get_by_label("Agreement acceptance date").fill("2026-11-15")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("The confirmation of customer acceptance was saved.")).to_be_visible()
    expect(page.get_by_test_id("current-confirmation")).to_contain_text("Jiho Lim")
    history = page.get_by_test_id("agreement-history").locator("tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("Jiho Lim")
    expect(history.nth(1)).to_contain_text("Minji Kang")


def test_option_2_copies_the_invitation_and_opens_it_in_email(sign_in, live_server, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = start_wizard(sign_in, live_server)
    fill_account_info(page, company='Hanbit & "Sons" <Korea>', domain="hanbitsons")
    page.get_by_label(
        "Customer will be asked to accept the Microsoft Customer Agreement in the admin center"
    ).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit").click()

    password = page.get_by_test_id("temporary-password").inner_text()
    # The draft in the customer's language; the other language's waits folded below it.
    draft = page.locator("[data-invitation]").first
    agreement_url = f"{settings.ADMIN_CENTER_URL}?ref=/BillingAccounts/agreement"
    expect(draft.get_by_test_id("invitation-url")).to_have_text(agreement_url)
    body = draft.get_by_label("Email text")
    expect(body).to_have_value(re.compile(re.escape(agreement_url)))
    expect(body).to_have_value(re.compile("admin@hanbitsons.onmicrosoft.com"))
    expect(body).to_have_value(re.compile(re.escape(password)))
    expect(body).to_have_value(re.compile(re.escape('Hanbit & "Sons" <Korea>')))

    draft.get_by_role("button", name="Copy to clipboard").click()
    expect(draft.get_by_text("Copied.")).to_be_visible()
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == body.input_value()

    href = draft.get_by_role("link", name="Open in email").get_attribute("href")
    mailto = urlsplit(href)
    assert mailto.scheme == "mailto" and unquote(mailto.path) == "minji.kang@contoso.example"
    query = parse_qs(mailto.query)
    assert query["subject"] == [draft.get_by_label("Subject").input_value()]
    assert query["body"] == [body.input_value().replace("\n", "\r\n")]

    # Edits to the text flow into both the clipboard and the mailto: link.
    body.fill(body.input_value() + "\nP.S. 감사합니다 & #1")
    draft.get_by_role("button", name="Copy to clipboard").click()
    assert page.evaluate("navigator.clipboard.readText()").endswith("P.S. 감사합니다 & #1")
    href = draft.get_by_role("link", name="Open in email").get_attribute("href")
    assert parse_qs(urlsplit(href).query)["body"][0].endswith("P.S. 감사합니다 & #1")
