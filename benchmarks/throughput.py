"""Requests per second of the Customers page vs a bare signed-in view, gunicorn on PostgreSQL.

Run by hand (not in CI), from the project folder, after customer_list.py has
built the PostgreSQL databases:

    .venv/bin/python benchmarks/throughput.py               # 1 000 000 customers
    .venv/bin/python benchmarks/throughput.py --size 1000 --rounds 5

gunicorn serves the app with 2 sync workers and production settings
(DEBUG=0, CONN_MAX_AGE=60 with health checks, collected static files) on
127.0.0.1, with the benchmark-only bare view switched on (BENCHMARK_VIEWS=1).
A load of 4 client threads, signed in as the direct-bill partner's Admin agent,
then hits the bare view and the Customers page in turns (ABAB..., 8 s each);
each round's ratio is Customers req/s over bare req/s. Goal: >= 50 %.

The load asks for the same page again and again, so after the first request the
Customers page's listing comes from its cache (CACHES["pages"]) until a write
renews the partner's version. ``--no-page-cache`` (PAGE_CACHE_SECONDS=0) measures
every request as a cache miss: what the page costs right after each write.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
THREADS = 4


def _env(url):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Production refuses to start without a mail server; nothing is sent here.
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "BENCHMARK_VIEWS": "1",
        "LOG_LEVEL": "WARNING",
    }


def session_cookie(url) -> str:
    """A signed-in session key for the direct-bill partner's Admin agent, made in the database.

    With DEBUG=0, MFA_REQUIRED is on: the session is marked verified by the
    user's authenticator device, as a real sign-in with a code leaves it.
    """
    code = (
        "from django.test import Client; from partnercenter.models import User; "
        "from django_otp import DEVICE_ID_SESSION_KEY; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        "u = User.objects.get(username='adminagent@fabrikam.example'); "
        "d = TOTPDevice.objects.get_or_create(user=u, confirmed=True, name='benchmark')[0]; "
        "c = Client(); c.force_login(u); s = c.session; "
        "s[DEVICE_ID_SESSION_KEY] = d.persistent_id; s.save(); "
        "print(c.cookies['sessionid'].value)"
    )
    out = subprocess.run(  # noqa: S603 - this project's manage.py with fixed arguments
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**_env(url), "DEBUG": "1"},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def load(path, cookie, seconds) -> float:
    """Requests per second that THREADS clients get through in ``seconds``."""
    done = [0] * THREADS
    stop = time.monotonic() + seconds

    def client(i):
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 200, (path, response.status)
            done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def wait_ready(cookie, server, timeout=30) -> None:
    """Return once gunicorn answers the bare view with 200; fail if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/benchmark/bare/", headers={"Cookie": f"sessionid={cookie}"})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
            sys.exit(f"the bare view answered {status}")
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn didn't start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument(
        "--no-page-cache", action="store_true", help="every request renders the listing afresh"
    )
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/pc_bench_{args.size}"
    env = _env(url)
    if args.no_page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    cookie = session_cookie(url)
    server = subprocess.Popen(  # noqa: S603 - gunicorn from this venv, loopback only
        [str(Path(sys.executable).with_name("gunicorn")), "partnercenter.wsgi", "-w", "2",
         "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_ready(cookie, server)
        load("/customers/", cookie, 1)  # warm both workers
        ratios, bare_runs, page_runs = [], [], []
        for n in range(args.rounds):
            bare = load("/benchmark/bare/", cookie, args.seconds)
            page = load("/customers/", cookie, args.seconds)
            bare_runs.append(bare)
            page_runs.append(page)
            ratios.append(page / bare)
            print(
                f"round {n + 1}: bare {bare:.0f} req/s, Customers {page:.0f} req/s, {page / bare:.0%}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratio = statistics.median(ratios)
    print(
        f"\n{args.size:,} customers, gunicorn 2 workers, {THREADS} client threads, "
        f"{args.rounds} rounds of {args.seconds:.0f} s each (ABAB)"
        + (", listing cache off" if args.no_page_cache else "")
    )
    print(f"bare signed-in view: median {statistics.median(bare_runs):.0f} req/s")
    print(f"Customers page:      median {statistics.median(page_runs):.0f} req/s")
    print(
        f"Customers / bare:    median {ratio:.0%} (spread {min(ratios):.0%}–{max(ratios):.0%}); "
        f"goal >= 50 %: {'met' if ratio >= 0.5 else 'NOT met'}"
    )
    sys.exit(0 if ratio >= 0.5 else 1)


if __name__ == "__main__":
    main()
