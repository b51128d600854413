"""Benchmark the Customers page at 1 000 and 100 000 customers, on SQLite and PostgreSQL.

Run by hand (not in CI), from the project folder:

    .venv/bin/python benchmarks/customer_list.py            # both databases
    .venv/bin/python benchmarks/customer_list.py --sqlite   # one of them
    .venv/bin/python benchmarks/customer_list.py --postgres

Each database starts empty (a temporary SQLite file; a scratch PostgreSQL
database ``partnercenter_bench`` on 127.0.0.1, created and dropped here). The
demo data is loaded, then the direct-bill partner gets 1 000 customers, then
100 000. At each size the script reports the median server time of 50 requests
(Django test client, Admin agent signed in) for the Customers page and for a
minimal signed-in page (Change password), their ratio, and the number of SQL
queries per Customers page. Targets: the same query count at both sizes, and
the 100 000-customer page within 2x of the 1 000-customer page.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 50
SIZES = (1_000, 100_000)
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "partnercenter_bench"


def measure(client, url, n=REQUESTS):
    client.get(url)  # warm caches, templates and the query planner
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def run_here(label):
    """Load data and measure against the database in DATABASE_URL (a child process)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    import warnings

    import django

    # WhiteNoise warns that collectstatic hasn't run; pages don't need it here.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partnercenter.management.demo import demo_bulk_customers, demo_seed
    from partnercenter.models import User

    call_command("migrate", verbosity=0)
    demo_seed()
    settings.DEBUG = False  # no query log while timing
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="adminagent@fabrikam.example"))
    rows = []
    loaded = 0
    for size in SIZES:
        started = time.monotonic()
        demo_bulk_customers(size - loaded)
        loaded = size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seeded = time.monotonic() - started
        page = measure(client, "/customers/")
        minimal = measure(client, "/accounts/password_change/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/customers/")
        rows.append((size, page, minimal, len(queries.captured_queries), seeded))
    print(f"\n{label} ({connection.vendor}, Django test client, median of {REQUESTS} requests)")
    print(
        f"{'customers':>10} {'Customers page':>15} {'minimal page':>13} {'ratio':>6} {'queries':>8} {'seed s':>7}"
    )
    for size, page, minimal, count, seeded in rows:
        print(
            f"{size:>10,} {page * 1000:>12.1f} ms {minimal * 1000:>10.1f} ms "
            f"{page / minimal:>6.1f} {count:>8} {seeded:>7.1f}"
        )
    (small, large) = rows
    growth = large[1] / small[1]
    print(
        f"100 000 vs 1 000: {growth:.2f}x time (target <= 2x); queries {small[3]} vs {large[3]} (target equal)"
    )
    return growth <= 2 and small[3] == large[3]


def child(database_url, label):
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}
    return subprocess.run(  # noqa: S603 - runs this script with fixed arguments
        [sys.executable, __file__, "--child", label], env=env, cwd=ROOT, check=False
    ).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--child", metavar="LABEL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.exit(0 if run_here(args.child) else 1)
    both = not (args.sqlite or args.postgres)
    failures = 0
    if args.sqlite or both:
        with tempfile.TemporaryDirectory() as folder:
            failures += child(f"sqlite:///{folder}/bench.sqlite3", "SQLite") != 0
    if args.postgres or both:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH}")
            conn.execute(f"CREATE DATABASE {PG_BENCH}")
        try:
            failures += child(f"postgres://postgres@127.0.0.1:5432/{PG_BENCH}", "PostgreSQL") != 0
        finally:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH} WITH (FORCE)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
