"""partnercenter.models helpers."""

import datetime

import pytest
from django.utils import timezone

from partnercenter.models import AuditEvent, database_now

pytestmark = pytest.mark.django_db


def test_database_now_is_the_clock_a_rows_default_would_write():
    before = timezone.now() - datetime.timedelta(seconds=5)
    now = database_now()
    assert now.tzinfo is not None and before <= now <= timezone.now() + datetime.timedelta(
        seconds=5
    )
    # Given explicitly, it reads back as written, and sorts with defaulted rows.
    given = AuditEvent.objects.create(event_type="test.given", created_at=now)
    defaulted = AuditEvent.objects.create(event_type="test.defaulted")
    given.refresh_from_db()
    defaulted.refresh_from_db()
    assert given.created_at == now
    assert given.created_at <= defaulted.created_at
    assert AuditEvent.objects.filter(created_at__lte=given.created_at).filter(pk=given.pk).exists()
