"""Bad input never becomes a 500 (docs/qualities.md): every list and form, on SQLite and PostgreSQL.

Tampered ``page`` numbers, search text far past any sane length, and NUL
characters (which PostgreSQL refuses in any text) in query strings and in every
field of every form. Lists answer 200, 400 (a clear page saying what is wrong)
or 404; forms answer with the error beside the field.
"""

import uuid

import pytest
from django.urls import reverse

from customers.models import Offer
from partnercenter.tenant.roles import Role
from relationships.invitations import InvitationKind, invitation_url
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    IndirectPartnershipFactory,
    PartnerFactory,
    PartnershipInvitationFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NUL = "a\x00b"
HUGE = "contoso" * 8000  # 56 000 characters: past SQLite's LIKE pattern limit


@pytest.fixture
def world(make_user):
    """A direct-bill partner's Global admin with one of everything, and a reseller's."""
    admin = make_user(Role.GLOBAL_ADMIN)
    customer = ResellerRelationshipFactory(partner=admin.partner).customer
    AgreementAcceptanceFactory(customer=customer, partner=admin.partner)
    subscription = SubscriptionFactory(customer=customer, partner=admin.partner)
    provider = PartnerFactory(partner_type="indirect_provider")
    reseller = PartnerFactory(partner_type="indirect_reseller")
    partnership = IndirectPartnershipFactory(provider=provider, reseller=reseller)
    reseller_admin = make_user(Role.GLOBAL_ADMIN, partner=reseller)
    provider_admin = make_user(Role.GLOBAL_ADMIN, partner=provider)
    invitation = PartnershipInvitationFactory(
        provider=provider, reseller=reseller, email="o@r.example", token="tok" * 10,
        sent_by=provider_admin,
    )  # fmt: skip
    return {
        "admin": admin,
        "customer": customer,
        "subscription": subscription,
        "partnership": partnership,
        "reseller_admin": reseller_admin,
        "provider_admin": provider_admin,
        "invitation": invitation,
    }


def _lists(world):
    c, s, p = world["customer"], world["subscription"], world["partnership"]
    return [
        (world["admin"], reverse("customers:list")),
        (world["admin"], reverse("customers:detail", args=[c.pk])),
        (world["admin"], reverse("users:list")),
        (world["admin"], reverse("relationships:request")),
        (world["admin"], reverse("customers:seats", args=[c.pk, s.pk])),
        (world["reseller_admin"], reverse("relationships:indirect_providers")),
        (world["provider_admin"], reverse("relationships:indirect_resellers")),
        (world["provider_admin"], reverse("relationships:partnership_customers", args=[p.pk])),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"page": "1000000000000000000"}, {200, 404}),
        ({"page": "-5"}, {200}),
        ({"page": "9" * 5000}, {400}),
        ({"cursor": "forged"}, {200}),
        ({"q": HUGE}, {400}),
        ({"q": NUL}, {400}),
        ({"page": NUL}, {400}),
        ({NUL: "1"}, {400}),
    ],
    ids=[
        "page-overflow",
        "page-negative",
        "page-5000-digits",
        "cursor-forged",
        "q-huge",
        "q-nul",
        "page-nul",
        "key-nul",
    ],
)
def test_no_list_answers_a_tampered_query_with_a_server_error(client, world, params, expected):
    for user, url in _lists(world):
        client.force_login(user)
        response = client.get(url, params)
        assert response.status_code in expected, (url, response.status_code)
        if response.status_code == 400:
            assert "try again" in response.content.decode()


def test_the_customers_search_is_cut_to_200_characters_with_a_message(client, world):
    client.force_login(world["admin"])
    response = client.get(reverse("customers:list"), {"q": "x" * 500})
    assert response.status_code == 200
    assert response.context["search"] == "x" * 200
    assert "Search text is limited to 200 characters" in response.content.decode()


def test_a_forged_or_foreign_cursor_gives_the_first_page(client, world):
    client.force_login(world["admin"])
    first = client.get(reverse("customers:list")).context["page_obj"]
    for cursor in ("x", "last:1", "a" * 500, "eyJ0eXAiOiJKV1Qi.fake.sig"):
        page = client.get(reverse("customers:list"), {"cursor": cursor}).context["page_obj"]
        assert list(page) == list(first)


def test_django_admin_lists_refuse_a_huge_search_with_a_clear_page(admin_client):
    CustomerFactory()
    for model in ("customers/customer", "agreements/agreementacceptance", "partnercenter/user"):
        response = admin_client.get(f"/admin/{model}/", {"q": HUGE})
        assert response.status_code == 400, model
        assert admin_client.get(f"/admin/{model}/", {"q": "contoso"}).status_code == 200


def _forms(world):
    """(user, url, valid data) for every form that writes."""
    c, s = world["customer"], world["subscription"]
    offer = Offer.objects.get(name="Microsoft 365 Business Basic")
    customer_admin = UserFactory(
        partner=None, customer=CustomerFactory(), username=f"admin-{uuid.uuid4().hex}"
    )
    accept = invitation_url(
        InvitationKind.RESELLER, partner=world["admin"].partner, base_url="/admincenter/"
    ).split("#")[0]
    attest = {"first_name": "M", "last_name": "K", "email": "m@k.example", "phone": "",
              "date_agreed": "2026-11-01"}  # fmt: skip
    return [
        (world["admin"], reverse("customers:order_new", args=[c.pk]),
         {"offer": offer.pk, "seats": "2"}),
        (world["admin"], reverse("customers:seats", args=[c.pk, s.pk]), {"seats": "3"}),
        (world["admin"], reverse("agreements:update", args=[c.pk]), attest),
        (world["admin"], reverse("relationships:request"),
         {"subject": "Hi", "text": "Hello", "to_email": "it@contoso.example"}),
        (world["admin"], reverse("users:add"),
         {"first_name": "A", "last_name": "B", "email": "ab@x.example", "roles": "Sales agent"}),
        (world["admin"], reverse("profile"), {"time_zone": "Asia/Seoul", "language": "ko"}),
        (world["admin"], reverse("customers:new"),
         {"company_name": "Contoso", "domain_prefix": "contosonul", "country": "US",
          "address_line1": "1 Way", "city": "Redmond", "culture": "en-US",
          "cloud_instance": "public", "contact_first_name": "A", "contact_last_name": "B",
          "contact_email": "a@b.example", "contact_phone": "+1 425 555 0100"}),
        (world["provider_admin"], reverse("relationships:partnership_invite"),
         {"reseller": world["reseller_admin"].partner.mpn_id, "email": "r@r.example"}),
        (world["reseller_admin"],
         reverse("relationships:authorize", args=[world["invitation"].token]), {"confirm": "on"}),
        (world["admin"], reverse("relationships:remove", args=[c.pk]), {"confirm": "on"}),
        (customer_admin, accept, {"accept_relationship": "on", "accept_agreement": "on"}),
        (None, reverse("login"), {"username": "u@x.example", "password": "secret"}),
        (None, reverse("admincenter:login"), {"username": "admin@x.example", "password": "s"}),
    ]  # fmt: skip


def test_no_form_answers_a_nul_or_huge_field_with_a_server_error(client, world):
    for user, url, data in _forms(world):
        for field in data:
            for bad in (NUL, HUGE):
                client.logout()
                if user is not None:
                    client.force_login(user)
                response = client.post(url, {**data, field: bad})
                assert response.status_code != 500, (url, field, bad[:10])
                if response.status_code == 200 and "form" in (response.context or {}):
                    form = response.context["form"]
                    assert form.errors, (url, field, "a bad value was accepted silently")
