"""The email outbox: recorded with its cause, sent by the worker, retried, resent."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partnercenter.delivery.outbox import LINK_HIDDEN, backoff, email_deliver, email_enqueue
from partnercenter.models import OutboundEmail
from partnercenter.tenant.roles import Role
from relationships import services as relationship_services
from relationships.invitations import InvitationKind, invitation_url
from relationships.models import Invitation, PartnershipInvitation
from tests.factories import (
    CustomerFactory,
    OutboundEmailFactory,
    PartnerFactory,
    PartnershipInvitationFactory,
    UserFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db

SEND = {"subject": "Hi", "text": "Hello", "to_email": "it@contoso.example"}


def _send(user, to="it@contoso.example"):
    return relationship_services.invitation_send(
        user=user, to_email=to, subject="Hi", text="Hello", dap=False
    )


def test_the_email_and_its_job_commit_with_the_invitation(admin_agent):
    invitation = _send(admin_agent)
    email = OutboundEmail.objects.get()
    assert (email.kind, email.to_email, email.state, email.caused_by, email.partner) == (
        "customer_invitation",
        "it@contoso.example",
        "queued",
        admin_agent,
        admin_agent.partner,
    )
    assert email.about_id == str(invitation.pk) and invitation.url in email.body
    job = DBTaskResult.objects.get()
    assert job.task_path == "partnercenter.delivery.outbox.email_deliver"
    assert job.args_kwargs["args"] == [email.pk]
    assert not mail.outbox  # nothing leaves inside the request


def test_a_rolled_back_invitation_leaves_no_email_and_no_job(admin_agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(admin_agent)
        assert OutboundEmail.objects.count() == 1
        raise RuntimeError("the request failed after sending")
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()


def test_the_worker_sends_it_once_however_often_the_job_runs(admin_agent, run_jobs):
    _send(admin_agent)
    run_jobs()
    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at is not None
    assert email_deliver.call(email.pk) == "skipped"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["it@contoso.example"]


def test_a_mail_server_that_is_down_never_breaks_the_page_and_ends_failed(
    client, admin_agent, mail_server, run_jobs, settings, caplog
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    client.force_login(admin_agent)
    response = client.post(reverse("relationships:request"), SEND, follow=True)
    assert response.status_code == 200
    assert Invitation.objects.count() == 1
    run_jobs()
    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in email.last_error or "refused" in email.last_error
    # Each attempt is logged once, for the operator who watches the logs.
    attempts = [r for r in caplog.records if r.name == "partnercenter.delivery"]
    assert [(r.delivery, r.attempt, r.state) for r in attempts] == [
        ("email", 1, "queued"),
        ("email", 2, "queued"),
        ("email", 3, "failed"),
    ]
    assert all(r.levelname == "WARNING" and r.error == email.last_error for r in attempts)
    page = client.get(reverse("relationships:request")).content.decode()
    assert 'data-state="failed"' in page and "Resend" in page


def test_resend_sends_a_failed_email_once_the_server_is_back(
    client, admin_agent, mail_server, run_jobs, settings
):
    settings.EMAIL_MAX_ATTEMPTS = 2
    client.force_login(admin_agent)
    client.post(reverse("relationships:request"), SEND)
    run_jobs()
    email = OutboundEmail.objects.get()
    assert email.state == "failed"

    mail_server.start()
    back = reverse("relationships:request")
    response = client.post(reverse("outbox_resend", args=[email.pk]), {"next": back})
    assert response.status_code == 302 and response.url == back
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("queued", 0)
    run_jobs()
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == ("sent", 1, "")
    assert [to for to, _ in mail_server.messages] == [["it@contoso.example"]]
    assert "Subject: Hi" in mail_server.messages[0][1]
    assert 'data-state="sent"' in client.get(back).content.decode()


def test_resend_of_an_email_that_did_not_fail_says_so(client, admin_agent, run_jobs):
    client.force_login(admin_agent)
    client.post(reverse("relationships:request"), SEND)
    run_jobs()
    email = OutboundEmail.objects.get()
    response = client.post(reverse("outbox_resend", args=[email.pk]), follow=True)
    assert response.status_code == 200
    assert "Only a message that failed can be sent again." in response.content.decode()
    email.refresh_from_db()
    assert email.state == "sent" and len(mail.outbox) == 1


def test_a_failure_waits_twice_as_long_each_time(admin_agent, mail_server, settings):
    settings.RETRY_BASE_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    _send(admin_agent)
    email = OutboundEmail.objects.get()
    before = timezone.now()
    assert email_deliver.call(email.pk) == "queued"
    email.refresh_from_db()
    assert email.attempts == 1 and email.state == "queued"
    assert before + timedelta(seconds=59) < email.next_attempt_at < before + timedelta(seconds=65)
    retry = DBTaskResult.objects.exclude(status="SUCCESSFUL").order_by("-enqueued_at").first()
    assert retry.run_after == email.next_attempt_at
    # Not due yet: running the job early does nothing.
    assert email_deliver.call(email.pk) == "skipped"


def test_a_double_clicked_send_enqueues_one_email(client, admin_agent, run_jobs):
    client.force_login(admin_agent)
    data = {**SEND, "submission_key": "6f1c1f0e-9a53-4a63-9d55-6d86f0bb2f10"}
    client.post(reverse("relationships:request"), data)
    client.post(reverse("relationships:request"), data)
    run_jobs()
    assert OutboundEmail.objects.count() == 1 and len(mail.outbox) == 1


def test_a_partnership_invitation_link_is_stored_only_sealed(client, run_jobs):
    provider_agent = UserFactory(
        partner__partner_type="indirect_provider", roles=[Role.ADMIN_AGENT]
    )
    reseller = PartnerFactory(partner_type="indirect_reseller")
    client.force_login(provider_agent)
    client.post(
        reverse("relationships:partnership_invite"),
        {"reseller": reseller.mpn_id, "email": "ga@r.example"},
    )
    email = OutboundEmail.objects.get()
    assert LINK_HIDDEN in email.body and "/indirect-providers/authorize/" not in email.body
    assert email.sealed_body
    run_jobs()
    link = re.search(r"/indirect-providers/authorize/(\S+)/", mail.outbox[0].body)
    assert link and link[1] not in email.body
    email.refresh_from_db()
    assert email.state == "sent" and email.sealed_body == ""


def test_the_inviting_agent_learns_the_customer_accepted(client, admin_agent, run_jobs):
    _send(admin_agent)
    run_jobs()
    customer = CustomerFactory(company_name="Contoso Korea")
    customer_admin = UserFactory(partner=None, customer=customer, email="admin@contoso.example")
    url = invitation_url(InvitationKind.RESELLER, partner=admin_agent.partner, dap=False)
    client.force_login(customer_admin)
    path = url.split("127.0.0.1:8000", 1)[-1]
    for _ in range(2):  # accepting twice tells nobody twice
        client.post(path, {"accept_relationship": "on", "accept_agreement": "on"})
    run_jobs()
    notices = OutboundEmail.objects.filter(kind="acceptance_notice")
    assert [n.to_email for n in notices] == [admin_agent.email]
    assert notices[0].state == "sent"
    assert "Contoso Korea accepted your reseller relationship" in mail.outbox[-1].subject
    assert "also accepted the Microsoft Customer Agreement" in mail.outbox[-1].body


def test_the_provider_learns_the_reseller_authorized_it(client, run_jobs):
    invitation = PartnershipInvitationFactory()
    reseller_admin = UserFactory(partner=invitation.reseller, roles=[Role.GLOBAL_ADMIN])
    client.force_login(reseller_admin)
    client.post(reverse("relationships:authorize", args=[invitation.token]), {"confirm": "on"})
    run_jobs()
    invitation.refresh_from_db()
    assert invitation.state == PartnershipInvitation.State.ACCEPTED
    assert [m.to for m in mail.outbox] == [[invitation.sent_by.email]]
    assert "authorized you as their indirect provider" in mail.outbox[0].subject


def test_a_worker_that_died_mid_send_leaves_the_email_to_be_sent_again(admin_agent, settings):
    from partnercenter.delivery.outbox import emails_requeue_stuck

    _send(admin_agent)
    email = OutboundEmail.objects.get()
    stuck = timezone.now() - timedelta(minutes=settings.DELIVERY_STUCK_MINUTES + 1)
    OutboundEmail.objects.filter(pk=email.pk).update(state="sending", claimed_at=stuck, attempts=1)
    assert emails_requeue_stuck() == 1
    assert email_deliver.call(email.pk) == "sent"


def test_resend_matrix(client):
    def build(partner):
        return reverse("outbox_resend", args=[OutboundEmailFactory(partner=partner).pk])

    assert_permission_matrix(
        client,
        build_url=build,
        method="post",
        allowed=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT],
    )


def test_email_enqueue_records_what_it_is_about(admin_agent):
    email = email_enqueue(
        kind=OutboundEmail.Kind.ACCEPTANCE_NOTICE,
        to_email="x@y.example",
        subject="  A\nsubject  ",
        body="Body",
        about=admin_agent,
    )
    assert email.subject == "A subject" and email.about_type.model == "user"


def test_an_acceptance_from_the_agreement_link_tells_the_serving_partners_admins(
    client, admin_agent, make_user, run_jobs
):
    from relationships.models import ResellerRelationship

    sales = make_user(Role.SALES_AGENT)
    customer = CustomerFactory(company_name="Haeundae Resort")
    ResellerRelationship.objects.create(partner=admin_agent.partner, customer=customer)
    customer_admin = UserFactory(partner=None, customer=customer)
    client.force_login(customer_admin)
    url = invitation_url(InvitationKind.AGREEMENT).split("127.0.0.1:8000", 1)[-1]
    for _ in range(2):
        client.post(url, {"accept_agreement": "on"})
    run_jobs()
    assert [m.to for m in mail.outbox] == [[admin_agent.email]]
    assert sales.email not in {m.to[0] for m in mail.outbox}
    assert "Haeundae Resort accepted the Microsoft Customer Agreement" in mail.outbox[0].subject
