"""Browser, in English and Korean: an Admin agent requests an admin relationship, finalizes
it and copies the approval link; the customer's admin follows it in the admin center
(the fragment read by the page's script) and approves all; the partner adds an access
assignment, then terminates the relationship. Under the enforced CSP, 0 violations."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from playwright.sync_api import expect

from partnercenter.management.demo import DEMO_PASSWORD
from partnercenter.models import User
from relationships.models import AccessAssignment, AdminRelationship
from tests.browser.test_security import _csp_watch

WORDS = {
    "en": {
        "request": "Request admin relationship",
        "heading": "Create an admin relationship request",
        "name": "Admin relationship name",
        "duration": "Duration (days)",
        "search": "Search roles",
        "create": "Create request",
        "finalize": "Finalize request",
        "copy": "Copy to clipboard",
        "copied": "Copied.",
        "approve": "Approve all",
        "approve_heading": "Approve partner roles",
        "group": "Security group",
        "add": "Add access assignment",
        "terminate": "Terminate relationship",
        "active": "Active",
        "terminated": "Terminated",
        "sign_in": "Sign in",
        "username": "Username",
        "password": "Password",
    },
    "ko": {
        "request": "관리자 관계 요청",
        "heading": "관리자 관계 요청 만들기",
        "name": "관리자 관계 이름",
        "duration": "기간(일)",
        "search": "역할 검색",
        "create": "요청 만들기",
        "finalize": "요청 확정",
        "copy": "클립보드에 복사",
        "copied": "복사했습니다.",
        "approve": "모두 승인",
        "approve_heading": "파트너 역할 승인",
        "group": "보안 그룹",
        "add": "액세스 할당 추가",
        "terminate": "관계 종료",
        "active": "활성",
        "terminated": "종료됨",
        "sign_in": "로그인",
        "username": "사용자 이름",
        "password": "암호",
    },
}


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.django_db(transaction=True)
def test_request_finalize_approve_assign_terminate(
    page, second_page, live_server, language, settings
):
    settings.ADMIN_CENTER_URL = f"{live_server.url}/admincenter/"
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language=language)
    words = WORDS[language]
    violations = _csp_watch(page) + _csp_watch(second_page)
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    for context in (page.context, second_page.context):
        context.add_cookies(
            [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )

    page.goto(f"{base}/accounts/login/")
    page.get_by_label(words["username"]).fill("adminagent@fabrikam.example")
    page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    fabrikam = User.objects.get(username="adminagent@fabrikam.example").partner
    customer_pk = (
        AdminRelationship.objects.filter(partner=fabrikam, display_name="Helpdesk and licensing")
        .get()
        .customer_id
    )
    page.goto(f"{base}/customers/{customer_pk}/admin-relationships/")
    page.get_by_role("link", name=words["request"]).click()
    expect(page.get_by_role("heading", name=words["heading"])).to_be_visible()
    page.get_by_label(words["name"]).fill(f"Browser {language}")
    page.get_by_label(words["duration"]).fill("90")
    page.get_by_label(words["search"]).fill("exchange")
    page.get_by_label("Exchange Administrator").check()
    expect(page.get_by_label("Intune Administrator")).to_be_hidden()
    page.get_by_role("button", name=words["create"]).click()
    page.get_by_role("button", name=words["finalize"]).click()
    link = page.get_by_test_id("approval-url").inner_text().strip()
    page.get_by_role("button", name=words["copy"]).click()
    expect(page.get_by_text(words["copied"])).to_be_visible()
    assert link in page.evaluate("navigator.clipboard.readText()")
    relationship = AdminRelationship.objects.get(display_name=f"Browser {language}")
    assert relationship.status == "approvalPending" and link.endswith(relationship.pk)

    # The customer's admin follows the link: sign-in, then the fragment opens the request.
    customer_page = second_page
    customer_page.goto(f"{base}/admincenter/signin/")
    customer_page.get_by_label(words["username"]).fill("admin@contosokr.onmicrosoft.com")
    customer_page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    customer_page.get_by_role("button", name=words["sign_in"]).click()
    customer_page.goto(link)
    expect(customer_page.get_by_role("heading", name=words["approve_heading"])).to_be_visible()
    expect(customer_page.get_by_text("Exchange Administrator")).to_be_visible()
    customer_page.get_by_role("button", name=words["approve"]).click()
    relationship.refresh_from_db()
    assert relationship.status == "active"

    # The partner gives a security group one of the roles, then terminates.
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text(words["active"])
    page.get_by_label(words["group"]).select_option(label="Tier 1 helpdesk")
    page.locator("#assignment-form").get_by_label("Exchange Administrator").check()
    page.get_by_role("button", name=words["add"]).click()
    assert AccessAssignment.objects.get(relationship=relationship).status == "active"
    page.get_by_role("link", name=words["terminate"]).click()
    page.get_by_role("button", name=words["terminate"]).click()
    expect(page.get_by_test_id("status")).to_have_text(words["terminated"])
    assert AccessAssignment.objects.get(relationship=relationship).status == "deleted"
    assert violations == []
