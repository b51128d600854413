"""Validators for customer fields and contacts (Partner Center's rules, docs/customers.md, A3)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country
from phonenumber_field.phonenumber import PhoneNumber
from phonenumber_field.phonenumber import to_python as phone_to_python

#: Bare legal suffixes Partner Center refuses as a whole company name (casefolded,
#: punctuation and spaces removed).
LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "llc",
        "ltd",
        "llp",
        "lp",
        "plc",
        "corp",
        "co",
        "gmbh",
        "ag",
        "sa",
        "sarl",
        "bv",
        "nv",
        "kk",
        "pty",
        "pvt",
        "limited",
        "corporation",
        "incorporated",
        "company",
        "주식회사",
        "유한회사",
    }
)

validate_domain_prefix = RegexValidator(
    r"\A[a-z0-9]{1,27}\Z",
    _("Use 1 to 27 lower-case letters (a–z) and digits (0–9)."),
    code="invalid_domain_prefix",
)


def validate_company_name(value: str) -> None:
    """Partner Center's company name rules (docs/customers.md).

    Raises ValidationError when the name is one character, holds only special
    characters or white space, or is a bare legal suffix such as "Inc".
    """
    stripped = value.strip()
    if len(stripped) < 2:
        raise ValidationError(
            _("The company name must be longer than one character."), code="company_name_too_short"
        )
    if not any(ch.isalnum() for ch in stripped):
        raise ValidationError(
            _("The company name can't contain only special characters."),
            code="company_name_special_only",
        )
    bare = "".join(ch for ch in stripped.casefold() if ch.isalnum())
    if bare in LEGAL_SUFFIXES:
        raise ValidationError(
            _("Enter the full company name, not only a legal suffix such as “%(value)s”."),
            code="company_name_legal_suffix",
            params={"value": stripped},
        )


def parse_phone(raw: str, country) -> PhoneNumber | str:
    """Parse ``raw`` as a phone number of ``country``; raise ValidationError if it isn't one.

    Returns a PhoneNumber, or "" for an empty value.
    """
    raw = (raw or "").strip()
    if not raw:
        return ""
    number = phone_to_python(raw, region=str(country) if country else None)
    # Not ``not number``: a PhoneNumber's truth is its formatted length (slow in bulk).
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        name = Country(str(country)).name if country else ""
        raise ValidationError(
            _("Enter a valid phone number for %(country)s.")
            % {"country": name or _("the customer's country")}
        )
    return number
