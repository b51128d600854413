"""The REST API at scale: ``GET /v1/customers`` at 1M vs 1k customers, its throughput
under gunicorn against a bare token-authenticated call, and 10 000 attestations posted
through the API vs the same through the pages' service in-process.

Run by hand (not in CI), from the project folder; customer_list.py's databases are
built (or reused) first:

    .venv/bin/python benchmarks/api.py                      # all three, PostgreSQL
    .venv/bin/python benchmarks/api.py --ratios --rounds 7  # one part
    .venv/bin/python benchmarks/api.py --ratios --sqlite    # the ratios on SQLite
    .venv/bin/python benchmarks/api.py --throughput
    .venv/bin/python benchmarks/api.py --attest

``--ratios``: each round measures every call at 1k, then at 1M (ABAB...), in fresh
processes (Django's test client with a token of the direct-bill partner's Admin
agent, 15 calls after a warm-up; the round's time is the median). Printed per call:
the median 1M/1k ratio over the rounds, its spread, and the SQL query count at both
sizes. The calls are:

- the first page (``size=100``);
- a filtered page (CompanyName starts with ``con``);
- a deep page reached by continuation: the 1 000th page at 1M (rows 99 901–100 000),
  and the last page at 1k (the partner has ~690 customers there, so page 7), each
  fetched with the ``MS-ContinuationToken`` of the page before it.

The token lives in a transaction that is rolled back, so the databases stay as built.
Goal: every ratio <= 1.3 and equal query counts.

``--throughput``: gunicorn, 2 sync workers, production settings, PostgreSQL with 1M
customers. 4 client threads call ``/v1/benchmark/bare`` (a token-authenticated call
that reads nothing else) and ``/v1/customers`` in turns (ABAB..., 8 s each). Goal:
the list at >= 50 % of the bare call's requests per second.

``--pages-against REV``: the pages with the API against the pages without it. The
tree of ``REV`` (a commit before the API, e.g. ``91dc68f``) is checked out in a
temporary git worktree; each round runs customer_list.py's page measurements in a fresh
process of the old tree, then of this one (ABAB...), on the PostgreSQL database of 1M
customers. Printed per page: this tree's time over the old tree's, median and spread.
Goal: no page slower (every median ratio <= 1.05, the machine's noise).

``--attest``: 10 000 attestations (``POST /v1/customers/{id}/agreements``) posted by 4
client threads to gunicorn (2 workers, PostgreSQL), against the same 10 000 records
made by ``agreements.services.acceptance_record`` in-process by 4 threads. Each run
uses its own acceptor email, so rule A12 accepts every record. Printed: records per
second and peak memory (the server: the largest worker's peak RSS; in-process: the
process's peak RSS).
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import customer_list  # noqa: E402 - its databases and builder, beside this script
import throughput  # noqa: E402 - its gunicorn environment and readiness wait

SIZES = customer_list.SIZES
REQUESTS = 15
PAGE = 100
DEEP = 1_000
ATTESTATIONS = 10_000
ATTEST_SIZE = 16_000  # two in three direct: 10 000+ customers of the direct partner
THREADS = 4
PORT = 8766
AGENT = "adminagent@fabrikam.example"
CALLS = ["first page", "filtered page", "deep page"]


# --- In a child process, against DATABASE_URL ----------------------------------------


def child_measure() -> dict:
    """Median time and query count of each call, with a token rolled back at the end."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partnercenter.api.tokens import token_create
    from partnercenter.models import User

    settings.DEBUG = False
    settings.API_RATE_PER_TOKEN = settings.API_RATE_PER_PARTNER = "1000000/m"  # noqa: S105
    result = {}
    with transaction.atomic():
        _token, secret = token_create(user=User.objects.get(username=AGENT), name="benchmark")
        client = Client(HTTP_HOST="localhost", headers={"Authorization": f"Bearer {secret}"})

        def page(params, cursor=None):
            headers = {"MS-ContinuationToken": cursor} if cursor else {}
            if cursor:
                params = {**params, "seekOperation": "Next"}
            response = client.get("/v1/customers", params, headers=headers)
            assert response.status_code == 200, response.content[:300]
            return response.json()

        # The deep page's cursor: walk there once, untimed.
        deep_cursor, pages = None, 1
        body = page({"size": PAGE})
        while "next" in body["links"] and pages < DEEP:
            deep_cursor = body["links"]["next"]["headers"][0]["value"]
            body = page({"size": PAGE}, deep_cursor)
            pages += 1
        flt = json.dumps({"Field": "CompanyName", "Value": "con", "Operator": "starts_with"})
        calls = {
            "first page": lambda: page({"size": PAGE}),
            "filtered page": lambda: page({"size": PAGE, "filter": flt}),
            "deep page": lambda: page({"size": PAGE}, deep_cursor),
        }
        for label, call in calls.items():
            call()  # warm-up
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            with CaptureQueriesContext(connection) as queries:
                call()
            result[label] = {"ms": statistics.median(times) * 1000, "q": len(queries)}
        result["deep page"]["page"] = pages
        transaction.set_rollback(True)
    return result


def child_customers() -> dict:
    """The tenant ids of ATTESTATIONS customers of the direct partner, and a token for it."""
    from agreements.models import AgreementStatusRow
    from partnercenter.api.tokens import token_create
    from partnercenter.models import User

    agent = User.objects.get(username=AGENT)
    tenants = list(
        AgreementStatusRow.objects.filter(
            partner=agent.partner, own=True, customer__domain_prefix__startswith="bulk"
        )
        .order_by("customer_id")
        .values_list("customer__tenant_id", flat=True)[:ATTESTATIONS]
    )
    _token, secret = token_create(user=agent, name="benchmark attestations", days=1)
    return {"tenants": [str(t) for t in tenants], "token": secret}


def child_attest_in_process() -> dict:
    """ATTESTATIONS records through ``acceptance_record`` by THREADS threads."""
    import datetime
    import resource

    from django.db import close_old_connections, transaction

    from agreements.models import AgreementTemplate
    from agreements.services import acceptance_record
    from customers.models import Customer
    from partnercenter.models import User

    agent = User.objects.get(username=AGENT)
    template = AgreementTemplate.objects.current()
    tenants = json.loads(Path(os.environ["BENCH_TENANTS_FILE"]).read_text())
    run = uuid.uuid4().hex[:8]
    chunks = [tenants[i::THREADS] for i in range(THREADS)]
    errors = []

    def work(chunk):
        try:
            user = User.objects.get(pk=agent.pk)
            for n, tenant in enumerate(chunk):
                customer = Customer.objects.get(tenant_id=tenant)
                with transaction.atomic():
                    acceptance_record(
                        customer=customer,
                        user=user,
                        date_agreed=datetime.date(2026, 11, 30),
                        first_name="Minji",
                        last_name="Kang",
                        email=f"run{run}-{n}@contoso.example",
                        template=template,
                    )
        except Exception as exc:  # reported, not hidden
            errors.append(repr(exc))
        finally:
            close_old_connections()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    assert not errors, errors[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "records": len(tenants), "peak_mb": peak}


def run_child(mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    sys.path.insert(0, str(ROOT))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    handlers = {
        "measure": child_measure,
        "customers": child_customers,
        "attest": child_attest_in_process,
    }
    print(json.dumps(handlers[mode]()))


def _child(url: str, mode: str, extra_env: dict | None = None) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", **(extra_env or {})}
    out = subprocess.run(  # noqa: S603 - this script with fixed arguments
        [sys.executable, __file__, "--child", mode],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- The three parts ------------------------------------------------------------------


def ratios(backend: str, rounds: int) -> bool:
    for size in SIZES:
        customer_list.build(backend, size)
    runs = {size: [] for size in SIZES}
    for n in range(rounds):
        for size in SIZES:  # ABAB...
            runs[size].append(_child(customer_list.database_url(backend, size), "measure"))
        print(f"[{backend}] round {n + 1}/{rounds} done", flush=True)
    small, large = SIZES
    print(
        f"\n{backend}: GET /v1/customers, {large:,} vs {small:,} customers, {rounds} interleaved "
        f"rounds, median of {REQUESTS} calls per round; deep page = page "
        f"{runs[large][0]['deep page']['page']} at 1M, page {runs[small][0]['deep page']['page']} at 1k"
    )
    print(f"{'call':<16} {'1k ms':>7} {'1M ms':>7} {'ratio':>6} {'spread':>13} {'queries':>9}")
    ok = True
    for label in CALLS:
        rs = [
            b[label]["ms"] / a[label]["ms"] for a, b in zip(runs[small], runs[large], strict=True)
        ]
        ms_small = statistics.median(r[label]["ms"] for r in runs[small])
        ms_large = statistics.median(r[label]["ms"] for r in runs[large])
        q_small, q_large = runs[small][0][label]["q"], runs[large][0][label]["q"]
        ratio = statistics.median(rs)
        ok &= ratio <= 1.3 and q_small == q_large
        print(
            f"{label:<16} {ms_small:>7.1f} {ms_large:>7.1f} {ratio:>5.2f}x "
            f"{min(rs):>5.2f}–{max(rs):<5.2f}  {q_small:>3} / {q_large:<3}"
        )
    print("goal: every ratio <= 1.3x, equal query counts:", "met" if ok else "NOT met")
    return ok


def _gunicorn(url: str, port: int, workers: int = 2) -> subprocess.Popen:
    env = {
        **throughput._env(url),
        "API_RATE_PER_TOKEN": "10000000/m",
        "API_RATE_PER_PARTNER": "10000000/m",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return subprocess.Popen(  # noqa: S603 - gunicorn from this venv, loopback only
        [str(Path(sys.executable).with_name("gunicorn")), "partnercenter.wsgi", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def _wait(server, token: str, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/benchmark/bare", headers={"Authorization": f"Bearer {token}"})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
            sys.exit(f"the bare call answered {status}")
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn didn't start")


def _load(path: str, token: str, seconds: float, port: int) -> float:
    done = [0] * THREADS
    stop = time.monotonic() + seconds

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            done[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def throughput_run(rounds: int, seconds: float) -> bool:
    customer_list.build("postgres", SIZES[-1])
    url = customer_list.database_url("postgres", SIZES[-1])
    token = _child(url, "customers")["token"]
    server = _gunicorn(url, PORT)
    try:
        _wait(server, token, PORT)
        _load("/v1/customers", token, 1, PORT)  # warm both workers
        results = []
        for n in range(rounds):
            bare = _load("/v1/benchmark/bare", token, seconds, PORT)
            listed = _load("/v1/customers", token, seconds, PORT)
            results.append((bare, listed))
            print(
                f"round {n + 1}: bare {bare:.0f} req/s, /v1/customers {listed:.0f} req/s, {listed / bare:.0%}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    shares = [listed / bare for bare, listed in results]
    share = statistics.median(shares)
    print(
        f"\n{SIZES[-1]:,} customers, gunicorn 2 workers, {THREADS} client threads, {rounds} rounds "
        f"of {seconds:.0f} s (ABAB); size={PAGE}"
    )
    print(f"bare token call: median {statistics.median(b for b, _ in results):.0f} req/s")
    print(f"/v1/customers:   median {statistics.median(x for _, x in results):.0f} req/s")
    print(
        f"list / bare:     median {share:.0%} (spread {min(shares):.0%}–{max(shares):.0%}); "
        f"goal >= 50 %: {'met' if share >= 0.5 else 'NOT met'}"
    )
    return share >= 0.5


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return (
        int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
        / 1024
    )


def attest_run(rounds: int) -> None:
    customer_list.build("postgres", ATTEST_SIZE)
    url = customer_list.database_url("postgres", ATTEST_SIZE)
    prepared = _child(url, "customers")
    tenants, token = prepared["tenants"], prepared["token"]
    tenants_file = customer_list.RESULTS / "attest-tenants.json"
    tenants_file.parent.mkdir(parents=True, exist_ok=True)
    tenants_file.write_text(json.dumps(tenants))
    assert len(tenants) == ATTESTATIONS, len(tenants)
    results = {"api": [], "service": []}
    for n in range(rounds):  # ABAB...
        server = _gunicorn(url, PORT + 1)
        try:
            _wait(server, token, PORT + 1)
            run = uuid.uuid4().hex[:8]
            chunks = [tenants[i::THREADS] for i in range(THREADS)]
            failures = []

            def client(chunk, run=run, failures=failures):
                conn = http.client.HTTPConnection("127.0.0.1", PORT + 1, timeout=60)
                for k, tenant in enumerate(chunk):
                    body = json.dumps({
                        "primaryContact": {"firstName": "Minji", "lastName": "Kang",
                                           "email": f"api{run}-{k}@contoso.example"},
                        "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
                        "dateAgreed": "2026-11-30", "type": "MicrosoftCustomerAgreement",
                    })  # fmt: skip
                    conn.request(
                        "POST",
                        f"/v1/customers/{tenant}/agreements",
                        body=body,
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "application/json",
                        },
                    )
                    response = conn.getresponse()
                    text = response.read()
                    if response.status != 201:
                        failures.append((response.status, text[:200]))
                conn.close()

            threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.monotonic() - started
            assert not failures, failures[:3]
            workers = _children(server.pid)
            peak = max(_peak_rss_mb(pid) for pid in workers)
        finally:
            server.terminate()
            server.wait(timeout=30)
        results["api"].append({"seconds": seconds, "records": len(tenants), "peak_mb": peak})
        results["service"].append(
            _child(url, "attest", {"BENCH_TENANTS_FILE": str(tenants_file), "DEBUG": "0",
                                   "SECRET_KEY": "benchmark-only-" + "x" * 40,
                                   "EMAIL_URL": "consolemail://", "ALLOWED_HOSTS": "127.0.0.1"})
        )  # fmt: skip
        api, service = results["api"][-1], results["service"][-1]
        print(
            f"round {n + 1}: API {api['records'] / api['seconds']:.0f} records/s "
            f"(peak {api['peak_mb']:.0f} MB per worker), in-process "
            f"{service['records'] / service['seconds']:.0f} records/s (peak {service['peak_mb']:.0f} MB)"
        )
    print(
        f"\n{ATTESTATIONS:,} attestations per run, {THREADS} threads, PostgreSQL, {rounds} rounds (ABAB)"
    )
    for kind, label in (("api", "API (gunicorn, 2 workers)"), ("service", "in-process service")):
        rates = [r["records"] / r["seconds"] for r in results[kind]]
        peaks = [r["peak_mb"] for r in results[kind]]
        print(
            f"{label:<28} median {statistics.median(rates):.0f} records/s "
            f"(spread {min(rates):.0f}–{max(rates):.0f}), peak RSS median {statistics.median(peaks):.0f} MB"
        )
    shares = [
        (a["records"] / a["seconds"]) / (s["records"] / s["seconds"])
        for a, s in zip(results["api"], results["service"], strict=True)
    ]
    print(
        f"API / in-process: median {statistics.median(shares):.0%} (spread {min(shares):.0%}–{max(shares):.0%})"
    )


def pages_against(rev: str, rounds: int) -> bool:
    import tempfile

    customer_list.build("postgres", SIZES[-1])
    url = customer_list.database_url("postgres", SIZES[-1])
    old = Path(tempfile.mkdtemp(prefix="pc-before-api-"))
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(old), rev], check=True)  # noqa: S603
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "PAGE_CACHE_SECONDS": "0"}

    def measure(tree: Path) -> dict:
        out = subprocess.run(  # noqa: S603 - a tree of this repository, fixed arguments
            [sys.executable, str(tree / "benchmarks" / "customer_list.py"), "--child", "measure"],
            cwd=tree, env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        return json.loads(out.strip().splitlines()[-1])

    runs = {"before": [], "now": []}
    try:
        for n in range(rounds):
            runs["before"].append(measure(old))
            runs["now"].append(measure(ROOT))
            print(f"round {n + 1}/{rounds} done", flush=True)
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(old)], check=True)  # noqa: S603
    print(
        f"\npages at {SIZES[-1]:,} customers (PostgreSQL), {rev} vs this tree, {rounds} rounds ABAB"
    )
    print(f"{'page':<30} {'before ms':>10} {'now ms':>8} {'now/before':>11} {'spread':>13}")
    ok = True
    for label in runs["now"][0]:
        rs = [
            b[label]["ms"] / a[label]["ms"]
            for a, b in zip(runs["before"], runs["now"], strict=True)
        ]
        ratio = statistics.median(rs)
        ok &= ratio <= 1.05
        print(
            f"{label:<30} {statistics.median(r[label]['ms'] for r in runs['before']):>10.1f} "
            f"{statistics.median(r[label]['ms'] for r in runs['now']):>8.1f} {ratio:>10.2f}x "
            f"{min(rs):>5.2f}–{max(rs):<5.2f}"
        )
    print("goal: no page slower (every ratio <= 1.05):", "met" if ok else "NOT met")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-against", metavar="REV", help="pages before the API vs now")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--ratios", action="store_true")
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--attest", action="store_true")
    parser.add_argument(
        "--sqlite", action="store_true", help="the ratios on SQLite (default PostgreSQL)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child)
    if args.pages_against:
        sys.exit(0 if pages_against(args.pages_against, args.rounds) else 1)
    everything = not (args.ratios or args.throughput or args.attest)
    ok = True
    if args.ratios or everything:
        ok &= ratios("sqlite" if args.sqlite else "postgres", args.rounds)
    if args.throughput or everything:
        ok &= throughput_run(args.rounds, args.seconds)
    if args.attest or everything:
        attest_run(min(args.rounds, 3))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
