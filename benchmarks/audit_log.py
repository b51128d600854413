"""The activity log at 10 000 and 1 000 000 events, and what an event costs a service call.

Run by hand (not in CI), from the project folder; the first run builds the
databases (a million events take a few minutes), later runs reuse them:

    .venv/bin/python benchmarks/audit_log.py                 # PostgreSQL
    .venv/bin/python benchmarks/audit_log.py --sqlite        # SQLite instead
    .venv/bin/python benchmarks/audit_log.py --rounds 7

Part 1, INSERTs: on the small database, inside a transaction that is rolled
back, each service is called once with Django's query capture; the script
prints how many INSERTs (and other statements) each call sends to the audit
table. Goal: at most one INSERT per service call, nothing else.

Part 2, pages: databases ``pc_audit_<N>`` (or ``benchmarks/results/audit-<N>.sqlite3``)
hold the demo data plus ``N`` events spread over a year and over every demo
partner (Fabrikam, whose Global admin reads them, gets one in four; one
Fabrikam customer one in a hundred). Each round measures every page at 10k,
then at 1M (ABAB...), in fresh processes (Django test client, signed in, 15
requests per page after a warm-up; the median is the round's time). Printed:
the median 1M/10k ratio over the rounds with its spread (min–max), and the
SQL query count at both sizes. Goal: every ratio <= 1.3, equal query counts.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from partnercenter.signin.services import mfa_reset
from partnercenter.tenant.services import partner_user_create, partner_user_update_roles

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SIZES = (10_000, 1_000_000)
REQUESTS = 15
PG = "postgres://postgres@127.0.0.1:5432/{name}"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
READER = "globaladmin@fabrikam.example"
HEAVY = "contosokr"  # the Fabrikam customer that gets one event in a hundred

PAGES = [
    ("Activity log, page 1", "/settings/activity/"),
    ("Activity log, last page", "/settings/activity/?cursor=last"),
    ("Activity log, one event type", "/settings/activity/?event_type=customer.contact_changed"),
    ("Activity log, one customer", f"/settings/activity/?customer={HEAVY}"),
    ("History tab, busy customer", "/customers/{heavy}/history/"),
]


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{RESULTS / f'audit-{size}.sqlite3'}"
    return PG.format(name=f"pc_audit_{size}")


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}


def _child(url: str, mode: str) -> dict:
    out = subprocess.run(  # noqa: S603 - this script with fixed arguments
        [sys.executable, __file__, "--child", mode],
        cwd=ROOT,
        env=_env(url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(backend: str, size: int) -> None:
    """Create the database with the demo data and ``size`` events, unless it exists."""
    url = database_url(backend, size)
    if backend == "sqlite":
        RESULTS.mkdir(exist_ok=True)
        if (RESULTS / f"audit-{size}.sqlite3").exists():
            return
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            name = f"pc_audit_{size}"
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return
            conn.execute(f'CREATE DATABASE "{name}"')
    print(f"building {url} ...", flush=True)
    for args in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 - this project's manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=_env(url),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(json.dumps(_child(url, f"fill:{size}")))


# --- In the child process (Django set up) -------------------------------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    import django

    django.setup()


def child_fill(size: int) -> dict:
    """Insert ``size`` events: one in four Fabrikam's, one in a hundred about HEAVY."""
    import datetime
    import random

    from django.db import transaction
    from django.utils import timezone

    from customers.models import Customer
    from partnercenter.audit.events import EventType
    from partnercenter.models import AuditEvent, Partner, User

    rng = random.Random(13)  # noqa: S311 - reproducible test data, not secrets
    fabrikam = User.objects.get(username=READER).partner
    others = list(Partner.objects.exclude(pk=fabrikam.pk))
    heavy = Customer.objects.get(domain_prefix=HEAVY)
    customers = list(Customer.objects.values_list("pk", "company_name")[:500])
    actor = User.objects.get(username="adminagent@fabrikam.example")
    codes = [code for code, _ in EventType.choices()]
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for n in range(size):
        if n % 100 == 0:
            partner, customer = fabrikam, (heavy.pk, heavy.company_name)
        elif n % 4 == 0:
            partner, customer = fabrikam, rng.choice(customers)
        else:
            partner, customer = rng.choice(others), rng.choice(customers)
        batch.append(
            AuditEvent(
                created_at=now - datetime.timedelta(seconds=(size - n) * 31_536_000 / size),
                event_type=codes[n % len(codes)],
                actor=actor if partner == fabrikam else None,
                actor_kind="partner_user" if partner == fabrikam else "system",
                actor_name=actor.get_full_name() if partner == fabrikam else "",
                partner=partner,
                customer_id=customer[0],
                customer_name=customer[1],
                object_type="customer",
                object_id=str(customer[0]),
                object_repr=customer[1],
                before={"contact_last_name": "Kang"},
                after={"contact_last_name": f"N{n}"},
            )
        )
        if len(batch) == 10_000:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"events": AuditEvent.objects.count(), "seconds": round(time.perf_counter() - started)}


def child_measure() -> dict:
    """Median seconds and query count of each page, signed in as Fabrikam's Global admin."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer
    from partnercenter.models import User

    settings.DEBUG = False  # no query log while timing (and a clean one to count from)
    heavy = Customer.objects.get(domain_prefix=HEAVY).pk
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=READER))
    results = {}
    for label, path in PAGES:
        path = path.format(heavy=heavy)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        count = len(queries)  # now: the next request's start clears the query log
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        results[label] = {"seconds": statistics.median(times), "queries": count}
    return results


def child_inserts() -> dict:
    """Statements each service call sends to the audit table (rolled back afterwards)."""
    import datetime

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from agreements.services import acceptance_record
    from customers.models import Customer, Offer
    from customers.services import customer_update
    from customers.workflows import order_place
    from partnercenter.models import User
    from partnercenter.tenant.roles import Role
    from relationships.models import ResellerRelationship
    from relationships.services import invitation_send, relationship_remove

    agent = User.objects.get(username="adminagent@fabrikam.example")
    admin = User.objects.get(username=READER)
    heavy = Customer.objects.get(domain_prefix=HEAVY)
    calls = {
        "customers.services.customer_update (contact)": lambda: customer_update(
            user=agent, customer=heavy, values={"contact_last_name": "Bench"}
        ),
        "agreements.services.acceptance_record": lambda: acceptance_record(
            customer=heavy,
            user=agent,
            date_agreed=datetime.date.today() - datetime.timedelta(days=1),
            first_name="Bench",
            last_name="Mark",
            email="bench@contoso.example",
        ),
        "customers.workflows.order_place": lambda: order_place(
            user=agent, customer=heavy, offer=Offer.objects.filter(seat_based=True)[0], seats=3
        ),
        "relationships.services.invitation_send": lambda: invitation_send(
            user=agent, to_email="it@bench.example", subject="Invite", text="", dap=False
        ),
        "partnercenter.tenant.services.partner_user_create": lambda: partner_user_create(
            partner=admin.partner,
            first_name="Bench",
            last_name="User",
            email="bench.user@fabrikam.example",
            roles=[Role.SALES_AGENT],
            acting_user=admin,
        ),
        "partnercenter.tenant.services.partner_user_update_roles": lambda: (
            partner_user_update_roles(
                user=agent, roles=[Role.ADMIN_AGENT, Role.SALES_AGENT], acting_user=admin
            )
        ),
        "partnercenter.signin.services.mfa_reset": lambda: mfa_reset(user=agent, acting_user=admin),
        "relationships.services.relationship_remove": lambda: relationship_remove(
            user=agent,
            relationship=ResellerRelationship.objects.filter(partner=agent.partner, state="active")
            .exclude(customer__subscriptions__state="active")
            .first(),
            confirmed=True,
        ),
    }
    results = {}
    for label, call in calls.items():
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                call()
            transaction.set_rollback(True)
        audit = [q["sql"] for q in queries if "partnercenter_auditevent" in q["sql"]]
        results[label] = {
            "inserts": sum(sql.lstrip().upper().startswith("INSERT") for sql in audit),
            "other": sum(not sql.lstrip().upper().startswith("INSERT") for sql in audit),
            "total_queries": len(queries),
        }
    return results


def run_child(mode: str) -> None:
    _django()
    if mode.startswith("fill:"):
        result = child_fill(int(mode.split(":")[1]))
    else:
        result = {"measure": child_measure, "inserts": child_inserts}[mode]()
    print(json.dumps(result))


# --- The parent --------------------------------------------------------------------------


def benchmark(backend: str, rounds: int) -> bool:
    for size in SIZES:
        build(backend, size)
    small, large = (database_url(backend, size) for size in SIZES)
    print(f"\n{backend}: statements per service call on the audit table")
    inserts_ok = True
    for label, row in _child(small, "inserts").items():
        print(f"  {label:55} INSERT {row['inserts']}  other {row['other']}")
        inserts_ok &= row["inserts"] <= 1 and row["other"] == 0
    ratios = {label: [] for label, _ in PAGES}
    queries = {}
    for _ in range(rounds):
        a = _child(small, "measure")
        b = _child(large, "measure")
        for label, _ in PAGES:
            ratios[label].append(b[label]["seconds"] / a[label]["seconds"])
            queries[label] = (a[label]["queries"], b[label]["queries"])
    print(f"\n{backend}: 1M/10k events, {rounds} rounds ABAB, median (min–max); queries 10k/1M")
    pages_ok = True
    for label, values in ratios.items():
        median = statistics.median(values)
        pages_ok &= median <= 1.3 and queries[label][0] == queries[label][1]
        print(
            f"  {label:32} {median:5.2f}× ({min(values):.2f}–{max(values):.2f})"
            f"  queries {queries[label][0]}/{queries[label][1]}"
        )
    return inserts_ok and pages_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    ok = benchmark("sqlite" if args.sqlite else "postgres", args.rounds)
    print("\ngoal met" if ok else "\ngoal NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
