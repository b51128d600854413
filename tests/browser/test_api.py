"""Browser: App management under the enforced CSP — a token made in a session signed in
with a second factor, shown once, used, revoked — and the API's reference page, which
runs offline on the app's own assets."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partnercenter.models import ApiToken, User
from tests.browser.test_security import _csp_watch, _enrol_in_the_browser


@pytest.mark.django_db(transaction=True)
def test_a_token_is_made_shown_once_used_and_revoked(page, live_server, settings):
    settings.MFA_REQUIRED = True
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language="en")
    violations = _csp_watch(page)
    base = live_server.url
    _enrol_in_the_browser(page, live_server, "adminagent@northwind.example")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="App management").click()
    expect(page.get_by_role("heading", name="App management")).to_be_visible()
    page.get_by_label("Name").fill("Nightly CRM sync")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Add token").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("pc_")
    expect(page.get_by_test_id("tokens")).to_contain_text("Nightly CRM sync")

    listed = page.request.get(
        f"{base}/v1/customers?size=2", headers={"Authorization": f"Bearer {secret}"}
    )
    assert listed.status == 200 and listed.json()["attributes"] == {"objectType": "Collection"}

    page.reload()
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    page.get_by_role("button", name="Revoke Nightly CRM sync").click()
    expect(page.get_by_test_id("tokens")).to_contain_text("Revoked")
    assert ApiToken.objects.get().revoked_at is not None
    refused = page.request.get(
        f"{base}/v1/customers", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401

    # The same page in Korean.
    page.goto(base + "/settings/profile/")
    page.locator("#id_language").select_option("ko")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state("load")
    page.goto(base + "/settings/apps/")
    expect(page.get_by_role("heading", name="앱 관리")).to_be_visible()
    expect(page.get_by_role("button", name="토큰 추가")).to_be_visible()
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_reference_page_renders_offline_under_the_csp(page, live_server):
    violations = _csp_watch(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{live_server.url}/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Partner Center REST API")
    expect(page.get_by_text("/v1/customers/{customer_id}/agreements").first).to_be_visible()
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert violations == []
