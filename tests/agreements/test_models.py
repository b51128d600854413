"""Agreement templates come from a data migration with the real templateIds (docs/rules.md)."""

import datetime
import uuid

import pytest

from agreements.models import AgreementTemplate

pytestmark = pytest.mark.django_db
MCA = AgreementTemplate.AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
MCLOUD = AgreementTemplate.AgreementType.MICROSOFT_CLOUD_AGREEMENT


def test_the_migration_loads_both_templates_with_their_real_template_ids():
    assert AgreementTemplate.objects.get(agreement_type=MCA).template_id == uuid.UUID(
        "117a77b0-9360-443b-8795-c6dedc750cf9"
    )
    assert AgreementTemplate.objects.get(agreement_type=MCLOUD).template_id == uuid.UUID(
        "998b88de-aa99-4388-a42c-1b3517d49490"
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2018, 8, 6), None),
        (datetime.date(2019, 9, 30), MCLOUD),
        (datetime.date(2019, 10, 1), MCA),
        (datetime.date(2020, 2, 1), MCA),
        (datetime.date(2026, 11, 21), MCA),
    ],
)
def test_the_current_agreement_is_the_newest_type_in_force(day, expected):
    current = AgreementTemplate.objects.current(day)
    assert (current.agreement_type if current else None) == expected


def test_a_newer_version_added_by_staff_becomes_current():
    old = AgreementTemplate.objects.get(agreement_type=MCA)
    newer = AgreementTemplate.objects.create(
        agreement_type=MCA,
        template_id=old.template_id,
        version_rank=2,
        link=old.link,
        in_force_from=old.in_force_from,
    )
    assert AgreementTemplate.objects.current(datetime.date(2026, 11, 21)) == newer


def test_the_document_link_follows_the_customers_country_and_language():
    from agreements.models import AgreementDocument

    mca = AgreementTemplate.objects.get(agreement_type=MCA)
    AgreementDocument.objects.create(
        template=mca, country="KR", language="ko-KR", url="https://example.com/kr-ko"
    )
    AgreementDocument.objects.create(
        template=mca, country="KR", language="en-US", url="https://example.com/kr-en"
    )
    assert mca.document_url(country="KR", language="ko-KR") == "https://example.com/kr-ko"
    assert mca.document_url(country="KR", language="EN-us") == "https://example.com/kr-en"
    assert mca.document_url(country="KR", language="ja-JP") in {
        "https://example.com/kr-ko",
        "https://example.com/kr-en",
    }
    assert mca.document_url(country="DE", language="de-DE") == mca.link
    assert mca.document_url() == mca.link
