"""What a user's **Send** costs when the mail server is slow or down.

Run by hand (not in CI), from the project folder of the commit to measure:

    .venv/bin/python benchmarks/mail_outage.py --mode slow --delay 3 --requests 5
    .venv/bin/python benchmarks/mail_outage.py --mode down --requests 5

It makes a throw-away SQLite database with the demo data, points Django's SMTP
backend at a local aiosmtpd server that waits ``--delay`` seconds before
accepting each message (``slow``) or at a port where nothing listens
(``down``), signs in Fabrikam's Admin agent and posts Request a reseller
relationship's **Send** ``--requests`` times. Prints each answer's status
(``500`` for an exception) and the median and spread of the request times.
Compare commits by running it in each checkout in turns (ABAB...).
"""

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlowHandler:
    def __init__(self, delay):
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.count += 1
        return "250 OK"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["slow", "down"], default="slow")
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()

    database = Path(tempfile.mkdtemp()) / "mail_outage.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from partnercenter.models import User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    port = free_port()
    controller = None
    if args.mode == "slow":
        from aiosmtpd.controller import Controller

        controller = Controller(SlowHandler(args.delay), hostname="127.0.0.1", port=port)
        controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 30

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="adminagent@fabrikam.example"))
    times, statuses = [], []
    for n in range(args.requests):
        started = time.perf_counter()
        try:
            response = client.post(
                "/customers/request-relationship/",
                {"subject": "Hi", "text": "Hello", "to_email": f"it{n}@contoso.example"},
            )
            statuses.append(response.status_code)
        except Exception as exc:  # the old in-request send raised here
            statuses.append(f"500 ({type(exc).__name__})")
        times.append(time.perf_counter() - started)
    if controller is not None:
        controller.stop()
    times_ms = [t * 1000 for t in times]
    print(f"mode={args.mode} delay={args.delay}s statuses={statuses}")
    print(
        f"request ms: median {statistics.median(times_ms):.0f}, "
        f"min {min(times_ms):.0f}, max {max(times_ms):.0f}"
    )


if __name__ == "__main__":
    main()
