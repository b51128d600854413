"""Browser: change a customer's primary contact, then read the sentence on its
History tab in English and in 한국어; the Global admin finds it in the Activity log."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.services import customer_update
from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_contact_change_reads_as_a_sentence_on_the_history_tab_in_english_and_korean(sign_in):
    agent = UserFactory(roles=[Role.ADMIN_AGENT], first_name="Adam", last_name="Park")
    ResellerRelationshipFactory(
        partner=agent.partner,
        customer__company_name="Contoso Korea",
        customer__contact_email="minji.kang@contoso.example",
    )
    page = sign_in(agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="Contoso Korea").click()
    page.get_by_test_id("edit-contact").click()
    page.get_by_label("Email address").fill("adam.park@contoso.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The primary contact was updated.")).to_be_visible()
    expect(page.get_by_text("adam.park@contoso.example")).to_be_visible()

    page.get_by_role("link", name="History").click()
    sentence = page.get_by_test_id("activity-sentence").first
    expect(sentence).to_have_text(
        "Adam Park changed the primary contact's email from “minji.kang@contoso.example” "
        "to “adam.park@contoso.example”."
    )

    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("link", name="기록")).to_be_visible()
    expect(page.get_by_test_id("activity-sentence").first).to_have_text(
        "Adam Park님이 기본 연락처의 전자 메일을(를) “minji.kang@contoso.example”에서 "
        "“adam.park@contoso.example”(으)로 변경했습니다."
    )


def test_the_global_admin_reads_the_change_in_the_activity_log(sign_in, live_server):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN], first_name="Grace", last_name="Kim")
    agent = UserFactory(
        roles=[Role.ADMIN_AGENT], partner=admin.partner, first_name="Adam", last_name="Park"
    )
    customer = ResellerRelationshipFactory(
        partner=admin.partner, customer__company_name="Contoso Korea"
    ).customer
    customer_update(user=agent, customer=customer, values={"contact_last_name": "Lee"})
    page = sign_in(admin.username, TEST_PASSWORD)
    page.goto(live_server.url + reverse("activity_log"))
    expect(page.get_by_role("heading", name="Activity log")).to_be_visible()
    page.get_by_label("Event type").select_option(label="Primary contact changed")
    page.get_by_role("button", name="Apply filters").click()
    row = page.get_by_test_id("activity").get_by_role("row").filter(has_text="Contoso Korea")
    expect(row).to_contain_text("Adam Park changed the primary contact's last name")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "Adam Park changed" in download.value.path().read_text(encoding="utf-8-sig")
