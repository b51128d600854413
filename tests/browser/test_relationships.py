"""Browser: Request a reseller relationship (clipboard, mailto) and the indirect partnership flow."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from partnercenter.models import Partner
from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sales_agent_edits_copies_and_opens_the_invitation(sign_in, live_server, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    agent = UserFactory(roles=[Role.SALES_AGENT], partner__name='Fabrikam & "Sons" #1')
    page = sign_in(agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="Request a reseller relationship").click()
    expect(page.get_by_role("heading", name="Request a reseller relationship")).to_be_visible()
    # The heading shows once the HTML is parsed; invitation.js, at the end of the page,
    # attaches its listeners only when loaded. Tick the box after that, as a person would.
    page.wait_for_load_state("load")

    page.get_by_label("Include delegated admin privileges").check()
    url = page.get_by_test_id("invitation-url").inner_text()
    query = parse_qs(urlsplit(url).query)
    assert query["DAP"] == ["true"] and query["partnerId"] == [str(agent.partner.tenant_id)]
    assert urlsplit(url).fragment == "/BillingAccounts/partner-invitation"

    text = page.get_by_label("Email text")
    expect(text).to_have_value(re.compile(re.escape(url)))
    text.fill(text.input_value().replace("Hello,", "안녕하세요 Minji & team,"))
    page.get_by_label("Subject").fill("Partnership <proposal> & next steps")

    page.get_by_role("button", name="Copy to clipboard").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard.startswith("안녕하세요 Minji & team,")
    assert url in clipboard and 'Fabrikam & "Sons" #1' in clipboard

    href = page.get_by_role("link", name="Open in email").get_attribute("href")
    mailto = parse_qs(urlsplit(href).query)
    assert mailto["subject"] == ["Partnership <proposal> & next steps"]
    assert mailto["body"] == [clipboard.replace("\n", "\r\n")]

    # Removing the link from the text doesn't remove it from the email.
    text.fill("Short note")
    page.get_by_role("button", name="Copy to clipboard").click()
    assert page.evaluate("navigator.clipboard.readText()") == f"Short note\n\n{url}\n"
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()


def _provider_invites_tailspin(sign_in):
    """Northwind's Admin agent invites Tailspin IT from Indirect resellers; returns
    ``(provider's page, provider, reseller, the reseller's Global admin)``."""
    provider = PartnerFactory(
        partner_type=Partner.PartnerType.INDIRECT_PROVIDER, name="Northwind Distribution"
    )
    reseller = PartnerFactory(
        partner_type=Partner.PartnerType.INDIRECT_RESELLER, name="Tailspin IT", mpn_id="2345678"
    )
    provider_agent = UserFactory(roles=[Role.ADMIN_AGENT], partner=provider)
    reseller_admin = UserFactory(roles=[Role.GLOBAL_ADMIN], partner=reseller)

    page = sign_in(provider_agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="Indirect resellers").click()
    page.get_by_role("link", name="Invite indirect reseller").click()
    page.get_by_label("Partner ID or MPN ID").fill("2345678")
    page.get_by_label("Email address").fill("ga@tailspin.example")
    page.get_by_role("button", name="Send invitation").click()
    return page, provider, reseller, reseller_admin


def test_provider_invites_reseller_who_authorizes_then_invites_customers(
    sign_in, live_server, second_page, run_jobs
):
    page, provider, reseller, reseller_admin = _provider_invites_tailspin(sign_in)
    expect(page.get_by_test_id("pending-invitations")).to_contain_text("Tailspin IT")
    run_jobs()
    link = re.search(r"http\S+/indirect-providers/authorize/\S+/", mail.outbox[-1].body).group(0)

    other = second_page
    other.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    other.get_by_label("Username").fill(reseller_admin.username)
    other.get_by_label("Password").fill(TEST_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_text("Northwind Distribution invites Tailspin IT")).to_be_visible()
    other.get_by_label(re.compile("I authorize this indirect provider")).check()
    other.get_by_role("button", name="Authorize indirect provider").click()
    expect(other.get_by_test_id("partnership-row")).to_contain_text("Northwind Distribution")

    page.reload()
    expect(page.get_by_test_id("partnership-row")).to_contain_text("Tailspin IT")

    other.get_by_role("link", name="Invite new customers").click()
    url = other.get_by_test_id("invitation-url").inner_text()
    query = parse_qs(urlsplit(url).query)
    assert query["invType"] == ["IndirectResellerRelationship"]
    assert query["partnerId"] == [str(reseller.tenant_id)] and query["msppId"] == ["2345678"]
    assert query["indirectCSPId"] == [str(provider.tenant_id)]


def test_the_partnership_is_finished_from_the_ui_without_the_emailed_link(
    sign_in, live_server, second_page, context
):
    """With console email, the provider copies a fresh link (Get link) and the
    reseller's Global admin authorizes the invitation listed on Indirect providers."""
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page, _provider, _reseller, reseller_admin = _provider_invites_tailspin(sign_in)
    page.get_by_test_id("pending-invitations").get_by_role("button", name="Get link").click()
    expect(page.get_by_role("heading", name="Invitation link for Tailspin IT")).to_be_visible()
    page.wait_for_load_state("load")
    link = page.get_by_test_id("invitation-url").inner_text()
    assert "/indirect-providers/authorize/" in link
    page.get_by_role("button", name="Copy to clipboard").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert link in page.evaluate("navigator.clipboard.readText()")
    href = page.get_by_role("link", name="Open in email").get_attribute("href")
    assert href.startswith("mailto:ga@tailspin.example?subject=")

    other = second_page
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Username").fill(reseller_admin.username)
    other.get_by_label("Password").fill(TEST_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.get_by_role("link", name="Indirect providers").click()
    invitations = other.get_by_test_id("received-invitations")
    expect(invitations).to_contain_text("Northwind Distribution")
    invitations.get_by_role("link", name="Review Northwind Distribution").click()
    other.get_by_role("button", name="Authorize indirect provider").click()
    # Beside the tick box (and, as a link to it, in the error summary).
    expect(
        other.locator("strong", has_text="Check the box to confirm the partnership.")
    ).to_be_visible()
    other.get_by_label(re.compile("I authorize this indirect provider")).check()
    other.get_by_role("button", name="Authorize indirect provider").click()
    expect(other.get_by_test_id("partnership-row")).to_contain_text("Northwind Distribution")
    expect(other.get_by_test_id("received-invitations")).to_have_count(0)

    page.goto(f"{live_server.url}/indirect-resellers/")
    expect(page.get_by_test_id("partnership-row")).to_contain_text("Tailspin IT")
    expect(page.get_by_test_id("pending-invitations")).to_have_count(0)
