"""Steps the browser tests share, written as a person would take them."""

from playwright.sync_api import expect


def fill_account_info(
    page,
    *,
    company,
    domain,
    first_name="Minji",
    last_name="Kang",
    email="minji.kang@contoso.example",
):
    """New customer, step 1 (**Account info**) for a company in Seoul; then **Next**."""
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Domain name").fill(domain)
    page.get_by_label("Country/region").select_option("KR")
    page.get_by_label("Address line 1").fill("152 Teheran-ro")
    page.get_by_label("City").fill("Seoul")
    page.get_by_label("State/province/region").fill("Gangnam-gu")
    page.get_by_label("Postal code").fill("06236")
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number").fill("02-3456-7890")
    page.get_by_role("button", name="Next").click()


def customer_signs_in(page, url, username, password):
    """A customer follows ``url`` to the admin center and signs in there."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
