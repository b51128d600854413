"""Browser: upload a CSV with one bad row, watch it checked, read the row's
message, fix it, confirm, and see the customers turn current on Agreement compliance."""

import pytest
from playwright.sync_api import expect

from partnercenter.tenant.roles import Role
from tests.factories import TEST_PASSWORD, ResellerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "domain,tenant_id,company_name,first_name,last_name,email,phone,date_agreed"


def csv_file(*lines):
    return {
        "name": "confirmations.csv",
        "mimeType": "text/csv",
        "buffer": "\n".join([HEADER, *lines]).encode(),
    }


def test_bulk_confirmation_from_upload_to_a_compliant_report(sign_in, run_jobs):
    agent = UserFactory(roles=[Role.ADMIN_AGENT], time_zone="Asia/Seoul")
    for name, prefix in (("Contoso Korea", "contosokr"), ("Adatum Seoul", "adatumseoul")):
        ResellerRelationshipFactory(
            partner=agent.partner,
            customer__company_name=name,
            customer__domain_prefix=prefix,
        )
    page = sign_in(agent.username, TEST_PASSWORD)
    page.get_by_role("link", name="Agreement compliance").click()
    table = page.get_by_test_id("compliance-table")
    expect(table.get_by_test_id("compliance-status")).to_have_text(
        ["No confirmation", "No confirmation"]
    )

    page.get_by_role("link", name="Confirm in bulk").click()
    good = "contosokr,,Contoso Korea,Minji,Kang,minji@contosokr.example,02-3456-7890,2026-11-01"
    bad = "adatumseoul,,Adatum Seoul,Jisoo,Park,not-an-email,,2026-11-01"
    page.get_by_label("CSV file").set_input_files(csv_file(good, bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("bulk-progress")).to_be_visible()
    run_jobs()  # the worker checks the file; the page follows by itself
    problem = page.get_by_test_id("bulk-problem")
    expect(problem).to_contain_text("Enter a valid email address.")
    expect(problem).to_contain_text("Adatum Seoul")

    page.get_by_role("link", name="Confirm in bulk").click()
    fixed = bad.replace("not-an-email", "jisoo@adatumseoul.example")
    page.get_by_label("CSV file").set_input_files(csv_file(good, fixed))
    page.get_by_role("button", name="Upload and check").click()
    run_jobs()
    expect(page.get_by_test_id("bulk-counts")).to_contain_text("Valid")
    expect(page.get_by_test_id("bulk-problem")).to_have_count(0)
    page.get_by_label("Only if every row is valid").check()
    page.get_by_test_id("bulk-confirm").click()
    expect(page.get_by_test_id("bulk-state")).to_have_attribute("data-state", "recording")
    run_jobs()
    expect(page.get_by_test_id("bulk-recorded")).to_have_text(
        "2 confirmations were recorded. Back to Agreement compliance"
    )

    page.get_by_role("link", name="Back to Agreement compliance").click()
    expect(page.get_by_test_id("compliance-empty")).to_be_visible()
    page.get_by_label("Status").select_option(label="Current agreement")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("compliance-status")).to_have_text(
        ["Current agreement", "Current agreement"]
    )
