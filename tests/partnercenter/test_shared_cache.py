"""The Customers page's cache shared by two app servers through the machine's Redis.

Two gunicorn processes on one database and one ``CACHE_URL``: the listing one renders
is a hit in the other; a New customer written through one shows in the other's
listing at once; a third, whose Redis is stopped, still serves the page and says so
in ``/readyz``.
"""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.customers.test_wizard import ACCOUNT
from tests.partnercenter.test_gunicorn_metrics import _free_port
from tests.partnercenter.test_ops import REDIS, REDIS_DOWN

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "shared-cache-test-token"
AGENT = "adminagent@fabrikam.example"
SIGN_IN = (
    "from django.test import Client; from partnercenter.models import User; "
    f"c = Client(); c.force_login(User.objects.get(username='{AGENT}')); "
    "print(c.cookies['sessionid'].value)"
)


def unmasked(page: str) -> str:
    """``page`` without its CSRF tokens, which differ on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


class Server:
    """One app server: gunicorn, a single worker, its own metrics in its own memory."""

    def __init__(self, env, cache_url):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "gunicorn", "--workers", "1",
             "--bind", f"127.0.0.1:{self.port}", "partnercenter.wsgi"],
            cwd=ROOT, env={**env, "CACHE_URL": cache_url},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait(self):
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)  # noqa: S310
                return
            except OSError:
                if self.process.poll() is not None:
                    pytest.fail("gunicorn exited")
                time.sleep(0.1)
        pytest.fail("gunicorn never answered /healthz")

    def listing_cache(self, result) -> float:
        request = urllib.request.Request(  # noqa: S310
            f"{self.base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        text = urllib.request.urlopen(request, timeout=10).read().decode()  # noqa: S310
        found = re.search(rf'partnercenter_listing_cache_total{{result="{result}"}} (\S+)', text)
        return float(found[1]) if found else 0.0

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


class Browser:
    """Cookies and CSRF like a browser, signed in with ``session``; follows redirects."""

    def __init__(self, session):
        self.cookies = {"sessionid": session}

    def open(self, server, path, data=None) -> str:
        body = None
        if data is not None:
            form = self.open(server, path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(  # noqa: S310 - http on loopback
            server.base + path, data=body and body.encode(), headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            for header in response.headers.get_all("Set-Cookie") or ():
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
            return response.read().decode()


@pytest.fixture
def app_env(tmp_path):
    """A migrated SQLite file with the demo data, and the Redis database emptied."""
    redis.Redis.from_url(REDIS).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "1",
        "METRICS_TOKEN": TOKEN,
        "CACHE_URL": "",
        # No worker runs here; readiness should be about the cache.
        "WORKER_HEARTBEAT_MAX_SECONDS": "0",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    for command in (["migrate", "-v0"], ["seed_demo"], ["shell", "-c", SIGN_IN]):
        done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    return env, done.stdout.strip().splitlines()[-1]


def test_two_app_servers_share_the_listing_and_a_write_in_one_renews_the_other(app_env):
    env, session = app_env
    one, other = Server(env, REDIS), Server(env, REDIS)
    down = Server(env, REDIS_DOWN)
    try:
        for server in (one, other, down):
            server.wait()
        browser = Browser(session)

        page = browser.open(one, "/customers/")
        assert page.count('data-testid="customer-row"') > 0
        assert (one.listing_cache("miss"), one.listing_cache("hit")) == (1, 0)
        # The other server never rendered it: its first load is Redis' copy.
        assert unmasked(browser.open(other, "/customers/")) == unmasked(page)
        assert (other.listing_cache("miss"), other.listing_cache("hit")) == (0, 1)

        # New customer, written through the first server...
        shared = {**ACCOUNT, "company_name": "Shared Cache Co", "domain_prefix": "sharedcacheco"}
        browser.open(one, "/customers/new/", shared)
        browser.open(one, "/customers/new/agreement/", {"option": "invite"})
        browser.open(one, "/customers/new/review/", {})
        # ...is in the other server's listing at once.
        assert "Shared Cache Co" in browser.open(other, "/customers/")
        assert other.listing_cache("miss") == 1

        # A server whose Redis is stopped serves the page, and says so when probed.
        assert "Shared Cache Co" in browser.open(down, "/customers/")
        with pytest.raises(urllib.error.HTTPError) as probe:
            urllib.request.urlopen(f"{down.base}/readyz", timeout=10)  # noqa: S310
        assert probe.value.code == 503 and b"cache" in probe.value.read()
    finally:
        for server in (one, other, down):
            server.stop()
