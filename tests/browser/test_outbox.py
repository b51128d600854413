"""Browser: an invitation sent while the mail server is down shows Failed — Resend; Resend sends it."""

import pytest
from playwright.sync_api import expect

from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_sent_with_the_mail_server_down_fails_then_resend_sends_it(
    sign_in, mail_server, run_jobs, settings
):
    settings.EMAIL_MAX_ATTEMPTS = 2
    agent = UserFactory(roles=[Role.ADMIN_AGENT])
    page = sign_in(agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="Request a reseller relationship").click()
    page.get_by_label("Send to").fill("it@contoso.example")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()

    run_jobs()  # the worker tries twice; the server is down
    page.reload()
    row = (
        page.get_by_test_id("sent-invitations")
        .get_by_role("row")
        .filter(has_text="it@contoso.example")
    )
    expect(row.get_by_text("Failed", exact=True)).to_be_visible()
    expect(row.get_by_text("Connection refused")).to_be_visible()

    mail_server.start()
    row.get_by_role("button", name="Resend").click()
    expect(page.get_by_text("The email to it@contoso.example is queued again.")).to_be_visible()
    expect(row.get_by_text("Queued", exact=True)).to_be_visible()
    run_jobs()
    page.reload()
    expect(row.get_by_text("Sent", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Resend")).to_have_count(0)
    assert [to for to, _ in mail_server.messages] == [["it@contoso.example"]]
