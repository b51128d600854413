"""Invitation links into the admin center, in Partner Center's exact formats (docs/relationships.md).

One function builds all three, so they can't drift apart.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.template.loader import render_to_string

PARTNER_INVITATION_FRAGMENT = "/BillingAccounts/partner-invitation"
AGREEMENT_REF = "/BillingAccounts/agreement"


class InvitationKind:
    RESELLER = "ResellerRelationship"
    INDIRECT_RESELLER = "IndirectResellerRelationship"
    AGREEMENT = "Agreement"


def invitation_url(
    kind: str, *, partner=None, provider=None, dap: bool = False, base_url: str | None = None
) -> str:
    """The admin-center URL a customer follows.

    ``kind`` is an InvitationKind value. RESELLER needs ``partner`` (the
    inviting partner); INDIRECT_RESELLER needs ``partner`` (the indirect
    reseller) and ``provider`` (its indirect provider); AGREEMENT needs
    neither. ``dap`` asks for delegated admin privileges. ``base_url`` defaults
    to settings.ADMIN_CENTER_URL; its own query, if any, is kept. Raises
    ValueError for an unknown kind or a missing partner.
    """
    base = urlsplit(base_url or settings.ADMIN_CENTER_URL)
    if kind == InvitationKind.AGREEMENT:
        params, fragment = [("ref", AGREEMENT_REF)], ""
    elif kind == InvitationKind.RESELLER:
        if partner is None:
            raise ValueError("A reseller invitation needs the inviting partner.")
        params = [
            ("invType", kind),
            ("partnerId", str(partner.tenant_id)),
            ("msppId", "0"),
            ("DAP", "true" if dap else "false"),
        ]
        fragment = PARTNER_INVITATION_FRAGMENT
    elif kind == InvitationKind.INDIRECT_RESELLER:
        if partner is None or provider is None:
            raise ValueError("An indirect reseller invitation needs the reseller and its provider.")
        params = [
            ("invType", kind),
            ("partnerId", str(partner.tenant_id)),
            ("msppId", str(partner.mpn_id)),
            ("indirectCSPId", str(provider.tenant_id)),
            ("DAP", "true" if dap else "false"),
        ]
        fragment = PARTNER_INVITATION_FRAGMENT
    else:
        raise ValueError(f"Unknown invitation kind: {kind!r}")
    query = "&".join(filter(None, [base.query, urlencode(params, safe="/", quote_via=quote)]))
    return urlunsplit((base.scheme, base.netloc, base.path, query, fragment))


def mailto_url(*, to: str = "", subject: str, body: str) -> str:
    """An RFC 6068 ``mailto:`` link with percent-encoded UTF-8 subject and body.

    Line breaks in ``body`` become CRLF (``%0D%0A``), as RFC 6068 asks.
    """
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return f"mailto:{quote(to, safe='@,')}?{query}"


@dataclass
class InvitationEmail:
    """An invitation email the agent can edit, copy, open in a mail app, or send."""

    subject: str
    body: str
    url: str
    to: str = ""

    @property
    def mailto(self) -> str:
        return mailto_url(to=self.to, subject=self.subject, body=self.body)


def agreement_invitation_email(
    *, customer, partner, sender, username: str, password: str | None
) -> InvitationEmail:
    """Option 2's email (seed 000): the agreement URL and the customer's admin sign-in.

    Written in the active language. ``password`` is None once it has been shown;
    the text then says so instead of repeating it.
    """
    url = invitation_url(InvitationKind.AGREEMENT)
    context = {
        "customer": customer,
        "partner": partner,
        "sender": sender,
        "username": username,
        "password": password,
        "url": url,
    }
    subject = render_to_string("customers/email/agreement_invitation_subject.txt", context).strip()
    body = render_to_string("customers/email/agreement_invitation_body.txt", context).strip() + "\n"
    return InvitationEmail(subject=subject, body=body, url=url, to=customer.contact_email)


def compose_body(text: str, url: str) -> str:
    """The email text with the invitation link always in it (docs/relationships.md).

    Returns ``text`` unchanged when it holds ``url``; otherwise ``url`` is
    added on a line of its own at the end. static/js/invitation.js does the same.
    """
    text = text.replace("\r\n", "\n")
    if url in text:
        return text
    return f"{text.rstrip()}\n\n{url}\n"


def reseller_invitation_email(*, partner, sender, url: str, provider=None) -> InvitationEmail:
    """Request a reseller relationship / Invite new customers: the draft email (seed 000, 004).

    Written in the active language; ``provider`` makes it the indirect
    reseller's invitation to authorize both it and its provider.
    """
    context = {"partner": partner, "provider": provider, "sender": sender, "url": url}
    subject = render_to_string(
        "relationships/email/reseller_invitation_subject.txt", context
    ).strip()
    body = (
        render_to_string("relationships/email/reseller_invitation_body.txt", context).strip() + "\n"
    )
    return InvitationEmail(subject=subject, body=body, url=url)
