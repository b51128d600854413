"""Races, for real (docs/qualities.md, Integrity): parallel HTTP requests against the live server.

Each test signs browsers in (real session cookies), reads the form page for its
CSRF token and one-time submission key as a browser would, then releases the
POSTs together from a barrier, each on its own server thread and database
connection. Duplicates must be 0, server errors 0, and every loser sees the
rule's message or lands on the winner's result page.

SQLite writes one transaction at a time, so these races can't happen there:
the module runs in CI's PostgreSQL pass.
"""

import http.client
import re
import threading
import time
import uuid
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from agreements.models import AgreementAcceptance
from customers.models import Customer, Offer, Subscription
from partnercenter.models import User
from partnercenter.tenant.roles import Role
from relationships.invitations import InvitationKind, invitation_url
from relationships.models import IndirectPartnership, Invitation, ResellerRelationship
from tests.customers.test_wizard import ACCOUNT, ATTEST
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    PartnerFactory,
    PartnershipInvitationFactory,
    ResellerRelationshipFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("data_migration_rows"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs parallel write transactions; SQLite runs one at a time (CI's PostgreSQL pass)",
    ),
]
TIMEOUT = 30


@dataclass
class Reply:
    status: int
    location: str
    body: str


class Browser:
    """One signed-in browser tab talking HTTP to the live server."""

    def __init__(self, live_server, user=None, client=None):
        self.host, self.port = urlsplit(live_server.url).netloc.split(":")
        if client is None:
            client = Client()
            client.force_login(user)
        self.cookies = {"sessionid": client.cookies["sessionid"].value}

    def _request(self, method, path, body=None) -> Reply:
        # The test server listens with a backlog of 10: a burst of connections may be
        # reset before it reads them. Retried as a browser's network stack would; a
        # repeated POST carries the same form key, so it can't act twice anyway.
        for attempt in range(5):
            try:
                return self._send(method, path, body)
            except (ConnectionResetError, ConnectionRefusedError, http.client.RemoteDisconnected):
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _send(self, method, path, body) -> Reply:
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
            return Reply(
                response.status, response.getheader("Location", ""), response.read().decode()
            )
        finally:
            conn.close()

    def get(self, path) -> Reply:
        return self._request("GET", path)

    def form(self, path) -> dict:
        """The hidden fields a browser would send back: CSRF token and submission key."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        fields = dict(
            re.findall(r'name="(csrfmiddlewaretoken|submission_key)" value="([^"]*)"', page.body)
        )
        assert {"csrfmiddlewaretoken", "submission_key"} <= set(fields), path
        return fields

    def post(self, path, data) -> Reply:
        return self._request("POST", path, urlencode(data, doseq=True))


def at_once(jobs) -> list[Reply]:
    """Run the callables in parallel threads, released together; return their replies."""
    barrier = threading.Barrier(len(jobs))
    replies: list = [None] * len(jobs)

    def run(i, job):
        barrier.wait(timeout=TIMEOUT)
        replies[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert all(r is not None for r in replies), "a request didn't finish"
    assert [r.status for r in replies if r.status >= 500] == [], [r.body[:200] for r in replies]
    return replies


def double_click(browser, path, data) -> list[Reply]:
    """The same form, posted twice at once (one page, so one key and one token)."""
    fields = {**browser.form(path), **data}
    return at_once([lambda: browser.post(path, fields)] * 2)


def same_result(replies):
    assert {r.status for r in replies} == {302}, [(r.status, r.body[:300]) for r in replies]
    assert len({r.location for r in replies}) == 1


@pytest.fixture
def agent(db):
    return UserFactory(roles=[Role.ADMIN_AGENT])


def confirmed_customer(partner):
    customer = ResellerRelationshipFactory(partner=partner).customer
    AgreementAcceptanceFactory(customer=customer, partner=partner)
    return customer


def test_a_double_clicked_new_order_creates_one_subscription(live_server, agent):
    browser = Browser(live_server, agent)
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    for _ in range(5):
        customer = confirmed_customer(agent.partner)
        path = reverse("customers:order_new", args=[customer.pk])
        same_result(double_click(browser, path, {"offer": offer.pk, "seats": 4}))
        assert Subscription.objects.filter(customer=customer).count() == 1


def test_a_double_clicked_send_records_one_invitation_and_sends_one_email(
    live_server, agent, run_jobs
):
    browser = Browser(live_server, agent)
    mail.outbox = []
    path = reverse("relationships:request")
    for round_ in range(5):
        data = {"subject": "Hi", "text": "Hello", "to_email": f"it{round_}@contoso.example"}
        same_result(double_click(browser, path, data))
    assert Invitation.objects.count() == 5
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == [f"it{n}@contoso.example" for n in range(5)]


def _customer_admin(customer):
    return UserFactory(
        partner=None, customer=customer, username=f"admin-{uuid.uuid4().hex}@x.example"
    )


def test_twenty_tabs_accepting_one_invitation_and_the_agreement_record_each_once(live_server):
    partner = PartnerFactory()
    customer = CustomerFactory()
    tabs = [Browser(live_server, _customer_admin(customer))]
    url = invitation_url(InvitationKind.RESELLER, partner=partner, base_url="/admincenter/")
    path = url.split("#")[0]
    forms = [tabs[0].form(path) for _ in range(20)]  # twenty tabs, twenty keys
    data = {"accept_relationship": "on", "accept_agreement": "on"}
    replies = at_once([lambda f=f: tabs[0].post(path, {**f, **data}) for f in forms])
    assert {r.status for r in replies} == {302}
    assert ResellerRelationship.objects.filter(customer=customer).count() == 1
    assert (
        AgreementAcceptance.objects.filter(
            customer=customer, method=AgreementAcceptance.Method.CUSTOMER_DIRECT
        ).count()
        == 1
    )


def test_twenty_concurrent_accepts_of_one_invitation_make_one_relationship(live_server):
    partner = PartnerFactory()
    customer = CustomerFactory()
    browsers = [Browser(live_server, _customer_admin(customer)) for _ in range(20)]
    path = invitation_url(InvitationKind.RESELLER, partner=partner, base_url="/admincenter/").split(
        "#"
    )[0]
    forms = [b.form(path) for b in browsers]
    replies = at_once(
        [
            lambda b=b, f=f: b.post(path, {**f, "accept_relationship": "on"})
            for b, f in zip(browsers, forms, strict=True)
        ]
    )
    assert {r.status for r in replies} == {302}
    assert ResellerRelationship.objects.filter(customer=customer, partner=partner).count() == 1


def _wizard_at_review(live_server, user, account=None) -> Browser:
    client = Client()
    client.force_login(user)
    assert client.post(reverse("customers:new"), {**ACCOUNT, **(account or {})}).status_code == 302
    assert client.post(reverse("customers:new_agreement"), ATTEST).status_code == 302
    return Browser(live_server, client=client)


def test_twenty_new_customers_racing_for_one_domain_make_one(live_server, agent):
    users = [UserFactory(partner=agent.partner, roles=[Role.ADMIN_AGENT]) for _ in range(20)]
    browsers = [_wizard_at_review(live_server, u) for u in users]
    path = reverse("customers:new_review")
    forms = [b.form(path) for b in browsers]
    replies = at_once(
        [lambda b=b, f=f: b.post(path, f) for b, f in zip(browsers, forms, strict=True)]
    )
    created = reverse("customers:created", args=[Customer.objects.get().pk])
    won = [r for r in replies if r.location == created]
    assert len(won) == 1 and Customer.objects.count() == 1
    assert User.objects.filter(customer__isnull=False).count() == 1
    for browser, reply in zip(browsers, replies, strict=True):
        if reply is won[0]:
            continue
        # Lost inside the insert: the review page says why. Lost before it (the winner had
        # committed): as when the domain is taken while the wizard is open, back to
        # Account info, where the message stands beside the domain field.
        if reply.status == 302:
            assert reply.location == reverse("customers:new")
            reply = browser.get(reply.location)
        assert reply.status == 200
        assert "This domain is already taken." in unescape(reply.body)


def test_a_double_submitted_wizard_final_step_creates_one_customer_and_shows_the_password(
    live_server, agent
):
    for round_ in range(3):
        browser = _wizard_at_review(live_server, agent, {"domain_prefix": f"double{round_}"})
        replies = double_click(browser, reverse("customers:new_review"), {})
        same_result(replies)
        assert Customer.objects.filter(domain_prefix=f"double{round_}").count() == 1
        confirmation = browser.get(urlsplit(replies[0].location).path)
        assert 'data-testid="temporary-password"' in confirmation.body


def test_identical_confirmations_once_per_click_and_a12_for_other_tabs(live_server, agent):
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    browser = Browser(live_server, agent)
    path = reverse("agreements:update", args=[customer.pk])
    data = {k: v for k, v in ATTEST.items() if k != "option"}
    same_result(double_click(browser, path, data))
    assert AgreementAcceptance.objects.filter(customer=customer).count() == 1

    # Ten tabs with the same (now existing) confirmation: each is told it exists.
    forms = [browser.form(path) for _ in range(10)]
    replies = at_once([lambda f=f: browser.post(path, {**f, **data}) for f in forms])
    assert {r.status for r in replies} == {200}
    assert all("This confirmation already exists." in unescape(r.body) for r in replies)
    assert AgreementAcceptance.objects.filter(customer=customer).count() == 1


def test_ten_new_identical_confirmations_at_once_record_one_a12(live_server, agent):
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    browser = Browser(live_server, agent)
    path = reverse("agreements:update", args=[customer.pk])
    data = {k: v for k, v in ATTEST.items() if k != "option"}
    forms = [browser.form(path) for _ in range(10)]
    replies = at_once([lambda f=f: browser.post(path, {**f, **data}) for f in forms])
    assert sorted(r.status for r in replies) == [200] * 9 + [302]
    assert all(
        "This confirmation already exists." in unescape(r.body) for r in replies if r.status == 200
    )
    assert AgreementAcceptance.objects.filter(customer=customer).count() == 1


def test_twenty_tabs_authorizing_one_listed_partnership_invitation_make_one(live_server):
    """The reseller's Global admins authorize from Indirect providers at once."""
    invitation = PartnershipInvitationFactory()
    admins = [UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN]) for _ in range(4)]
    browsers = [Browser(live_server, admins[n % 4]) for n in range(20)]
    path = reverse("relationships:partnership_invitation_review", args=[invitation.pk])
    forms = [b.form(path) for b in browsers]
    replies = at_once(
        [
            lambda b=b, f=f: b.post(path, {**f, "confirm": "on"})
            for b, f in zip(browsers, forms, strict=True)
        ]
    )
    assert IndirectPartnership.objects.filter(reseller=invitation.reseller).count() == 1
    assert sorted(r.status for r in replies) == [200] * 19 + [302]
    for reply in replies:
        if reply.status == 200:
            assert "This invitation was already accepted." in unescape(reply.body)


def test_twenty_concurrent_add_users_with_one_email_add_one(live_server):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN])
    browsers = [Browser(live_server, admin) for _ in range(20)]
    path = reverse("users:add")
    data = {"first_name": "Ada", "last_name": "Park", "email": "ada@fabrikam.example",
            "roles": "Admin agent"}  # fmt: skip
    forms = [b.form(path) for b in browsers]
    replies = at_once(
        [lambda b=b, f=f: b.post(path, {**f, **data}) for b, f in zip(browsers, forms, strict=True)]
    )
    assert User.objects.filter(email__iexact="ada@fabrikam.example").count() == 1
    assert sorted(r.status for r in replies) == [200] * 19 + [302]
    for reply in replies:
        if reply.status == 200:
            assert "This email address can't be used. Choose another." in unescape(reply.body)


def test_twenty_concurrent_confirmations_are_dated_in_the_order_they_were_written(
    live_server, agent
):
    """ "Current" is the last one committed: the database clock agrees with the write order."""
    customer = ResellerRelationshipFactory(partner=agent.partner).customer
    browser = Browser(live_server, agent)
    path = reverse("agreements:update", args=[customer.pk])
    data = {k: v for k, v in ATTEST.items() if k != "option"}
    forms = [browser.form(path) for _ in range(20)]
    replies = at_once(
        [lambda n=n, f=f: browser.post(path, {**f, **data, "first_name": f"P{n}"})
         for n, f in enumerate(forms)]
    )  # fmt: skip
    assert {r.status for r in replies} == {302}
    stamps = list(
        AgreementAcceptance.objects.filter(customer=customer)
        .order_by("pk")
        .values_list("created_at", flat=True)
    )
    assert len(stamps) == 20
    assert stamps == sorted(stamps), "a later write carries an earlier time"
