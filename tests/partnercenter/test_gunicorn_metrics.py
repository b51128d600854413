"""Metrics under gunicorn with two workers: each worker's counts add up at any scrape."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-test-token"
REQUESTS = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, token=None):
    request = urllib.request.Request(url, headers={"Connection": "close"})  # noqa: S310
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _login_requests(text: str) -> float:
    """The request counter's value for GET of the sign-in page, 200."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("partnercenter_http_requests_total{") and all(
            label in line for label in ('route="login"', 'method="GET"', 'status="200"')
        ):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn, two sync workers, on a migrated SQLite file and a multiprocess directory."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # An earlier run's counts, which gunicorn's start must clear.
    (metrics_dir / "counter_1.db").write_bytes(b"stale")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "METRICS_TOKEN": TOKEN,
        "DEBUG": "1",
        "CACHE_URL": "",
    }
    python = sys.executable
    subprocess.run(  # noqa: S603 - fixed arguments
        [python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            python, "-m", "gunicorn", "-c", "python:partnercenter.ops.gunicorn_conf",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "partnercenter.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn never answered /healthz")
        yield base, metrics_dir
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_request_counter_adds_up_across_two_workers(gunicorn):
    base, metrics_dir = gunicorn
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: _get(f"{base}/accounts/login/")[0], range(REQUESTS)))
    assert statuses == [200] * REQUESTS

    # Both workers answered some of them, each keeping its own counts on file...
    writers = {re.sub(r"\D", "", p.name) for p in metrics_dir.glob("counter_*.db")}
    assert "1" not in writers, "the earlier run's counts were cleared"
    assert len(writers) == 2, f"counts from {sorted(writers)}"
    # ...and every scrape, whichever worker answers it, adds them all up. The probes
    # themselves are answered before counting, so the count is exactly the requests sent.
    for _ in range(6):
        status, text = _get(f"{base}/metrics", TOKEN)
        assert status == 200
        assert _login_requests(text) == REQUESTS
        assert "partnercenter_http_request_duration_seconds_bucket" in text
        assert "partnercenter_http_request_queries_bucket" in text
        assert "partnercenter_signin_lockouts 0.0" in text


def test_metrics_refused_without_the_token(gunicorn):
    base, _ = gunicorn
    assert _get(f"{base}/metrics")[0] == 401
    assert _get(f"{base}/metrics", "wrong-token")[0] == 401
