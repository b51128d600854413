"""Browser round trips between a partner and a customer, in two browser contexts (docs/admin-center.md)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from partnercenter.tenant.roles import Role
from tests.browser.pages import customer_signs_in, fill_account_info
from tests.factories import TEST_PASSWORD, CustomerFactory, ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _admin_center_on_the_live_server(settings, live_server):
    settings.ADMIN_CENTER_URL = f"{live_server.url}/admincenter/"


def test_option_2_the_customer_accepts_and_the_partner_can_order(
    sign_in, live_server, context, second_page
):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    agent = UserFactory(roles=[Role.ADMIN_AGENT], first_name="Adam", last_name="Park")
    page = sign_in(agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="New customer").click()
    fill_account_info(
        page,
        company="Hanbit Logistics",
        domain="hanbitlogistics",
        first_name="Jiho",
        last_name="Lim",
        email="jiho.lim@hanbit.example",
    )
    page.get_by_label(
        "Customer will be asked to accept the Microsoft Customer Agreement in the admin center"
    ).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit").click()

    page.get_by_role("button", name="Copy to clipboard").click()
    email = page.evaluate("navigator.clipboard.readText()")
    url = re.search(r"http\S+\?ref=/BillingAccounts/agreement", email).group(0)
    username = re.search(r"admin@hanbitlogistics\.onmicrosoft\.com", email).group(0)
    password = page.get_by_test_id("temporary-password").inner_text()
    assert password in email

    customer = second_page
    customer_signs_in(customer, url, username, password)
    expect(customer.get_by_role("heading", name="Change password")).to_be_visible()
    customer.get_by_label("Old password").fill(password)
    customer.get_by_label(re.compile(r"^\s*New password\W*$")).fill("Hanbit-Admin-2026!")
    customer.get_by_label("New password confirmation").fill("Hanbit-Admin-2026!")
    customer.get_by_role("button", name="Change password").click()
    expect(customer).to_have_url(re.compile(r"\?ref=/BillingAccounts/agreement$"))
    customer.get_by_label("I accept the Microsoft Customer Agreement").check()
    customer.get_by_role("button", name="Accept").click()
    expect(customer.get_by_text("You accepted the Microsoft Customer Agreement on")).to_be_visible()

    page.get_by_role("link", name="Account info").click()
    expect(page.get_by_test_id("direct-acceptance")).to_contain_text(
        "Accepted directly by the customer on"
    )
    page.get_by_role("link", name="New order").click()
    page.get_by_label("Offer").select_option(label="Microsoft 365 Business Basic")
    page.get_by_label("Seats").fill("12")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text("Microsoft 365 Business Basic was ordered.")).to_be_visible()
    expect(page.get_by_test_id("subscriptions")).to_contain_text("12")


def test_a_new_partner_invites_another_partners_customer(sign_in, live_server, second_page):
    newcomer = UserFactory(roles=[Role.SALES_AGENT], partner__name="Northwind Consulting")
    incumbent = ResellerRelationshipFactory(
        partner__name="Fabrikam Cloud",
        customer=CustomerFactory(company_name="Contoso Korea", domain_prefix="contosokr"),
    )
    customer_admin = UserFactory(
        partner=None, customer=incumbent.customer, username="admin@contosokr.onmicrosoft.com"
    )

    page = sign_in(newcomer.username, TEST_PASSWORD)
    page.get_by_role("link", name="Request a reseller relationship").click()
    url = page.get_by_test_id("invitation-url").inner_text()
    assert urlsplit(url).query.startswith("invType=ResellerRelationship&partnerId=")

    customer = second_page
    customer_signs_in(customer, url, customer_admin.username, TEST_PASSWORD)
    expect(customer.get_by_test_id("inviting-partner")).to_contain_text(
        "Northwind Consulting invites you"
    )
    customer.get_by_label("I accept the reseller relationship with Northwind Consulting").check()
    customer.get_by_label("I accept the Microsoft Customer Agreement").check()
    customer.get_by_role("button", name="Accept").click()
    partners = customer.get_by_test_id("partners")
    expect(partners).to_contain_text("Northwind Consulting")
    expect(partners).to_contain_text("Fabrikam Cloud")

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_test_id("customer-row").filter(has_text="Contoso Korea")).to_contain_text(
        "Accepted by customer"
    )
    expect(page.get_by_test_id("recent-acceptances")).to_contain_text("Contoso Korea")
