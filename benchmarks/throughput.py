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

``--observability`` asks what metrics and JSON logs cost instead: two gunicorn
servers as above run side by side, one as above ("off": text logs at WARNING, no
metrics) and one with ``LOG_FORMAT=json`` at INFO (a line per request, written to a
file) and Prometheus metrics in multiprocess mode (``METRICS_TOKEN``,
``PROMETHEUS_MULTIPROC_DIR``, gunicorn's ``-c python:partnercenter.ops.gunicorn_conf``).
The same load hits the Customers page of one, then the other (ABAB...); each round's
ratio is on req/s over off req/s. Goal: >= 90 %. At the end the "on" server's
``/metrics`` must count the requests and its log must hold one JSON line per request.
"""

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def load(path, cookie, seconds, port=PORT) -> float:
    """Requests per second that THREADS clients get through in ``seconds`` at ``port``."""
    done = [0] * THREADS
    stop = time.monotonic() + seconds

    def client(i):
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


def wait_ready(cookie, server, timeout=30, port=PORT) -> None:
    """Return once gunicorn answers the bare view with 200; fail if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
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
    parser.add_argument(
        "--observability",
        action="store_true",
        help="the Customers page with metrics and JSON logs on vs off (see above)",
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
    if args.observability:
        return observability(args, env, cookie)
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


def observability(args, env, cookie) -> None:
    """Customers page req/s with metrics and JSON logs on over off, ABAB (module docstring)."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    scratch = Path(tempfile.mkdtemp(prefix="throughput-"))
    (scratch / "metrics").mkdir()
    token = "benchmark-metrics-token"  # noqa: S105 - loopback only, this run only
    on_env = {
        **env,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "METRICS_TOKEN": token,
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / "metrics"),
    }
    log = (scratch / "on.log").open("w")
    servers = {
        "off": subprocess.Popen(  # noqa: S603 - gunicorn from this venv, loopback only
            [gunicorn, "partnercenter.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}",
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        ),
        "on": subprocess.Popen(  # noqa: S603 - gunicorn from this venv, loopback only
            [gunicorn, "partnercenter.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT + 1}",
             "--log-level", "warning", "-c", "python:partnercenter.ops.gunicorn_conf"],
            cwd=ROOT, env=on_env, stdout=log, stderr=subprocess.STDOUT,
        ),
    }  # fmt: skip
    ports = {"off": PORT, "on": PORT + 1}
    sent = 0
    try:
        for name, server in servers.items():
            wait_ready(cookie, server, port=ports[name])
            load("/customers/", cookie, 1, port=ports[name])  # warm both workers
        ratios, runs = [], {"off": [], "on": []}
        for n in range(args.rounds):
            for name in ("off", "on"):
                runs[name].append(load("/customers/", cookie, args.seconds, port=ports[name]))
            ratios.append(runs["on"][-1] / runs["off"][-1])
            print(
                f"round {n + 1}: off {runs['off'][-1]:.0f} req/s, on {runs['on'][-1]:.0f} req/s, "
                f"{ratios[-1]:.0%}"
            )
        conn = http.client.HTTPConnection("127.0.0.1", ports["on"], timeout=30)
        conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        metrics = answer.read().decode()
        if answer.status != 200:
            sys.exit(f"/metrics answered {answer.status}")
        conn.close()
        sent = sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("partnercenter_http_requests_total{")
            and 'route="customers:list"' in line
        )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)
        log.close()
    lines = [
        line
        for line in (scratch / "on.log").read_text().splitlines()
        if line.startswith("{") and '"route": "customers:list"' in line
    ]
    ratio = statistics.median(ratios)
    print(
        f"\n{args.size:,} customers, two gunicorn servers of 2 workers, {THREADS} client "
        f"threads, {args.rounds} rounds of {args.seconds:.0f} s each (ABAB)"
        + (", listing cache off" if args.no_page_cache else "")
    )
    print(f"metrics and JSON logs off: median {statistics.median(runs['off']):.0f} req/s")
    print(f"metrics and JSON logs on:  median {statistics.median(runs['on']):.0f} req/s")
    print(f"the on server counted {sent:.0f} Customers requests and logged {len(lines)} lines")
    print(
        f"on / off:                  median {ratio:.0%} (spread {min(ratios):.0%}–"
        f"{max(ratios):.0%}); goal >= 90 %: {'met' if ratio >= 0.9 else 'NOT met'}"
    )
    shutil.rmtree(scratch)
    sys.exit(0 if ratio >= 0.9 and sent > 0 and len(lines) == sent else 1)


if __name__ == "__main__":
    main()
