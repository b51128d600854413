"""Demo data for ``manage.py seed_demo``: realistic partners, users and customers.

Kept apart from the command so tests can call ``demo_seed()`` directly.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from customers.models import Customer
from partnercenter.models import Partner, User
from partnercenter.roles import Role
from relationships.models import IndirectPartnership, ResellerRelationship

#: Every demo sign-in uses this password (demo data only; never in production).
DEMO_PASSWORD = "Demo-Partner-2026"  # noqa: S105

PARTNERS = [
    # key, name, partner type, MPN ID, country, email domain, time zone, language
    (
        "direct",
        "Fabrikam Cloud Solutions",
        Partner.PartnerType.DIRECT_BILL,
        "4567890",
        "KR",
        "fabrikam.example",
        "Asia/Seoul",
        "ko",
    ),
    (
        "provider",
        "Northwind Distribution",
        Partner.PartnerType.INDIRECT_PROVIDER,
        "1234567",
        "US",
        "northwind.example",
        "America/Los_Angeles",
        "en",
    ),
    (
        "reseller1",
        "Tailspin IT Services",
        Partner.PartnerType.INDIRECT_RESELLER,
        "2345678",
        "KR",
        "tailspin.example",
        "Asia/Seoul",
        "ko",
    ),
    (
        "reseller2",
        "Woodgrove Systems",
        Partner.PartnerType.INDIRECT_RESELLER,
        "3456789",
        "DE",
        "woodgrove.example",
        "Europe/Berlin",
        "en",
    ),
]

ROLE_LOCAL_PARTS = {
    Role.GLOBAL_ADMIN: ("globaladmin", "Grace", "Kim"),
    Role.USER_ADMIN: ("useradmin", "Uma", "Lee"),
    Role.ADMIN_AGENT: ("adminagent", "Adam", "Park"),
    Role.SALES_AGENT: ("salesagent", "Sara", "Choi"),
    Role.HELPDESK_AGENT: ("helpdesk", "Hana", "Jung"),
    Role.BILLING_ADMIN: ("billing", "Ben", "Yoon"),
}

# key of the serving partner (and provider), company, domain prefix, country, address
# line 1, city, state, postal code, language, culture, contact first/last name, phone.
CUSTOMERS = [
    (
        "direct",
        None,
        "Contoso Korea",
        "contosokr",
        "KR",
        "152 Teheran-ro",
        "Gangnam-gu, Seoul",
        "Seoul",
        "06236",
        "ko",
        "ko-KR",
        "Minji",
        "Kang",
        "+82 2 3456 7890",
    ),
    (
        "direct",
        None,
        "Hanbit Logistics",
        "hanbitlogistics",
        "KR",
        "55 Sejong-daero",
        "Jung-gu, Seoul",
        "Seoul",
        "04519",
        "ko",
        "ko-KR",
        "Jiho",
        "Lim",
        "+82 2 775 1234",
    ),
    (
        "direct",
        None,
        "Adatum Corporation",
        "adatumcorp",
        "US",
        "1 Microsoft Way",
        "Redmond",
        "WA",
        "98052",
        "en",
        "en-US",
        "Alex",
        "Wilber",
        "+1 425 555 0100",
    ),
    (
        "direct",
        None,
        "Litware GmbH",
        "litwaregmbh",
        "DE",
        "Walter-Gropius-Straße 5",
        "München",
        "BY",
        "80807",
        "de",
        "de-DE",
        "Lena",
        "Fischer",
        "+49 89 3176 0",
    ),
    (
        "direct",
        None,
        "Sakura Trading K.K.",
        "sakuratrading",
        "JP",
        "2-16-3 Konan",
        "Minato-ku",
        "Tokyo",
        "108-0075",
        "ja",
        "ja-JP",
        "Haruto",
        "Sato",
        "+81 3 4332 5300",
    ),
    (
        "direct",
        None,
        "Thames Valley Analytics Ltd",
        "thamesvalley",
        "GB",
        "2 Kingdom Street",
        "London",
        "",
        "W2 6BD",
        "en",
        "en-GB",
        "Oliver",
        "Brown",
        "+44 20 7946 0958",
    ),
    (
        "reseller1",
        "provider",
        "Busan Marine Tech",
        "busanmarine",
        "KR",
        "30 Jungang-daero",
        "Busan",
        "Busan",
        "48939",
        "ko",
        "ko-KR",
        "Seoyeon",
        "Han",
        "+82 51 462 3000",
    ),
    (
        "reseller1",
        "provider",
        "Daegu Smart Factory",
        "daegusmart",
        "KR",
        "88 Dongdeok-ro",
        "Daegu",
        "Daegu",
        "41940",
        "ko",
        "ko-KR",
        "Doyun",
        "Seo",
        "+82 53 421 0001",
    ),
    (
        "reseller2",
        "provider",
        "Rheinland Bau AG",
        "rheinlandbau",
        "DE",
        "Königsallee 92",
        "Düsseldorf",
        "NW",
        "40212",
        "de",
        "de-DE",
        "Jonas",
        "Becker",
        "+49 211 1234567",
    ),
    (
        "reseller2",
        "provider",
        "Alpenblick Hotels",
        "alpenblick",
        "DE",
        "Maximilianstraße 17",
        "München",
        "BY",
        "80539",
        "de",
        "de-DE",
        "Mia",
        "Wagner",
        "+49 89 2123 4567",
    ),
    (
        "provider",
        None,
        "Fourth Coffee",
        "fourthcoffee",
        "US",
        "500 Pine Street",
        "Seattle",
        "WA",
        "98101",
        "en",
        "en-US",
        "Megan",
        "Bowen",
        "+1 206 555 0147",
    ),
    (
        "provider",
        None,
        "Proseware Inc.",
        "prosewareinc",
        "US",
        "200 Park Avenue",
        "New York",
        "NY",
        "10166",
        "en",
        "en-US",
        "Isaiah",
        "Langer",
        "+1 212 555 0190",
    ),
]


@dataclass(frozen=True)
class DemoSignIn:
    """One printed demo sign-in."""

    email: str
    partner: str
    role: str


@transaction.atomic
def demo_seed() -> list[DemoSignIn]:
    """Create or refresh the demo data; running it again changes nothing new.

    Returns the demo sign-ins (all with DEMO_PASSWORD), partner users first,
    then the back-office staff account.
    """
    partners: dict[str, Partner] = {}
    sign_ins: list[DemoSignIn] = []
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    for key, name, partner_type, mpn_id, country, domain, tz, language in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            mpn_id=mpn_id, defaults={"name": name, "partner_type": partner_type, "country": country}
        )
        partners[key] = partner
        for role, (local, first, last) in ROLE_LOCAL_PARTS.items():
            email = f"{local}@{domain}"
            user = _demo_user(
                email,
                first_name=first,
                last_name=last,
                partner=partner,
                time_zone=tz,
                language=language,
            )
            user.groups.set([groups[role.value]])
            sign_ins.append(DemoSignIn(email=email, partner=name, role=str(role.label)))

    for reseller_key in ("reseller1", "reseller2"):
        IndirectPartnership.objects.get_or_create(
            provider=partners["provider"],
            reseller=partners[reseller_key],
            state=IndirectPartnership.State.ACTIVE,
        )

    for (
        partner_key,
        provider_key,
        company,
        prefix,
        country,
        line1,
        city,
        state,
        postal,
        language,
        culture,
        first,
        last,
        phone,
    ) in CUSTOMERS:
        customer, _ = Customer.objects.update_or_create(
            domain_prefix=prefix,
            defaults={
                "company_name": company,
                "country": country,
                "address_line1": line1,
                "city": city,
                "state": state,
                "postal_code": postal,
                "language": language,
                "culture": culture,
                "contact_first_name": first,
                "contact_last_name": last,
                "contact_email": f"{first.lower()}.{last.lower()}@{prefix}.example",
                "contact_phone": phone,
            },
        )
        ResellerRelationship.objects.get_or_create(
            partner=partners[partner_key],
            customer=customer,
            state=ResellerRelationship.State.ACTIVE,
            defaults={"indirect_provider": partners[provider_key] if provider_key else None},
        )

    staff_email = "backoffice@partnercenter.example"
    _demo_user(
        staff_email,
        first_name="Bo",
        last_name="Office",
        partner=None,
        time_zone="UTC",
        language="en",
        is_staff=True,
        is_superuser=True,
    )
    sign_ins.append(
        DemoSignIn(email=staff_email, partner="—", role="Back-office staff (Django admin)")
    )
    return sign_ins


def _demo_user(email: str, *, partner: Partner | None, **fields) -> User:
    user = User.objects.filter(username=email).first() or User(username=email)
    for name, value in {
        "email": email,
        "partner": partner,
        "must_change_password": False,
        **fields,
    }.items():
        setattr(user, name, value)
    user.is_active = True
    if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.full_clean()
    user.save()
    return user
