"""Customer field rules (docs/customers.md) in the model and in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.validators import validate_company_name
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    "name", ["A", " ", "!!!", "---  ##", "Inc", "inc.", "LLC", "Ltd.", " L.L.C. "]
)
def test_partner_centers_company_name_rules_refuse(name):
    with pytest.raises(ValidationError):
        validate_company_name(name)


@pytest.mark.parametrize(
    "name", ["Contoso Inc.", "3M", "AB", "주식회사 한빛", "O'Neil & Sons", "Ltd Brothers Co"]
)
def test_real_company_names_pass(name):
    validate_company_name(name)


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "UPPER", "with-dash", "a" * 28, "dot.ted", "한글"])
def test_a_domain_prefix_is_1_to_27_lower_case_letters_and_digits(prefix):
    customer = CustomerFactory.build(domain_prefix=prefix)
    with pytest.raises(ValidationError) as exc:
        customer.full_clean()
    assert "domain_prefix" in exc.value.error_dict


@pytest.mark.django_db
def test_the_database_refuses_a_domain_taken_in_another_case():
    CustomerFactory(domain_prefix="contoso")
    duplicate = CustomerFactory.build(domain_prefix="contoso")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "This domain is already taken." in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(domain_prefix="CONTOSO")


@pytest.mark.django_db
def test_the_domain_is_the_prefix_under_onmicrosoft_com():
    assert CustomerFactory.build(domain_prefix="contosokr").domain == "contosokr.onmicrosoft.com"
