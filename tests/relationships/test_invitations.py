"""One function builds every invitation URL in Partner Center's formats (docs/relationships.md)."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from partnercenter.models import Partner
from relationships.invitations import InvitationKind, invitation_url, mailto_url
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
BASE = "https://admin.microsoft.com/AdminPortal/Home"


def parse(url):
    parts = urlsplit(url)
    return (
        f"{parts.scheme}://{parts.netloc}{parts.path}",
        parse_qs(parts.query, strict_parsing=True),
        parts.fragment,
    )


@pytest.mark.parametrize("dap", [True, False])
def test_the_reseller_relationship_url(dap):
    partner = PartnerFactory()
    base, query, fragment = parse(
        invitation_url(InvitationKind.RESELLER, partner=partner, dap=dap, base_url=BASE)
    )
    assert base == BASE
    assert query == {
        "invType": ["ResellerRelationship"],
        "partnerId": [str(partner.tenant_id)],
        "msppId": ["0"],
        "DAP": ["true" if dap else "false"],
    }
    assert fragment == "/BillingAccounts/partner-invitation"


def test_the_indirect_reseller_url_carries_reseller_mpn_and_provider():
    reseller = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_RESELLER, mpn_id="2345678")
    provider = PartnerFactory(partner_type=Partner.PartnerType.INDIRECT_PROVIDER)
    url = invitation_url(
        InvitationKind.INDIRECT_RESELLER,
        partner=reseller,
        provider=provider,
        dap=True,
        base_url=BASE,
    )
    _, query, fragment = parse(url)
    assert query == {
        "invType": ["IndirectResellerRelationship"],
        "partnerId": [str(reseller.tenant_id)],
        "msppId": ["2345678"],
        "indirectCSPId": [str(provider.tenant_id)],
        "DAP": ["true"],
    }
    assert fragment == "/BillingAccounts/partner-invitation"


def test_the_agreement_only_url_is_exactly_partner_centers():
    assert (
        invitation_url(InvitationKind.AGREEMENT, base_url=BASE)
        == f"{BASE}?ref=/BillingAccounts/agreement"
    )


def test_the_default_base_is_the_admin_center_url_setting(settings):
    settings.ADMIN_CENTER_URL = "http://127.0.0.1:8000/admincenter/"
    assert (
        invitation_url(InvitationKind.AGREEMENT)
        == "http://127.0.0.1:8000/admincenter/?ref=/BillingAccounts/agreement"
    )


def test_a_base_url_with_its_own_query_keeps_it():
    _, query, _ = parse(invitation_url(InvitationKind.AGREEMENT, base_url=f"{BASE}?tenant=x"))
    assert query == {"tenant": ["x"], "ref": ["/BillingAccounts/agreement"]}


def test_missing_partners_or_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        invitation_url(InvitationKind.RESELLER)
    with pytest.raises(ValueError):
        invitation_url(InvitationKind.INDIRECT_RESELLER, partner=PartnerFactory())
    with pytest.raises(ValueError):
        invitation_url("Nope")


def test_mailto_percent_encodes_subject_and_body_as_rfc_6068_asks():
    body = 'Line 1 & <script>"x"</script>\n#2 한국어 ?=&\nhttps://a.example/?x=1&y=2#/frag'
    url = mailto_url(to="minji@contoso.example", subject="Hello & 안녕", body=body)
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and unquote(parts.path) == "minji@contoso.example"
    query = parse_qs(parts.query)
    assert query == {"subject": ["Hello & 안녕"], "body": [body.replace("\n", "\r\n")]}
    assert all(ch not in url for ch in ' \n<>"#')
