"""Playwright drives Debian's Chromium (no browser download): see README, "Two commands"."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium; fail (never skip) with install help when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Install Debian's package: "
            "`sudo apt-get update && sudo apt-get install -y chromium` "
            "(`make test` does this itself when run as root).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _data_migration_rows(data_migration_rows):
    """Browser tests use a transactional database: see tests/conftest.py."""


@pytest.fixture(autouse=True)
def _short_timeouts(context):
    """Fail in seconds, not Playwright's default 30 s, when a page misbehaves."""
    context.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)


@pytest.fixture
def second_page(browser, browser_context_args):
    """A page in a second, separate browser context (another person), closed after the test.

    Closing it while the live server still runs matters: its keep-alive
    connections would otherwise end after the server is gone.
    """
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    """``sign_in(email, password)``: sign in through the real form; returns the page."""

    def go(email, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page

    return go


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
