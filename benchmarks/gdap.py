"""GDAP at scale: a partner with 100 000 admin relationships against one with 1 000.

Run by hand (not in CI), from the project folder; the first run builds the databases,
later runs reuse them:

    .venv/bin/python benchmarks/gdap.py                 # PostgreSQL
    .venv/bin/python benchmarks/gdap.py --sqlite --rounds 7

Databases: PostgreSQL ``pc_gdap_<N>`` on 127.0.0.1 (or ``benchmarks/results/gdap-<N>.sqlite3``),
each with the demo data, N/10 benchmark customers (``seed_demo --customers``) and N admin
relationships of the direct-bill partner spread over its customers:

- 60 % active, ending from 20 days ago to 700 days ahead, half with auto-extend;
- 10 % waiting for approval, finalized up to 120 days ago;
- 10 % created;
- 10 % expired;
- 10 % terminated.

Each round measures, at 1k then at 100k (ABAB...), in fresh processes (Django's test
client signed in as the partner's Admin agent, 15 requests after a warm-up, the median):

- the **Admin relationships** list;
- **Expiring admin relationships** (its five capped counts and the 30-day list);
- the **no active admin relationship** report.

Printed per page: the median 100k/1k ratio, its spread, and the SQL query counts.
Goal: every ratio <= 1.3 and equal query counts.

Then the daily lifecycle job (rule G8) runs once at each size, inside a transaction that
is rolled back (the databases stay as built): its time, its SQL statement count and how
many relationships it moved.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import customer_list  # noqa: E402 - its PostgreSQL admin URL and results folder

SIZES = (1_000, 100_000)
REQUESTS = 15
AGENT = "adminagent@fabrikam.example"
PAGES = [
    ("Admin relationships", "/admin-relationships/"),
    ("Expiring, counts + 30 days", "/admin-relationships/expiring/?bucket=30"),
    ("No active relationship", "/admin-relationships/coverage/"),
]
ROLES = [
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
]


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{customer_list.RESULTS / f'gdap-{size}.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/pc_gdap_{size}"


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(  # noqa: S603 - this project's manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _child(url: str, mode: str, size: int = 0) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "PAGE_CACHE_SECONDS": "0",
        "GDAP_SIZE": str(size),
    }
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
    url = database_url(backend, size)
    if backend == "postgres":
        import psycopg

        with psycopg.connect(customer_list.PG_ADMIN, autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [f"pc_gdap_{size}"]
            ).fetchone():
                conn.execute(f"CREATE DATABASE pc_gdap_{size}")
    customer_list.RESULTS.mkdir(parents=True, exist_ok=True)
    _manage(url, "migrate", "--noinput")
    if _child(url, "count")["relationships"] < size:
        print(f"[{backend} {size:,}] building...", flush=True)
        started = time.monotonic()
        _manage(url, "seed_demo", "--customers", str(size // 10))
        _child(url, "seed", size)
        print(f"[{backend} {size:,}] built in {time.monotonic() - started:.0f} s", flush=True)


# --- In a child process ------------------------------------------------------------------


def child_count() -> dict:
    from relationships.models import AdminRelationship

    return {
        "relationships": AdminRelationship.objects.filter(display_name__startswith="GDAP ").count()
    }


def child_seed() -> dict:
    """N admin relationships of the direct partner, spread as the module docstring says."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from agreements.models import AgreementStatusRow
    from partnercenter.models import User
    from relationships.models import AdminRelationship

    size = int(os.environ["GDAP_SIZE"])
    agent = User.objects.get(username=AGENT)
    customers = list(
        AgreementStatusRow.objects.filter(partner=agent.partner, own=True)
        .select_related("customer")
        .values_list("customer_id", "customer__tenant_id", "customer__company_name")
    )
    rng = random.Random(7)  # noqa: S311 - spread of test data, not a secret
    now = timezone.now()
    rows = []
    for n in range(size):
        customer_id, tenant, name = customers[n % len(customers)]
        kind = n % 10
        fields = {"status": "active"}
        if kind < 6:
            end = now + datetime.timedelta(days=rng.uniform(-20, 700))
            fields.update(activated_at=end - datetime.timedelta(days=730), end_at=end,
                          auto_extend_days=180 if n % 2 else 0)  # fmt: skip
        elif kind == 6:
            fields.update(
                status="approvalPending",
                last_modified_at=now - datetime.timedelta(days=rng.uniform(0, 120)),
            )
        elif kind == 7:
            fields.update(status="created")
        elif kind == 8:
            fields.update(
                status="expired", end_at=now - datetime.timedelta(days=rng.uniform(1, 700))
            )
        else:
            fields.update(
                status="terminated", end_at=now - datetime.timedelta(days=rng.uniform(1, 700))
            )
        rows.append(
            AdminRelationship(
                partner=agent.partner,
                customer_id=customer_id,
                customer_tenant_id=tenant,
                customer_display_name=name,
                display_name=f"GDAP {n:06d}",
                duration_days=730,
                roles=ROLES[: 1 + n % 3],
                created_by=agent,
                **fields,
            )
        )
    AdminRelationship.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"relationships": size}


def child_measure() -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partnercenter.models import User

    settings.DEBUG = False
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=AGENT))
    result = {}
    for label, path in PAGES:
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, path
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        result[label] = {"ms": statistics.median(times) * 1000, "q": len(queries)}
    return result


def child_lifecycle() -> dict:
    """The daily job once, rolled back: time, statements, what it moved."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from relationships.adminrelationships import admin_relationships_lifecycle

    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            counts = admin_relationships_lifecycle()
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": seconds, "statements": len(queries), **counts}


def run_child(mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    sys.path.insert(0, str(ROOT))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    handlers = {
        "count": child_count,
        "seed": child_seed,
        "measure": child_measure,
        "lifecycle": child_lifecycle,
    }
    print(json.dumps(handlers[mode]()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child)
    backend = "sqlite" if args.sqlite else "postgres"
    for size in SIZES:
        build(backend, size)
    runs = {size: [] for size in SIZES}
    for n in range(args.rounds):
        for size in SIZES:  # ABAB...
            runs[size].append(_child(database_url(backend, size), "measure"))
        print(f"[{backend}] round {n + 1}/{args.rounds} done", flush=True)
    small, large = SIZES
    print(f"\n{backend}: {large:,} vs {small:,} admin relationships, {args.rounds} interleaved rounds, "
          f"median of {REQUESTS} requests per page per round")  # fmt: skip
    print(f"{'page':<30} {'1k ms':>7} {'100k ms':>8} {'ratio':>6} {'spread':>13} {'queries':>9}")
    ok = True
    for label, _path in PAGES:
        rs = [
            b[label]["ms"] / a[label]["ms"] for a, b in zip(runs[small], runs[large], strict=True)
        ]
        q_small, q_large = runs[small][0][label]["q"], runs[large][0][label]["q"]
        ratio = statistics.median(rs)
        ok &= ratio <= 1.3 and q_small == q_large
        print(
            f"{label:<30} {statistics.median(r[label]['ms'] for r in runs[small]):>7.1f} "
            f"{statistics.median(r[label]['ms'] for r in runs[large]):>8.1f} {ratio:>5.2f}x "
            f"{min(rs):>5.2f}–{max(rs):<5.2f}  {q_small:>3} / {q_large:<3}"
        )
    print("goal: every ratio <= 1.3x, equal query counts:", "met" if ok else "NOT met")
    print("\nthe daily lifecycle job (rolled back):")
    for size in SIZES:
        r = _child(database_url(backend, size), "lifecycle")
        print(
            f"  {size:>7,} relationships: {r['seconds']:.2f} s, {r['statements']} SQL statements; "
            f"{r['requests_expired']} requests expired, {r['extended']} extended, {r['expired']} expired, "
            f"{r['notices']} notices"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
