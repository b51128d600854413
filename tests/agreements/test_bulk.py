"""Confirm in bulk: every row by the one-row rules, all or nothing, never twice."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.bulk import checks, files, jobs
from agreements.models import (
    AgreementAcceptance,
    AgreementStatusRow,
    AgreementTemplate,
    BulkAttestation,
)
from agreements.services import acceptance_record, agreement_template_save
from agreements.statusrows import agreement_status_sync_many
from customers.models import Customer
from partnercenter.models import AuditEvent, Partner, database_now
from partnercenter.tenant.roles import MATRIX, Action, Role
from relationships.models import ResellerRelationship
from tests.agreements.test_compliance import new_version
from tests.agreements.test_status_rows import assert_rows_are_derivable
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    UserFactory,
)
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
ATTESTERS = {role for role in Role if Action.ATTEST_AGREEMENT in MATRIX[role]}
HEADER = "domain,tenant_id,company_name,first_name,last_name,email,phone,date_agreed"
DAY = "2026-11-01"


def customers_of(partner, n, *, prefix="bulk", **fields):
    """``n`` customers served by ``partner``, made in three INSERTs (not n factories)."""
    made = Customer.objects.bulk_create(
        [
            CustomerFactory.build(
                company_name=f"{prefix.title()} {i:05d}", domain_prefix=f"{prefix}{i:05d}", **fields
            )
            for i in range(n)
        ]
    )
    ResellerRelationship.objects.bulk_create(
        ResellerRelationship(partner=partner, customer=c, state=ResellerRelationship.State.ACTIVE)
        for c in made
    )
    agreement_status_sync_many([c.pk for c in made])
    return made


def line(customer, *, first="Minji", last="Kang", email=None, phone="", day=DAY, sep=","):
    email = email or f"it@{customer.domain_prefix}.example"
    cells = [customer.domain_prefix, "", customer.company_name, first, last, email, phone, day]
    return sep.join(cells)


def upload(client, text, *, name="confirmations.csv", encoding="utf-8"):
    return client.post(
        reverse("agreements:bulk_new"),
        {"file": SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")},
    )


def job_of(response) -> BulkAttestation:
    assert response.status_code == 302, response.content[:2000]
    return BulkAttestation.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def confirm(client, job, run_jobs, mode="all"):
    response = client.post(reverse("agreements:bulk_detail", args=[job.pk]), {"mode": mode})
    assert response.status_code == 302
    run_jobs()
    job.refresh_from_db()
    return job


def checked(client, run_jobs, text, **kwargs) -> BulkAttestation:
    job = job_of(upload(client, text, **kwargs))
    run_jobs()
    job.refresh_from_db()
    assert job.state == BulkAttestation.State.VALIDATED, job.error
    return job


def problems(job):
    return {p.row_number: (p.status, p.message) for p in job.problems.all()}


@pytest.fixture
def agent(admin_agent, client):
    client.force_login(admin_agent)
    return admin_agent


def test_1001_valid_rows_record_exactly_1001_confirmations(client, agent, run_jobs, monkeypatch):
    # Batches of 100 and INSERTs of 250: a lost row at any boundary shows.
    monkeypatch.setattr(checks, "BATCH", 100)
    monkeypatch.setattr(jobs, "BATCH", 100)
    monkeypatch.setattr(jobs, "INSERT_BATCH", 250)
    made = customers_of(agent.partner, 1001)
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))
    assert (job.total_rows, job.valid_rows, job.invalid_rows) == (1001, 1001, 0)
    job = confirm(client, job, run_jobs)
    assert job.state == BulkAttestation.State.RECORDED and job.recorded_rows == 1001
    records = AgreementAcceptance.objects.filter(partner=agent.partner)
    assert records.count() == 1001
    assert set(records.values_list("customer_id", flat=True)) == {c.pk for c in made}
    # One audit event per record, the status rows turned and derivable.
    assert AuditEvent.objects.filter(event_type="agreement.confirmed").count() == 1001
    assert (
        not AgreementStatusRow.objects.filter(partner=agent.partner)
        .exclude(compliance="current")
        .exists()
    )
    assert_rows_are_derivable()


def test_status_rows_after_a_bulk_confirmation_equal_a_rebuild(client, agent, run_jobs):
    # The rows are set in a few UPDATEs, not recomputed: every kind of customer must
    # still end as a rebuild from the records says.
    alone, direct, older, shared, missing, cloud_only = customers_of(agent.partner, 6)
    AgreementAcceptanceFactory(
        customer=direct,
        partner=None,
        recorded_by__partner=None,
        method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
    )
    mca = AgreementTemplate.objects.get(agreement_type="MicrosoftCustomerAgreement")
    AgreementAcceptanceFactory(  # an older agreement, attested by the partner itself
        customer=cloud_only,
        partner=agent.partner,
        template=AgreementTemplate.objects.get(agreement_type="MicrosoftCloudAgreement"),
    )
    AgreementAcceptanceFactory(customer=older, partner=agent.partner, template=mca)
    other = PartnerFactory()  # serves `shared` too, and never attested
    ResellerRelationshipFactory(partner=other, customer=shared)
    AgreementStatusRow.objects.filter(customer=missing).delete()  # out of step: recomputed
    newer = new_version(UserFactory(is_staff=True, partner=None))
    made = [alone, direct, older, shared, missing, cloud_only]
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))
    assert job.template == newer and job.valid_rows == 6
    confirm(client, job, run_jobs)
    rows = AgreementStatusRow.objects.filter(customer__in=made)
    assert {(r.customer_id, r.partner_id): (r.status, r.compliance) for r in rows} == {
        **{(c.pk, agent.partner.pk): ("confirmed", "current") for c in made},
        (shared.pk, other.pk): ("not_confirmed", "other_partner"),
    }
    assert set(rows.filter(partner=agent.partner).values_list("attested_template", flat=True)) == {
        newer.pk
    }
    assert_rows_are_derivable()


def test_records_and_their_events_carry_the_databases_clock(client, agent, run_jobs):
    # Read once per batch instead of a default per row (a faster INSERT): still the
    # database's clock at the write, the same on a record and its audit event.
    made = customers_of(agent.partner, 3)
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))
    before = database_now()
    confirm(client, job, run_jobs)
    after = database_now()
    records = AgreementAcceptance.objects.filter(partner=agent.partner)
    assert records.count() == 3
    for record in records:
        assert before <= record.created_at <= after
        event = AuditEvent.objects.get(event_type="agreement.confirmed", object_id=str(record.pk))
        assert event.created_at == record.created_at
        assert event.object_repr == str(record)  # named as the one-row service names it


def test_a13_one_invalid_row_records_nothing_in_all_or_nothing_mode(client, agent, run_jobs):
    made = customers_of(agent.partner, 3)
    text = "\n".join([HEADER, line(made[0]), line(made[1], email="not-an-email"), line(made[2])])
    job = checked(client, run_jobs, text)
    assert problems(job) == {3: ("invalid", "Enter a valid email address.")}
    job = confirm(client, job, run_jobs, mode="all")
    assert job.state == BulkAttestation.State.VALIDATED and job.recorded_rows == 0
    assert not AgreementAcceptance.objects.exists()
    page = client.get(reverse("agreements:bulk_detail", args=[job.pk])).content.decode()
    assert "Nothing was recorded" in page and "Enter a valid email address." in page
    # The valid rows, when the user chooses them.
    BulkAttestation.objects.filter(pk=job.pk).update(state=BulkAttestation.State.VALIDATED)
    job = confirm(client, job, run_jobs, mode="valid")
    assert job.recorded_rows == 2 and AgreementAcceptance.objects.count() == 2


def test_bom_semicolons_and_hangul_names(client, agent, run_jobs):
    (customer,) = customers_of(agent.partner, 1)
    text = "\ufeff" + "\n".join(
        [HEADER.replace(",", ";"), line(customer, first="민지", last="강", sep=";")]
    )
    job = checked(client, run_jobs, text)
    assert job.valid_rows == 1
    confirm(client, job, run_jobs)
    record = AgreementAcceptance.objects.get()
    assert (record.first_name, record.last_name) == ("민지", "강")


def test_a3_a_phone_invalid_for_the_customers_country(client, agent, run_jobs):
    (customer,) = customers_of(agent.partner, 1)  # Korea
    job = checked(client, run_jobs, "\n".join([HEADER, line(customer, phone="02-123")]))
    assert problems(job) == {2: ("invalid", "Enter a valid phone number for South Korea.")}
    job = checked(client, run_jobs, "\n".join([HEADER, line(customer, phone="02-3456-7890")]))
    assert job.valid_rows == 1


@pytest.mark.parametrize(
    "zone, valid",
    [("Asia/Seoul", True), ("UTC", False)],
)
def test_rule_a1_judges_the_date_in_the_users_time_zone(
    client, admin_agent, run_jobs, monkeypatch, zone, valid
):
    # 23:00 UTC on 20 November is already 21 November in Seoul.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 11, 20, 23, 0, tzinfo=datetime.UTC)
    )
    admin_agent.time_zone = zone
    admin_agent.save()
    client.force_login(admin_agent)
    (customer,) = customers_of(admin_agent.partner, 1)
    job = checked(client, run_jobs, "\n".join([HEADER, line(customer, day="2026-11-21")]))
    if valid:
        assert job.valid_rows == 1
    else:
        assert problems(job) == {
            2: ("invalid", "The agreement acceptance date can't be in the future.")
        }


def test_a8_a_customer_of_another_partner_and_an_unknown_one(client, agent, run_jobs):
    theirs = ResellerRelationshipFactory(partner=PartnerFactory()).customer
    text = "\n".join([HEADER, line(theirs), "nobody,,,Minji,Kang,it@nobody.example,,2026-11-01"])
    job = checked(client, run_jobs, text)
    message = str(checks.NOT_YOURS)
    assert problems(job) == {2: ("invalid", message), 3: ("invalid", message)}
    # Nothing of the other partner's customer shows (the file's own words only).
    assert job.problems.get(row_number=2).customer_id is None


def test_a7_a_national_cloud_customer(client, agent, run_jobs):
    (customer,) = customers_of(agent.partner, 1, cloud_instance="us_government")
    job = checked(client, run_jobs, "\n".join([HEADER, line(customer)]))
    status, message = problems(job)[2]
    assert status == "invalid" and "national clouds" in message


def test_a12_a_duplicate_of_a_record_is_skipped_and_a_reupload_records_nothing_twice(
    client, agent, run_jobs
):
    made = customers_of(agent.partner, 2)
    acceptance_record(
        customer=made[0],
        user=agent,
        date_agreed=datetime.date(2026, 11, 1),
        first_name="Minji",
        last_name="Kang",
        email=f"it@{made[0].domain_prefix}.example",
    )
    text = "\n".join([HEADER, line(made[0]), line(made[1])])
    job = checked(client, run_jobs, text)
    assert problems(job) == {2: ("duplicate", "This confirmation already exists.")}
    confirm(client, job, run_jobs)
    assert AgreementAcceptance.objects.count() == 2
    again = checked(client, run_jobs, text)
    assert again.valid_rows == 0 and again.duplicate_rows == 2
    assert AgreementAcceptance.objects.count() == 2


def test_a_customer_twice_in_one_file(client, agent, run_jobs):
    (customer,) = customers_of(agent.partner, 1)
    text = "\n".join([HEADER, line(customer), line(customer, first="Jisoo")])
    job = checked(client, run_jobs, text)
    assert problems(job) == {
        3: ("invalid", "This customer is already in row 2 of the file."),
    }


def test_file_level_errors_show_beside_the_file_field(client, agent):
    for data, message in [
        ("name,email\nx,y\n", "The first row must name the columns"),
        (HEADER + "\n", "The file has no rows below its header."),
        ("\xff\xfe", "isn't UTF-8 text"),
    ]:
        response = upload(client, data, encoding="latin-1")
        assert response.status_code == 200
        assert message in response.context["form"].errors["file"][0]
    assert not BulkAttestation.objects.exists()


def test_too_many_rows(client, agent, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 2)
    response = upload(client, "\n".join([HEADER, *["x,,,a,b,c@d.example,,2026-11-01"] * 3]))
    assert "more than 2 rows" in response.context["form"].errors["file"][0]


def test_the_report_csv_lists_every_row(client, agent, run_jobs):
    made = customers_of(agent.partner, 2)
    text = "\n".join([HEADER, line(made[0]), line(made[1], day="11/01/2026")])
    job = checked(client, run_jobs, text)
    response = client.get(reverse("agreements:bulk_report", args=[job.pk]))
    table = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")))
    )
    assert table == [
        ["Row", "Customer", "Status", "Message"],
        ["2", "Bulk 00000", "Valid", ""],
        ["3", "Bulk 00001", "Not valid", "Enter the date agreed as YYYY-MM-DD."],
    ]


def test_the_template_lists_the_reports_customers(client, agent):
    customers_of(agent.partner, 2)
    response = client.get(reverse("agreements:bulk_template"))
    table = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")))
    )
    assert [r["domain"] for r in table] == [
        "bulk00000.onmicrosoft.com",
        "bulk00001.onmicrosoft.com",
    ]
    assert table[0]["first_name"] == "Minji" and table[0]["phone"] == "02-3456-7890"
    assert table[0]["date_agreed"] == ""


def test_the_template_filled_in_is_a_valid_upload(client, agent, run_jobs):
    customers_of(agent.partner, 2)
    text = b"".join(client.get(reverse("agreements:bulk_template")).streaming_content).decode()
    filled = "\n".join(text.splitlines()[:1] + [row + DAY for row in text.splitlines()[1:]])
    job = checked(client, run_jobs, filled)
    assert job.valid_rows == 2


def test_a_second_confirm_does_nothing_more(client, agent, run_jobs):
    made = customers_of(agent.partner, 2)
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))
    url = reverse("agreements:bulk_detail", args=[job.pk])
    client.post(url, {"mode": "all"})
    client.post(url, {"mode": "valid"})  # a double-click
    run_jobs()
    job.refresh_from_db()
    assert job.mode == "all" and job.recorded_rows == 2
    assert AgreementAcceptance.objects.count() == 2


def test_a6_an_indirect_reseller_may_not_confirm_in_bulk(client):
    reseller = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_RESELLER)
    client.force_login(UserFactory(partner=reseller, roles=[Role.GLOBAL_ADMIN]))
    response = client.get(reverse("agreements:bulk_new"))
    assert response.status_code == 403
    assert "Ask your indirect provider to confirm it" in response.content.decode()
    assert client.get(reverse("agreements:bulk_template")).status_code == 403


def test_a_user_who_lost_the_role_records_nothing(client, agent, run_jobs):
    made = customers_of(agent.partner, 1)
    job = checked(client, run_jobs, "\n".join([HEADER, line(made[0])]))
    client.post(reverse("agreements:bulk_detail", args=[job.pk]), {"mode": "all"})
    agent.groups.clear()
    run_jobs()
    job.refresh_from_db()
    assert job.state == BulkAttestation.State.FAILED and not AgreementAcceptance.objects.exists()


def test_bulk_pages_follow_the_permission_matrix(client):
    assert_permission_matrix(
        client, build_url=lambda p: reverse("agreements:bulk_new"), allowed=ATTESTERS, scoped=False
    )

    def job_url(partner):
        job = BulkAttestation.objects.create(
            partner=partner,
            created_by=UserFactory(partner=partner),
            file_name="x.csv",
            content=HEADER + "\n",
            template=AgreementTemplate.objects.current(),
            state=BulkAttestation.State.VALIDATED,
        )
        return reverse("agreements:bulk_detail", args=[job.pk])

    assert_permission_matrix(client, build_url=job_url, allowed=ATTESTERS)


def test_confirm_checks_again_what_can_change_after_validation(client, agent, run_jobs):
    made = customers_of(agent.partner, 3)
    rows = [line(c, phone="02-3456-7890") for c in made]
    job = checked(client, run_jobs, "\n".join([HEADER, *rows]))
    assert job.valid_rows == 3
    # Meanwhile: one relationship ends (A8), one customer is confirmed the same way (A12).
    ResellerRelationship.objects.filter(customer=made[0]).update(
        state=ResellerRelationship.State.REMOVED, removed_at=timezone.now()
    )
    acceptance_record(
        customer=made[1],
        user=agent,
        date_agreed=datetime.date(2026, 11, 1),
        first_name="Minji",
        last_name="Kang",
        email=f"it@{made[1].domain_prefix}.example",
        phone="02-3456-7890",
    )
    job = confirm(client, job, run_jobs, mode="all")
    assert job.recorded_rows == 0 and AgreementAcceptance.objects.count() == 1
    assert problems(job) == {
        2: ("invalid", str(checks.NOT_YOURS)),
        3: ("duplicate", "This confirmation already exists."),
    }
    BulkAttestation.objects.filter(pk=job.pk).update(state=BulkAttestation.State.VALIDATED)
    job = confirm(client, job, run_jobs, mode="valid")
    assert job.recorded_rows == 1
    (record,) = AgreementAcceptance.objects.filter(customer=made[2])
    assert record.phone.as_e164 == "+82234567890"


def test_a_new_mca_version_is_reconfirmed_in_bulk_from_the_report(client, agent, run_jobs):
    made = customers_of(agent.partner, 3)
    for customer in made:
        acceptance_record(
            customer=customer,
            user=agent,
            date_agreed=datetime.date(2026, 10, 1),
            first_name="Minji",
            last_name="Kang",
            email=f"it@{customer.domain_prefix}.example",
        )
    current = AgreementTemplate.objects.current()
    agreement_template_save(
        user=UserFactory(is_staff=True, partner=None),
        template=AgreementTemplate(
            agreement_type=current.agreement_type,
            template_id="11111111-2222-3333-4444-555555555555",
            version_rank=current.version_rank + 1,
            link="https://example.com/mca-v2",
            in_force_from=datetime.date(2026, 11, 1),
        ),
    )
    report = client.get(reverse("agreements:compliance"), {"status": "older_version"})
    assert [row.customer_id for row, _ in report.context["rows"]] == [c.pk for c in made]
    template = client.get(reverse("agreements:bulk_template"), {"status": "older_version"})
    text = b"".join(template.streaming_content).decode()
    filled = "\n".join(text.splitlines()[:1] + [r + "2026-11-02" for r in text.splitlines()[1:]])
    job = checked(client, run_jobs, filled)
    assert job.valid_rows == 3 and job.template.version_rank == current.version_rank + 1
    confirm(client, job, run_jobs)
    assert (
        not AgreementStatusRow.objects.filter(partner=agent.partner)
        .exclude(compliance="current")
        .exists()
    )


def test_a_job_that_breaks_fails_with_a_message_and_records_nothing(
    client, agent, run_jobs, monkeypatch
):
    made = customers_of(agent.partner, 2)
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs, "agreement_status_attested", broken)
    job = confirm(client, job, run_jobs)
    assert job.state == BulkAttestation.State.FAILED
    assert job.error == "Something went wrong; nothing was recorded. Upload the file again."
    assert not AgreementAcceptance.objects.exists()
    page = client.get(reverse("agreements:bulk_detail", args=[job.pk])).content.decode()
    assert "nothing was recorded" in page


def test_the_jobs_pause_the_garbage_collector_and_resume_it(client, agent, run_jobs, monkeypatch):
    # Full collections traversed the jobs' 100 000 rows again and again (30 % of the job).
    import gc

    seen = []
    check = checks.bulk_rows_recheck

    def recheck(*args, **kwargs):
        seen.append(gc.isenabled())
        return check(*args, **kwargs)

    monkeypatch.setattr(jobs, "bulk_rows_recheck", recheck)
    made = customers_of(agent.partner, 2)
    assert gc.isenabled()
    confirm(
        client, checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)])), run_jobs
    )
    assert seen == [False] and gc.isenabled()
    monkeypatch.setattr(jobs, "bulk_rows_recheck", lambda *a, **k: 1 / 0)
    job = checked(
        client, run_jobs, "\n".join([HEADER, line(customers_of(agent.partner, 1, prefix="x")[0])])
    )
    confirm(client, job, run_jobs)  # fails: collection is back on all the same
    assert gc.isenabled()


BAD_ROWS = [
    {"first": ""},  # A3
    {"last": "K" * 51},  # A3: too long
    {"email": "not-an-address"},  # A3
    {"phone": "02-123"},  # A3: not a number of the customer's country (Korea)
    {"day": "2019-09-30"},  # A2: before the MCA came into force
    {"day": "2099-01-01"},  # A1: in the future
]


def test_bulk_checks_and_the_model_give_the_same_verdict_and_message(client, agent, run_jobs):
    """Confirm in bulk checks rows set-based for speed; each verdict and message is the one
    ``AgreementAcceptance.full_clean()`` gives the same record (docs/rules.md)."""
    from django.core.exceptions import ValidationError

    customers = customers_of(agent.partner, len(BAD_ROWS))
    national = customers_of(agent.partner, 1, prefix="gov", cloud_instance="us_government")[0]
    rows = [line(c, **bad) for c, bad in zip(customers, BAD_ROWS, strict=True)] + [line(national)]
    job = checked(client, run_jobs, "\n".join([HEADER, *rows]))
    found = problems(job)
    template = AgreementTemplate.objects.current()
    for number, (customer, bad) in enumerate(
        zip([*customers, national], [*BAD_ROWS, {}], strict=True), start=2
    ):
        acceptance = AgreementAcceptance(
            customer=customer,
            partner=agent.partner,
            template=template,
            date_agreed=datetime.date.fromisoformat(bad.get("day", DAY)),
            first_name=bad.get("first", "Minji"),
            last_name=bad.get("last", "Kang"),
            email=bad.get("email", f"it@{customer.domain_prefix}.example"),
            phone=bad.get("phone", ""),
            method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
            recorded_by=agent,
        )
        with pytest.raises(ValidationError) as refused:
            acceptance.full_clean()
        (message,) = [m for messages in refused.value.message_dict.values() for m in messages]
        assert found[number] == ("invalid", message), bad


@pytest.mark.parametrize("language", ["en", "ko"])
def test_with_invalid_rows_neither_choice_is_preselected_and_each_says_what_it_records(
    client, agent, run_jobs, language
):
    made = customers_of(agent.partner, 3)
    rows = [line(made[0]), line(made[1]), line(made[2], first="")]
    job = checked(client, run_jobs, "\n".join([HEADER, *rows]))
    agent.language = language
    agent.save()
    client.cookies["django_language"] = language
    page = client.get(reverse("agreements:bulk_detail", args=[job.pk])).content.decode()
    assert "checked" not in re.findall(r'<input[^>]*name="mode"[^>]*>', page)[0]
    assert all("checked" not in tag for tag in re.findall(r'<input[^>]*name="mode"[^>]*>', page))
    if language == "en":
        assert "2 valid rows will be recorded; 1 won&#x27;t" in page
        assert "nothing will be recorded" in page
    else:
        assert "유효한 행 2개가 기록되고 1개는 기록되지 않습니다" in page
    # Confirm without a choice: asked to choose, nothing queued.
    response = client.post(reverse("agreements:bulk_detail", args=[job.pk]), {})
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.state == BulkAttestation.State.VALIDATED


def test_when_every_row_is_valid_the_choice_stays_every_row(client, agent, run_jobs):
    made = customers_of(agent.partner, 2)
    job = checked(client, run_jobs, "\n".join([HEADER, *(line(c) for c in made)]))
    page = client.get(reverse("agreements:bulk_detail", args=[job.pk])).content.decode()
    chosen = [t for t in re.findall(r'<input[^>]*name="mode"[^>]*>', page) if "checked" in t]
    assert len(chosen) == 1 and 'value="all"' in chosen[0]
