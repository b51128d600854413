"""Relationship constraints (docs/relationships.md), in the model and the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnercenter.models import Partner
from relationships.models import IndirectPartnership, ResellerRelationship
from tests.factories import (
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
)

pytestmark = pytest.mark.django_db


def test_a_relationship_cannot_be_active_twice_for_the_same_partner_and_customer():
    first = ResellerRelationshipFactory()
    second = ResellerRelationship(partner=first.partner, customer=first.customer)
    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_removed_relationship_may_be_followed_by_a_new_active_one():
    first = ResellerRelationshipFactory(state="removed", removed_at=timezone.now())
    ResellerRelationshipFactory(partner=first.partner, customer=first.customer)


def test_removed_at_is_set_exactly_when_removed():
    with pytest.raises(IntegrityError), transaction.atomic():
        ResellerRelationshipFactory(state="removed", removed_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResellerRelationshipFactory(state="active", removed_at=timezone.now())


def test_only_an_indirect_reseller_works_through_an_indirect_provider():
    direct = PartnerFactory(partner_type=Partner.PartnerType.DIRECT_BILL)
    provider = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_PROVIDER)
    relationship = ResellerRelationship(
        partner=direct, customer=CustomerFactory(), indirect_provider=provider
    )
    with pytest.raises(ValidationError) as exc:
        relationship.full_clean()
    assert "partner" in exc.value.error_dict


def test_a_partnership_joins_a_provider_and_a_reseller_once():
    partnership = IndirectPartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndirectPartnership.objects.create(
            provider=partnership.provider, reseller=partnership.reseller
        )
    wrong = IndirectPartnership(provider=partnership.reseller, reseller=partnership.provider)
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert set(exc.value.error_dict) >= {"provider", "reseller"}
    with pytest.raises(IntegrityError), transaction.atomic():
        IndirectPartnership.objects.create(
            provider=partnership.provider, reseller=partnership.provider
        )
