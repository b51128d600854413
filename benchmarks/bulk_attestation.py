"""Confirm in bulk: 100 000 rows validated and recorded vs a raw bulk_create of the same rows.

Run by hand (not in CI), from the project folder; the first run builds the
databases (100 000 customers each), later runs reuse them:

    .venv/bin/python benchmarks/bulk_attestation.py               # SQLite and PostgreSQL
    .venv/bin/python benchmarks/bulk_attestation.py --postgres --rounds 3

Databases: ``benchmarks/results/bulk-<N>.sqlite3`` and PostgreSQL ``pc_bulk_<N>``
on 127.0.0.1 (trust auth): the demo data plus N customers served by Fabrikam.

Each round runs, in fresh processes, A) ``AgreementAcceptance.objects.bulk_create``
of the N confirmations (batches of 1 000, one transaction) and B) the whole bulk
path on a CSV of the same N rows: ``bulk_validate`` (the background job after an
upload) then ``bulk_record`` (after **Confirm**: every rule again, the records,
the status rows, N audit events) — ABAB…, each rolled back afterwards so every
round starts from the same data. Prints the median B/A ratio with its spread and
the bulk process's peak memory. Goals: ratio <= 3, memory < 500 MB.

A leaves ``created_at`` to the model's database default, as a plain
``bulk_create`` of the rows does. B gives it the database's clock read once per
batch, which lets PostgreSQL insert through UNNEST; ``--clock`` gives A the same.
B's jobs pause Python's garbage collector (``agreements.bulk.jobs._collector_paused``);
``--pause-gc`` pauses it for A too. Both options together are the strictest
comparison.
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
PG = "postgres://postgres@127.0.0.1:5432/{name}"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "bulkatt"
AGENT = "adminagent@fabrikam.example"


def database_url(backend: str, rows: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{RESULTS / f'bulk-{rows}.sqlite3'}"
    return PG.format(name=f"pc_bulk_{rows}")


def _run(url: str, *args: str, capture=True) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    return subprocess.run(  # noqa: S603 - this project's scripts with fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    ).stdout


def _child(url: str, mode: str, rows: int, *extra: str) -> dict:
    out = _run(url, __file__, "--child", mode, "--rows", str(rows), *extra)
    return json.loads(out.strip().splitlines()[-1])


def build(backend: str, rows: int) -> None:
    """Create the database with the demo data and ``rows`` customers, once."""
    url = database_url(backend, rows)
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            name = f"pc_bulk_{rows}"
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f"CREATE DATABASE {name}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    _run(url, "manage.py", "migrate", "--noinput")
    if _child(url, "count", rows)["customers"] == 0:
        _run(url, "manage.py", "seed_demo", capture=True)
        print(f"[{backend}] adding {rows:,} customers...", flush=True)
        _child(url, "customers", rows)


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log while timing


def _customers(rows: int) -> list[tuple]:
    """``(pk, domain prefix, company name)`` of the benchmark's customers (light: the
    bulk process's peak memory should be the job's, not this script's)."""
    from customers.models import Customer

    return list(
        Customer.objects.filter(domain_prefix__startswith=PREFIX)
        .order_by("pk")
        .values_list("pk", "domain_prefix", "company_name")[:rows]
    )


def child_count(rows: int) -> dict:
    from customers.models import Customer

    return {"customers": Customer.objects.filter(domain_prefix__startswith=PREFIX).count()}


def child_customers(rows: int) -> dict:
    """``rows`` Korean customers served by Fabrikam, with their status rows."""
    from django.db import connection, transaction

    from agreements.statusrows import agreement_status_sync_many
    from customers.models import Customer
    from partnercenter.models import User
    from relationships.models import ResellerRelationship

    partner = User.objects.get(username=AGENT).partner
    with transaction.atomic():
        made = Customer.objects.bulk_create(
            (
                Customer(
                    company_name=f"Bulk Attest {n:06d}",
                    domain_prefix=f"{PREFIX}{n:06d}",
                    country="KR",
                    address_line1="1 Teheran-ro",
                    city="Seoul",
                    language="ko",
                    culture="ko-KR",
                    contact_first_name="Minji",
                    contact_last_name="Kang",
                    contact_email=f"it@{PREFIX}{n:06d}.example",
                )
                for n in range(rows)
            ),
            batch_size=2000,
        )
        ResellerRelationship.objects.bulk_create(
            (
                ResellerRelationship(
                    partner=partner, customer=c, state=ResellerRelationship.State.ACTIVE
                )
                for c in made
            ),
            batch_size=2000,
        )
        agreement_status_sync_many([c.pk for c in made])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"customers": len(made)}


def _row(n: int, domain: str) -> tuple:
    return (
        domain,
        "민지",
        "Kang",
        f"minji.kang{n}@{domain}.example",
        f"02-3{n % 1000:03d}-{n % 10000:04d}",
        "2026-11-01",
    )


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_raw(rows: int, clock: bool = False, pause_gc: bool = False) -> dict:
    """A: the rows' records made from their values (the phone as E.164 text) and
    ``bulk_create``d, rolled back; with ``clock``, ``created_at`` given the database's
    clock once per 1 000 (as B does) instead of the column's default; with ``pause_gc``,
    the garbage collector paused (as B's jobs do)."""
    import datetime
    import gc

    from django.db import transaction
    from phonenumber_field.phonenumber import to_python

    from agreements.models import AgreementAcceptance, AgreementTemplate
    from partnercenter.models import User, database_now

    user = User.objects.get(username=AGENT)
    template = AgreementTemplate.objects.current()
    values = []
    for n, (pk, domain, _name) in enumerate(_customers(rows)):
        _domain, first, last, email, phone, _day = _row(n, domain)
        values.append((pk, first, last, email, to_python(phone, region="KR").as_e164))
    day = datetime.date(2026, 11, 1)
    if pause_gc:
        gc.disable()
    with transaction.atomic():
        started = time.perf_counter()
        for start in range(0, len(values), 1000):
            clocked = {"created_at": database_now()} if clock else {}
            AgreementAcceptance.objects.bulk_create(
                AgreementAcceptance(
                    customer_id=pk,
                    partner=user.partner,
                    template=template,
                    date_agreed=day,
                    first_name=first,
                    last_name=last,
                    email=email,
                    phone=phone,
                    method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
                    recorded_by=user,
                    **clocked,
                )
                for pk, first, last, email, phone in values[start : start + 1000]
            )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"s": elapsed, "rows": len(values)}


def child_bulk(rows: int) -> dict:
    """B: the bulk path on a CSV of the same rows — validate, then record — rolled back."""
    import csv
    import io

    from django.db import transaction

    from agreements.bulk.jobs import bulk_record, bulk_validate
    from agreements.compliance import BULK_COLUMNS
    from agreements.models import AgreementAcceptance, AgreementTemplate, BulkAttestation
    from partnercenter.models import AuditEvent, User

    user = User.objects.get(username=AGENT)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(BULK_COLUMNS)
    for n, (_pk, domain, name) in enumerate(_customers(rows)):
        _domain, first, last, email, phone, day = _row(n, domain)
        writer.writerow([domain, "", name, first, last, email, phone, day])
    content = text.getvalue()
    del text
    before_mb = _rss_mb()
    with transaction.atomic():
        started = time.perf_counter()
        job = BulkAttestation.objects.create(
            partner=user.partner,
            created_by=user,
            file_name="bench.csv",
            content=content,
            template=AgreementTemplate.objects.current(),
        )
        job = bulk_validate(job)
        validated = time.perf_counter()
        assert job.valid_rows == rows, (job.valid_rows, job.invalid_rows, job.error)
        BulkAttestation.objects.filter(pk=job.pk).update(
            state=BulkAttestation.State.RECORDING, mode=BulkAttestation.Mode.ALL_OR_NOTHING
        )
        job = bulk_record(job)
        elapsed = time.perf_counter() - started
        recorded = AgreementAcceptance.objects.filter(partner=user.partner).count()
        events = AuditEvent.objects.filter(object_type="acceptance").count()
        assert job.recorded_rows == rows, job.recorded_rows
        transaction.set_rollback(True)
    return {
        "s": elapsed,
        "validate_s": validated - started,
        "rows": job.recorded_rows,
        "records": recorded,
        "events": events,
        "peak_mb": _rss_mb(),
        "start_mb": before_mb,
    }


def benchmark(
    backend: str, rows: int, rounds: int, clock: bool = False, pause_gc: bool = False
) -> bool:
    build(backend, rows)
    url = database_url(backend, rows)
    raw, path = [], []
    options = [*(["--clock"] if clock else []), *(["--pause-gc"] if pause_gc else [])]
    for n in range(rounds):
        raw.append(_child(url, "raw", rows, *options))
        path.append(_child(url, "bulk", rows))
        print(
            f"[{backend}] round {n + 1}/{rounds}: raw {raw[-1]['s']:.2f} s, "
            f"bulk {path[-1]['s']:.2f} s (validate {path[-1]['validate_s']:.2f} s), "
            f"memory {path[-1]['start_mb']:.0f} MB before the job, peak {path[-1]['peak_mb']:.0f} MB",
            flush=True,
        )
    ratios = [b["s"] / a["s"] for a, b in zip(raw, path, strict=True)]
    ratio = statistics.median(ratios)
    peak = max(p["peak_mb"] for p in path)
    print(
        f"\n{backend}: {rows:,} rows, {rounds} interleaved rounds\n"
        f"  raw bulk_create {' '.join(options)}    "
        f"{statistics.median(a['s'] for a in raw):6.2f} s\n"
        f"  validate + record   {statistics.median(b['s'] for b in path):6.2f} s "
        f"(validate {statistics.median(b['validate_s'] for b in path):.2f} s)\n"
        f"  ratio {ratio:.2f}x (spread {min(ratios):.2f}–{max(ratios):.2f}), "
        f"peak memory of the bulk process {peak:.0f} MB"
    )
    ok = ratio <= 3 and peak < 500
    print("  goal: ratio <= 3x, memory < 500 MB:", "met" if ok else "NOT met")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clock", action="store_true", help="A gives created_at as B does")
    parser.add_argument("--pause-gc", action="store_true", help="A pauses the GC as B does")
    parser.add_argument("--child", choices=["count", "customers", "raw", "bulk"])
    args = parser.parse_args()
    if args.child == "raw":
        _setup()
        print(json.dumps(child_raw(args.rows, clock=args.clock, pause_gc=args.pause_gc)))
        return
    if args.child:
        _setup()
        modes = {
            "count": child_count,
            "customers": child_customers,
            "raw": child_raw,
            "bulk": child_bulk,
        }
        print(json.dumps(modes[args.child](args.rows)))
        return
    both = not (args.sqlite or args.postgres)
    results = []
    if args.sqlite or both:
        results.append(benchmark("sqlite", args.rows, args.rounds, args.clock, args.pause_gc))
    if args.postgres or both:
        results.append(benchmark("postgres", args.rows, args.rounds, args.clock, args.pause_gc))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
