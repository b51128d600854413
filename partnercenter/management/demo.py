"""Demo data for ``manage.py seed_demo``: realistic partners, users, customers, confirmations.

Kept apart from the command so tests can call it directly.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from agreements.models import AgreementAcceptance, AgreementStatusRow, AgreementTemplate
from agreements.status import agreement_status_rows
from agreements.statusrows import agreement_status_sync
from customers.markets import default_culture
from customers.models import Customer, Offer, Subscription
from partnercenter.models import Partner, User
from partnercenter.tenant.roles import Role
from partnercenter.tenant.services import customer_list_changed
from relationships.models import (
    AccessAssignment,
    AdminRelationship,
    IndirectPartnership,
    ResellerRelationship,
    SecurityGroup,
)

#: Every demo sign-in uses this password (demo data only; never in production).
DEMO_PASSWORD = "Demo-Partner-2026"  # noqa: S105

# fmt: off
PARTNERS = [
    # key, name, partner type, MPN ID, country, email domain, time zone, language
    ("direct", "Fabrikam Cloud Solutions", Partner.PartnerType.DIRECT_BILL, "4567890", "KR", "fabrikam.example", "Asia/Seoul", "ko"),
    ("provider", "Northwind Distribution", Partner.PartnerType.INDIRECT_PROVIDER, "1234567", "US", "northwind.example", "America/Los_Angeles", "en"),
    ("reseller1", "Tailspin IT Services", Partner.PartnerType.INDIRECT_RESELLER, "2345678", "KR", "tailspin.example", "Asia/Seoul", "ko"),
    ("reseller2", "Woodgrove Systems", Partner.PartnerType.INDIRECT_RESELLER, "3456789", "DE", "woodgrove.example", "Europe/Berlin", "en"),
    # No indirect provider yet: Northwind's Invite reseller has someone to invite.
    ("reseller3", "Litware Solutions", Partner.PartnerType.INDIRECT_RESELLER, "5678901", "JP", "litware.example", "Asia/Tokyo", "en"),
]

#: The local part of each role's demo sign-in.
ROLE_USERS = {
    Role.GLOBAL_ADMIN: "globaladmin",
    Role.USER_ADMIN: "useradmin",
    Role.ADMIN_AGENT: "adminagent",
    Role.SALES_AGENT: "salesagent",
    Role.HELPDESK_AGENT: "helpdesk",
    Role.BILLING_ADMIN: "billing",
}

#: Each partner's people, role by role (ROLE_USERS' order): distinct names that fit the
#: partner's country, so a screen naming a person names one person.
PEOPLE = {
    "direct": [("Seo-yeon", "Kim"), ("Ji-woo", "Lee"), ("Adam", "Park"), ("Ha-eun", "Choi"), ("Do-yun", "Jung"), ("Su-ah", "Yoon")],
    "provider": [("Grace", "Miller"), ("Owen", "Brooks"), ("Maria", "Rivera"), ("Sara", "Nguyen"), ("Hannah", "Price"), ("Ben", "Walsh")],
    "reseller1": [("Eun-ji", "Han"), ("Tae-yang", "Shin"), ("Jae-won", "Oh"), ("Yu-na", "Kwon"), ("Hyun-woo", "Baek"), ("So-hee", "Ryu")],
    "reseller2": [("Lena", "Fischer"), ("Jonas", "Becker"), ("Felix", "Wagner"), ("Mia", "Schulz"), ("Paul", "Hoffmann"), ("Emma", "Koch")],
    "reseller3": [("Yui", "Sato"), ("Haruto", "Suzuki"), ("Aoi", "Takahashi"), ("Ren", "Tanaka"), ("Sakura", "Ito"), ("Sota", "Watanabe")],
}

# serving partner, its indirect provider, company, domain prefix, country, address line 1,
# city, state, postal code, culture, contact first and last name, phone, and how many
# confirmations the partner that attests (the provider, for a reseller's customer) has
# recorded: 0 = not confirmed, 1 = confirmed, 2 = confirmed with an older record as history.
CUSTOMERS = [
    ("direct", None, "Contoso Korea", "contosokr", "KR", "152 Teheran-ro", "Seoul", "Gangnam-gu", "06236", "Minji", "Kang", "+82 2 3456 7890", 2),
    ("direct", None, "Hanbit Logistics", "hanbitlogistics", "KR", "55 Sejong-daero", "Seoul", "Jung-gu", "04519", "Jiho", "Lim", "+82 2 775 1234", 1),
    ("direct", None, "Haeundae Resort Group", "haeundaeresort", "KR", "30 Haeundaehaebyeon-ro", "Busan", "Haeundae-gu", "48099", "Yuna", "Song", "+82 51 462 3000", 0),
    ("direct", None, "Daejeon Bio Labs", "daejeonbio", "KR", "99 Daehak-ro", "Daejeon", "Yuseong-gu", "34141", "Hyunwoo", "Jang", "+82 42 350 2114", 1),
    ("direct", None, "Incheon Air Cargo", "incheonaircargo", "KR", "272 Gonghang-ro", "Incheon", "Jung-gu", "22382", "Seojun", "Oh", "+82 32 741 5114", 0),
    ("direct", None, "Adatum Corporation", "adatumcorp", "US", "1 Microsoft Way", "Redmond", "WA", "98052", "Alex", "Wilber", "+1 425 555 0100", 1),
    ("direct", None, "Blue Yonder Airlines", "blueyonderair", "US", "2400 Aviation Dr", "Dallas", "TX", "75261", "Lidia", "Holloway", "+1 214 555 0131", 2),
    ("direct", None, "Woodgrove Bank", "woodgrovebank", "US", "1 Financial Plaza", "Boston", "MA", "02110", "Ethan", "Clark", "+1 617 555 0142", 1),
    ("direct", None, "Fabrikam Gov Services", "fabrikamgov", "US", "1600 Federal Way", "Washington", "DC", "20001", "Nora", "Reyes", "+1 202 555 0101", 0),
    ("direct", None, "Litware GmbH", "litwaregmbh", "DE", "Walter-Gropius-Straße 5", "München", "BY", "80807", "Lena", "Fischer", "+49 89 2123 4567", 1),
    ("direct", None, "Nordwind Maschinenbau AG", "nordwindmb", "DE", "Am Sandtorkai 50", "Hamburg", "HH", "20457", "Felix", "Schulz", "+49 40 3176 5000", 0),
    ("direct", None, "Sakura Trading K.K.", "sakuratrading", "JP", "2-16-3 Konan", "Minato-ku", "Tokyo", "108-0075", "Haruto", "Sato", "+81 3 4332 5300", 1),
    ("direct", None, "Kansai Precision Co., Ltd.", "kansaiprecision", "JP", "3-6-1 Umeda", "Osaka", "Osaka", "530-0001", "Yui", "Tanaka", "+81 6 6341 1234", 0),
    ("direct", None, "Thames Valley Analytics Ltd", "thamesvalley", "GB", "2 Kingdom Street", "London", "", "W2 6BD", "Oliver", "Brown", "+44 20 7946 0958", 2),
    ("direct", None, "Pennine Outdoor Gear Ltd", "pennineoutdoor", "GB", "10 Piccadilly", "Manchester", "", "M1 3BN", "Amelia", "Wright", "+44 161 496 0123", 0),
    ("direct", None, "Boulangerie Lumière SAS", "lumieresas", "FR", "24 Rue du Faubourg", "Paris", "", "75008", "Chloé", "Martin", "+33 1 42 68 53 00", 1),
    ("direct", None, "Harbour Bridge Consulting", "harbourbridge", "AU", "1 Macquarie Place", "Sydney", "NSW", "2000", "Jack", "Wilson", "+61 2 9374 4000", 0),
    ("direct", None, "Merlion Fintech Pte Ltd", "merlionfintech", "SG", "8 Marina Boulevard", "Singapore", "", "018981", "Wei", "Tan", "+65 6123 4567", 1),
    ("direct", None, "Wisła Software Sp. z o.o.", "wislasoftware", "PL", "ul. Marszałkowska 126", "Warszawa", "", "00-008", "Zofia", "Nowak", "+48 22 123 45 67", 1),
    ("provider", None, "Fourth Coffee", "fourthcoffee", "US", "500 Pine Street", "Seattle", "WA", "98101", "Megan", "Bowen", "+1 206 555 0147", 1),
    ("provider", None, "Proseware Inc.", "prosewareinc", "US", "200 Park Avenue", "New York", "NY", "10166", "Isaiah", "Langer", "+1 212 555 0190", 0),
    ("provider", None, "Northern Lights Energy", "northernlights", "CA", "100 King Street West", "Toronto", "ON", "M5X 1A9", "Emma", "Tremblay", "+1 416 555 0123", 2),
    ("provider", None, "Coho Winery", "cohowinery", "US", "1 Vineyard Lane", "Napa", "CA", "94558", "Grady", "Archie", "+1 707 555 0115", 0),
    ("provider", None, "Margie's Travel", "margiestravel", "US", "77 Travel Plaza", "Chicago", "IL", "60601", "Diego", "Siciliani", "+1 312 555 0177", 1),
    ("provider", None, "São Paulo Agro Ltda", "spagro", "BR", "Avenida Paulista 1000", "São Paulo", "SP", "01310-100", "Lucas", "Silva", "+55 11 3045 6789", 0),
    ("reseller1", "provider", "Busan Marine Tech", "busanmarine", "KR", "30 Jungang-daero", "Busan", "Jung-gu", "48939", "Seoyeon", "Han", "+82 51 463 3000", 1),
    ("reseller1", "provider", "Daegu Smart Factory", "daegusmart", "KR", "88 Dongdeok-ro", "Daegu", "Jung-gu", "41940", "Doyun", "Seo", "+82 53 421 0001", 0),
    ("reseller1", "provider", "Gwangju Design Studio", "gwangjudesign", "KR", "5 Chungjang-ro", "Gwangju", "Dong-gu", "61475", "Jiwoo", "Kwon", "+82 62 222 3456", 2),
    ("reseller1", "provider", "Jeju Green Farms", "jejugreen", "KR", "1 Jungang-ro", "Jeju", "Jeju-si", "63168", "Eunji", "Ko", "+82 64 710 2114", 0),
    ("reseller1", "provider", "Suwon Electronics Parts", "suwonparts", "KR", "200 Gwanggyo-ro", "Suwon", "Gyeonggi-do", "16229", "Minho", "Baek", "+82 31 228 2114", 1),
    ("reseller1", "provider", "Ulsan Shipyard Services", "ulsanshipyard", "KR", "10 Bangeojinsunhwan-doro", "Ulsan", "Dong-gu", "44032", "Taeyang", "Yoo", "+82 52 202 2114", 0),
    ("reseller2", "provider", "Rheinland Bau AG", "rheinlandbau", "DE", "Königsallee 92", "Düsseldorf", "NW", "40212", "Jonas", "Becker", "+49 211 1234567", 1),
    ("reseller2", "provider", "Alpenblick Hotels", "alpenblick", "DE", "Maximilianstraße 17", "München", "BY", "80539", "Mia", "Wagner", "+49 89 21234567", 0),
    ("reseller2", "provider", "Spreewald Logistik GmbH", "spreewaldlog", "DE", "Friedrichstraße 68", "Berlin", "BE", "10117", "Paul", "Hoffmann", "+49 30 2061 5000", 2),
    ("reseller2", "provider", "Schwarzwald Uhren KG", "schwarzwalduhren", "DE", "Hauptstraße 1", "Freiburg", "BW", "79098", "Hannah", "Koch", "+49 761 201 0", 0),
    ("reseller2", "provider", "Wiener Kaffeehaus GmbH", "wienerkaffee", "AT", "Stephansplatz 1", "Wien", "", "1010", "Lukas", "Gruber", "+43 1 515 520", 1),
    ("reseller2", "provider", "Amstel Data B.V.", "amsteldata", "NL", "Dam 1", "Amsterdam", "", "1012 JS", "Daan", "de Vries", "+31 20 123 4567", 0),
    ("reseller2", "provider", "Milano Moda S.r.l.", "milanomoda", "IT", "Via Montenapoleone 8", "Milano", "MI", "20121", "Giulia", "Rossi", "+39 02 1234 5678", 1),
    ("reseller2", "provider", "Madrid Retail S.L.", "madridretail", "ES", "Gran Vía 28", "Madrid", "", "28013", "Lucía", "García", "+34 912 345 678", 0),
    ("reseller2", "provider", "Mumbai Textiles Pvt Ltd", "mumbaitextiles", "IN", "Nariman Point", "Mumbai", "MH", "400021", "Aarav", "Sharma", "+91 22 6656 1234", 0),
]
# fmt: on

#: Demo customers in a national cloud (rule A7: confirmation is not supported there).
NATIONAL_CLOUD = {"fabrikamgov": Customer.CloudInstance.US_GOVERNMENT}
#: Demo customers whose admin account signs in to the admin center (docs/admin-center.md).
CUSTOMER_ADMINS = ["haeundaeresort", "contosokr"]
#: Prefix of the customers ``--customers N`` adds for benchmarks.
BULK_PREFIX = "bulk"


@dataclass(frozen=True)
class DemoSignIn:
    """One printed demo sign-in."""

    email: str
    partner: str
    role: str
    language: str = "en"


# Microsoft Entra role template ids the demo's admin relationships ask for.
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
LICENSE = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
EXCHANGE = "29232cdf-9323-42fd-ade2-1d097af3e4de"
SECURITY_READER = "5d6b6bb7-de71-4623-b4af-96380a352509"
INTUNE = "3a2c62db-5318-420d-8d74-23affee5d9d5"


@transaction.atomic
def demo_seed() -> list[DemoSignIn]:
    """Create or refresh the demo data; running it again adds nothing new.

    Returns the demo sign-ins (all with DEMO_PASSWORD): partner users, then the
    back-office staff account.
    """
    partners: dict[str, Partner] = {}
    agents: dict[str, User] = {}
    sign_ins: list[DemoSignIn] = []
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    for key, name, partner_type, mpn_id, country, domain, tz, language in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            mpn_id=mpn_id, defaults={"name": name, "partner_type": partner_type, "country": country}
        )
        partners[key] = partner
        for (role, local), (first, last) in zip(ROLE_USERS.items(), PEOPLE[key], strict=True):
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
            if role == Role.ADMIN_AGENT:
                agents[key] = user
            sign_ins.append(
                DemoSignIn(email=email, partner=name, role=str(role.label), language=user.language)
            )

    for reseller_key in ("reseller1", "reseller2"):
        IndirectPartnership.objects.get_or_create(
            provider=partners["provider"],
            reseller=partners[reseller_key],
            state=IndirectPartnership.State.ACTIVE,
        )

    template = AgreementTemplate.objects.current()
    for row in CUSTOMERS:
        _demo_customer(row, partners=partners, agents=agents, template=template)

    for prefix in CUSTOMER_ADMINS:
        customer = Customer.objects.get(domain_prefix=prefix)
        username = f"admin@{prefix}.onmicrosoft.com"
        _demo_user(
            username,
            first_name=customer.contact_first_name,
            last_name=customer.contact_last_name,
            partner=None,
            customer=customer,
            time_zone="Asia/Seoul",
            language="en",
        )
        sign_ins.append(
            DemoSignIn(
                email=username, partner=customer.company_name, role="Customer admin (admin center)"
            )
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
    _demo_admin_relationships(partners["direct"], agents["direct"])
    # The demo rows above went in directly, not through the services: derive their
    # status rows the way rebuild_agreement_status does.
    for customer in Customer.objects.exclude(domain_prefix__startswith=BULK_PREFIX):
        agreement_status_sync(customer)
    return sign_ins


#: GDAP demo: (name, customer prefix, days active so far, duration, auto-extend, status, roles).
ADMIN_RELATIONSHIPS = [
    ("Helpdesk and licensing", "contosokr", 60, 730, 180, "active", [HELPDESK, LICENSE, READERS]),
    ("Exchange migration", "haeundaeresort", 85, 90, 0, "active", [EXCHANGE, READERS]),
    ("Security review", "contosokr", 0, 180, 0, "approvalPending", [SECURITY_READER]),
    ("Intune rollout draft", "haeundaeresort", 0, 365, 0, "created", [INTUNE]),
    ("Year one support", "contosokr", 400, 365, 0, "expired", [HELPDESK]),
]


def _demo_admin_relationships(partner: Partner, agent: User) -> None:
    """A few admin relationships in several states (one expiring within 7 days) and a
    security group with an access assignment. Written directly, as the other demo rows."""
    now = timezone.now()
    group, _ = SecurityGroup.objects.get_or_create(partner=partner, name="Tier 1 helpdesk")
    group.members.add(agent)
    for name, prefix, days_in, duration, extend, status, roles in ADMIN_RELATIONSHIPS:
        customer = Customer.objects.get(domain_prefix=prefix)
        active_like = status in ("active", "expired")
        activated = now - datetime.timedelta(days=days_in) if active_like else None
        relationship, created = AdminRelationship.objects.get_or_create(
            partner=partner,
            display_name=name,
            defaults={
                "customer": customer,
                "customer_tenant_id": customer.tenant_id,
                "customer_display_name": customer.company_name,
                "duration_days": duration,
                "auto_extend_days": extend,
                "roles": roles,
                "status": status,
                "created_by": agent,
                "activated_at": activated,
                "end_at": activated + datetime.timedelta(days=duration) if activated else None,
            },
        )
        if created and status == "active" and extend:
            AccessAssignment.objects.create(
                relationship=relationship, security_group=group, roles=roles[:1], status="active"
            )


def _demo_customer(row, *, partners, agents, template) -> Customer:
    (serving, provider_key, company, prefix, country, line1, city, state, postal,
     first, last, phone, confirmations) = row  # fmt: skip
    culture = default_culture(country)
    customer, _ = Customer.objects.update_or_create(
        domain_prefix=prefix,
        defaults={
            "company_name": company,
            "country": country,
            "address_line1": line1,
            "city": city,
            "state": state,
            "postal_code": postal,
            "culture": culture,
            "language": culture.split("-")[0],
            "cloud_instance": NATIONAL_CLOUD.get(prefix, Customer.CloudInstance.PUBLIC),
            "contact_first_name": first,
            "contact_last_name": last,
            "contact_email": f"{_ascii(first)}.{_ascii(last)}@{prefix}.example",
            "contact_phone": phone,
        },
    )
    provider = partners[provider_key] if provider_key else None
    ResellerRelationship.objects.get_or_create(
        partner=partners[serving],
        customer=customer,
        state=ResellerRelationship.State.ACTIVE,
        defaults={"indirect_provider": provider},
    )
    if confirmations:
        # Confirmed customers have bought something through the partner serving them.
        Subscription.objects.get_or_create(
            customer=customer,
            partner=partners[serving],
            offer=Offer.objects.get(name="Microsoft 365 Business Basic"),
            defaults={
                "seats": 5 + 5 * confirmations,
                "auto_renew": True,
                "term_end": timezone.localdate() + datetime.timedelta(days=200),
            },
        )
    # The provider attests for its resellers' customers (rule A6, A8).
    attester = agents["provider" if provider_key else serving]
    if confirmations and not customer.agreement_acceptances.exists():
        now = timezone.now()
        for n in range(confirmations):
            age = 400 * (confirmations - 1 - n)  # the older record comes first
            AgreementAcceptance.objects.create(
                customer=customer,
                partner=attester.partner,
                template=template,
                date_agreed=(now - datetime.timedelta(days=age + 3)).date(),
                first_name=first if n == confirmations - 1 else "Previous",
                last_name=last if n == confirmations - 1 else "Signatory",
                email=customer.contact_email,
                phone=phone,
                method=AgreementAcceptance.Method.PARTNER_ATTESTATION,
                recorded_by=attester,
                created_at=now - datetime.timedelta(days=age),
            )
    return customer


#: Word lists for benchmark company names: varied, so the list's order isn't insertion order.
_NAME_FIRST = ["Alpine", "Blue", "Cedar", "Delta", "Emerald", "Falcon", "Granite", "Harbor",
               "Indigo", "Juniper", "Keystone", "Lumen", "Maple", "Nimbus", "Orion", "Pioneer",
               "Quartz", "Redwood", "Summit", "Tidal", "Unity", "Vertex", "Willow", "Zenith"]  # fmt: skip
_NAME_SECOND = ["Analytics", "Bakery", "Clinics", "Dental", "Electric", "Foods", "Logistics",
                "Media", "Motors", "Pharma", "Robotics", "Software", "Textiles", "Travel"]  # fmt: skip


def demo_bulk_customers(count: int, *, batch_size: int = 5000, progress=None) -> int:
    """Add ``count`` more customers, for benchmarks at a distributor's scale.

    Two in three go to the direct-bill demo partner; one in three to the first
    indirect reseller through the indirect provider, so the provider shares
    them (docs/relationships.md, A8). Confirmations come in several states: a third
    confirmed, one in twelve with an older record as history, one in ten
    accepted by the customer directly, the rest not confirmed. Rows go in with
    bulk_create (valid by construction), each batch with its status rows in
    one transaction; ``progress(done, total)`` is called after each batch.
    Returns how many bulk customers exist now. Raises LookupError when the
    demo partners are missing.
    """
    direct = Partner.objects.filter(mpn_id=PARTNERS[0][3]).first()
    provider = Partner.objects.filter(mpn_id=PARTNERS[1][3]).first()
    reseller = Partner.objects.filter(mpn_id=PARTNERS[2][3]).first()
    agents = {
        p: User.objects.filter(partner=p, groups__name=Role.ADMIN_AGENT).first()
        for p in (direct, provider)
        if p is not None
    }
    if None in (direct, provider, reseller) or None in agents.values():
        raise LookupError("Run seed_demo without --customers first.")
    template = AgreementTemplate.objects.current()
    start = Customer.objects.filter(domain_prefix__startswith=BULK_PREFIX).count()
    now = timezone.now()
    earlier = now - datetime.timedelta(days=400)
    end = start + count
    for first in range(start, end, batch_size):
        numbers = range(first, min(first + batch_size, end))
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                [
                    Customer(
                        company_name=f"{_NAME_FIRST[(n * 7) % 24]} {_NAME_SECOND[(n * 5) % 14]} "
                        f"{n:07d}",
                        domain_prefix=f"{BULK_PREFIX}{n:07d}",
                        country="KR",
                        address_line1="152 Teheran-ro",
                        city="Seoul",
                        state="Gangnam-gu",
                        postal_code="06236",
                        language="ko",
                        culture="ko-KR",
                        contact_first_name="Minji",
                        contact_last_name="Kang",
                        contact_email=f"minji.kang@{BULK_PREFIX}{n:07d}.example",
                        contact_phone="+82 2 3456 7890",
                    )
                    for n in numbers
                ]
            )
            shared = {n for n in numbers if n % 3 == 2}
            ResellerRelationship.objects.bulk_create(
                [
                    ResellerRelationship(partner=reseller, indirect_provider=provider, customer=c, since=now)
                    if n in shared
                    else ResellerRelationship(partner=direct, customer=c, since=now)
                    for n, c in zip(numbers, customers, strict=True)
                ]
            )  # fmt: skip
            records = []
            for n, c in zip(numbers, customers, strict=True):
                attesting = provider if n in shared else direct

                def record(created_at, c=c, attesting=attesting, **extra):
                    values = {
                        "customer": c, "partner": attesting, "template": template,
                        "date_agreed": created_at.date(), "first_name": "Minji",
                        "last_name": "Kang", "email": c.contact_email, "phone": "+82 2 3456 7890",
                        "method": AgreementAcceptance.Method.PARTNER_ATTESTATION,
                        "recorded_by": agents[attesting], "created_at": created_at,
                    }  # fmt: skip
                    return AgreementAcceptance(**{**values, **extra})

                if n % 12 == 0:
                    records.append(record(earlier, first_name="Jiho", last_name="Lim"))
                if n % 3 == 0:
                    records.append(record(now))
                elif n % 10 == 1:
                    records.append(record(now, partner=None, recorded_by=agents[direct],
                                          method=AgreementAcceptance.Method.CUSTOMER_DIRECT))  # fmt: skip
            AgreementAcceptance.objects.bulk_create(records)
            AgreementStatusRow.objects.bulk_create(
                agreement_status_rows(c.pk for c in customers), batch_size=2000
            )
            customer_list_changed([direct.pk, provider.pk, reseller.pk])
        if progress:
            progress(numbers[-1] + 1 - start, count)
    return end


def _ascii(name: str) -> str:
    """``"Chloé"`` → ``"chloe"``: a name as the local part of a demo email address."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _demo_user(email: str, *, partner: Partner | None, **fields) -> User:
    """Create or refresh a demo account. Language and time zone are set only when the
    account is new: what a person chose in their profile survives another seed_demo."""
    user = User.objects.filter(username=email).first() or User(username=email)
    if not user._state.adding:
        fields.pop("language", None)
        fields.pop("time_zone", None)
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
