"""Customers page, search, last page, provider and reseller pages, Account info and
Agreement compliance: 1M vs 1k.

Run by hand (not in CI), from the project folder; the first run builds the
databases (a million customers take minutes), later runs reuse them:

    .venv/bin/python benchmarks/customer_list.py              # SQLite and PostgreSQL
    .venv/bin/python benchmarks/customer_list.py --sqlite     # or one of them
    .venv/bin/python benchmarks/customer_list.py --postgres --rounds 7

Databases: ``benchmarks/results/bench-<N>.sqlite3`` and PostgreSQL databases
``pc_bench_<N>`` on 127.0.0.1 (trust auth), each with the demo data, ``N``
benchmark customers from ``seed_demo --customers N`` (two in three direct, one
in three shared by a reseller with the indirect provider, several agreement
states) and one customer with 1 000 confirmations of history.

Each round measures every page at 1k, then at 1M (ABAB...), in fresh processes
(Django test client, signed in, 15 requests per page after a warm-up; the
median is the round's time). For each page the script prints the median 1M/1k
ratio over the rounds with its spread (min–max), and the SQL query count at
both sizes. Goal: every ratio <= 1.3 and equal query counts. The Customers page's
listing cache is off (PAGE_CACHE_SECONDS=0): every request reads the rows, as the
first request after a write does (throughput.py measures the cache).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SIZES = (1_000, 1_000_000)
REQUESTS = 15
HISTORY = 1_000
PG = "postgres://postgres@127.0.0.1:5432/{name}"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HEAVY = "contosokr"  # the demo customer that gets 1 000 records of history

PAGES = [
    # label, user, path (built in the child: {heavy} is the heavy customer's id)
    ("Customers, page 1", "adminagent@fabrikam.example", "/customers/"),
    ("Customers, search", "adminagent@fabrikam.example", "/customers/?q=contoso"),
    ("Customers, last page", "adminagent@fabrikam.example", "/customers/?cursor=last"),
    ("Indirect provider, page 1", "adminagent@northwind.example", "/customers/"),
    ("Indirect reseller (few)", "adminagent@woodgrove.example", "/customers/"),
    ("Account info, 1 000 records", "adminagent@fabrikam.example", "/customers/{heavy}/"),
    # Agreement compliance: status rows through the compliance indexes.
    ("Compliance, page 1", "adminagent@fabrikam.example", "/customers/compliance/"),
    ("Compliance, last page", "adminagent@fabrikam.example", "/customers/compliance/?cursor=last"),
    (
        "Compliance, one status",
        "adminagent@fabrikam.example",
        "/customers/compliance/?status=older_agreement",
    ),
    ("Compliance, indirect provider", "adminagent@northwind.example", "/customers/compliance/"),
]


def database_url(backend: str, size: int) -> str:
    """The DATABASE_URL of the ``size``-customer database on ``backend`` ("sqlite"/"postgres")."""
    if backend == "sqlite":
        return f"sqlite:///{RESULTS / f'bench-{size}.sqlite3'}"
    return PG.format(name=f"pc_bench_{size}")


def _manage(url: str, *args: str, quiet=False) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(  # noqa: S603 - this project's manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def _child(url: str, mode: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "PAGE_CACHE_SECONDS": "0"}
    out = subprocess.run(  # noqa: S603 - this script with fixed arguments
        [sys.executable, __file__, "--child", mode],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(backend: str, size: int) -> None:
    """Create the database with its data, unless a complete one is there already."""
    url = database_url(backend, size)
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [f"pc_bench_{size}"]
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE pc_bench_{size}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    _manage(url, "migrate", "--noinput", quiet=True)
    have = _child(url, "count")["bulk"]
    if have < size:
        print(f"[{backend} {size:,}] seeding {size - have:,} customers...", flush=True)
        started = time.monotonic()
        _manage(url, "seed_demo", "--customers", str(size - have))
        print(f"[{backend} {size:,}] seeded in {time.monotonic() - started:.0f} s", flush=True)
    _child(url, "history")


def child_count() -> dict:
    """How many benchmark customers the database holds: ``{"bulk": n}``."""
    from customers.models import Customer

    return {"bulk": Customer.objects.filter(domain_prefix__startswith="bulk").count()}


def child_history() -> dict:
    """Give the heavy customer HISTORY confirmations by the direct partner (once)."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from agreements.models import AgreementAcceptance, AgreementTemplate
    from agreements.statusrows import agreement_status_sync
    from customers.models import Customer
    from partnercenter.models import User

    customer = Customer.objects.get(domain_prefix=HEAVY)
    agent = User.objects.get(username="adminagent@fabrikam.example")
    have = AgreementAcceptance.objects.filter(customer=customer, partner=agent.partner).count()
    if have < HISTORY:
        template = AgreementTemplate.objects.current()
        now = timezone.now()
        AgreementAcceptance.objects.bulk_create(
            AgreementAcceptance(
                customer=customer,
                partner=agent.partner,
                template=template,
                date_agreed=datetime.date(2026, 1, 1),
                first_name=f"Person{n}",
                last_name="Kang",
                email=f"p{n}@contoso.example",
                method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
                recorded_by=agent,
                created_at=now - datetime.timedelta(hours=n),
            )
            for n in range(HISTORY - have)
        )
        agreement_status_sync(customer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"history": max(have, HISTORY)}


def child_measure() -> dict:
    """Median time and query count of every page, in this process."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer
    from partnercenter.models import User

    settings.DEBUG = False  # no query log while timing
    heavy = Customer.objects.get(domain_prefix=HEAVY).pk
    clients = {}
    result = {}
    for label, username, path in PAGES:
        if username not in clients:
            clients[username] = Client(HTTP_HOST="localhost")
            clients[username].force_login(User.objects.get(username=username))
        client, url = clients[username], path.format(heavy=heavy)
        assert client.get(url).status_code == 200, url  # warm-up
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result[label] = {"ms": statistics.median(times) * 1000, "q": len(queries)}
    return result


def run_child(mode: str) -> None:
    """Set Django up against DATABASE_URL, run one child step, print its result as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic needed
    django.setup()
    print(
        json.dumps(
            {"count": child_count, "history": child_history, "measure": child_measure}[mode]()
        )
    )


def benchmark(backend: str, rounds: int) -> bool:
    """Build both sizes, measure them in ``rounds`` interleaved rounds, print the table.

    Returns whether every ratio is within 1.3x and the query counts are equal.
    """
    for size in SIZES:
        build(backend, size)
    runs = {size: [] for size in SIZES}
    for n in range(rounds):
        for size in SIZES:  # ABAB...
            runs[size].append(_child(database_url(backend, size), "measure"))
        print(f"[{backend}] round {n + 1}/{rounds} done", flush=True)
    small, large = SIZES
    print(
        f"\n{backend}: {large:,} vs {small:,} customers, {rounds} interleaved rounds, "
        f"median of {REQUESTS} requests per page per round"
    )
    print(f"{'page':<30} {'1k ms':>7} {'1M ms':>7} {'ratio':>6} {'spread':>13} {'queries':>9}")
    ok = True
    for label, _user, _path in PAGES:
        ratios = [
            b[label]["ms"] / a[label]["ms"] for a, b in zip(runs[small], runs[large], strict=True)
        ]
        ms_small = statistics.median(r[label]["ms"] for r in runs[small])
        ms_large = statistics.median(r[label]["ms"] for r in runs[large])
        q_small, q_large = runs[small][0][label]["q"], runs[large][0][label]["q"]
        ratio = statistics.median(ratios)
        ok &= ratio <= 1.3 and q_small == q_large
        print(
            f"{label:<30} {ms_small:>7.1f} {ms_large:>7.1f} {ratio:>5.2f}x "
            f"{min(ratios):>5.2f}–{max(ratios):<5.2f}  {q_small:>3} / {q_large:<3}"
        )
    print("goal: every ratio <= 1.3x, equal query counts:", "met" if ok else "NOT met")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=["count", "history", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    both = not (args.sqlite or args.postgres)
    results = []
    if args.sqlite or both:
        results.append(benchmark("sqlite", args.rounds))
    if args.postgres or both:
        results.append(benchmark("postgres", args.rounds))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
