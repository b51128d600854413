"""Browser: every main page, in English and Korean, at 1280 px and at 390 px, audited with
axe-core for WCAG 2.1 A/AA — 0 violations of impact serious or critical — and, at 390 px,
no sideways scroll.

axe-core is vendored (tests/browser/vendor/axe-core, from the npm registry) and evaluated
through the DevTools protocol, which the pages' Content-Security-Policy doesn't block.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import expect

from agreements.models import AgreementAcceptance
from customers.models import Customer
from partnercenter.api.tokens import token_create
from partnercenter.management.demo import DEMO_PASSWORD
from partnercenter.models import User
from relationships.invitations import InvitationKind, invitation_url
from relationships.models import AdminRelationship, IndirectPartnership, ResellerRelationship
from tests.factories import PartnershipInvitationFactory

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDE, PHONE = 1280, 390

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3)
      .map((n) => n.target.join(' ') + ' — ' + ((n.any[0] || n.all[0] || n.none[0] || {}).message || ''))
      .join(' | '));
}"""


class Audit:
    """Audits the page it is given at both widths and keeps every finding."""

    def __init__(self, page):
        self.page = page
        self.findings: list[str] = []
        self.pages = 0

    def __call__(self, label: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        for width in (WIDE, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(AXE + ";0")
            for violation in page.evaluate(RUN_AXE, TAGS):
                self.findings.append(f"{label} @{width}px [{page.url}]: {violation}")
            if width == PHONE:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > PHONE:
                    self.findings.append(f"{label} @{width}px [{page.url}]: scrolls to {scroll}px")
        page.set_viewport_size({"width": WIDE, "height": 900})
        self.pages += 1

    def visit(self, url: str, label: str | None = None, *, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response.status == status, (url, response.status)
        self(label or url)


def _sign_in(page, base, username, *, path="/accounts/login/"):
    page.context.clear_cookies()
    page.goto(base + path)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state("load")


def _submit(page):
    """The main form's first submit button (Next, Save, Update...), in either language."""
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state("load")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_main_page_has_no_serious_axe_violation_and_no_sideways_scroll_on_a_phone(
    page, live_server, settings, language
):
    settings.MFA_REQUIRED = False  # the enrolment pages are audited by their own test below
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language=language)
    base = live_server.url
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    audit = Audit(page)

    # Signed out: sign-in pages, a page that doesn't exist, an expired form (CSRF).
    audit.visit(base + "/accounts/login/", "sign-in")
    page.locator("main form [type=submit]").first.click()
    audit("sign-in, error state")
    audit.visit(base + "/admincenter/signin/", "admin center sign-in")
    audit.visit(base + "/no-such-page/", "404", status=404)
    page.goto(base + "/accounts/login/")
    page.context.clear_cookies()
    page.locator("#id_username").fill("adminagent@fabrikam.example")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form [type=submit]").first.click()
    expect(page.locator("h1")).to_have_count(1)
    audit("CSRF failure")
    # 400 and 500 render without a request (no database); shown at the site's address.
    for name in ("400.html", "500.html", "503.html"):
        with translation.override(language):
            html = render_to_string(name)
        page.goto(base + "/accounts/login/")
        page.set_content(html)
        audit(name)
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )

    # A direct partner's Admin agent: the dashboard, a customer, the New customer wizard.
    _sign_in(page, base, "adminagent@fabrikam.example")
    fabrikam = User.objects.get(username="adminagent@fabrikam.example").partner
    customer = (
        Customer.objects.filter(reseller_relationships__partner=fabrikam).order_by("pk").first()
    )
    for path in (
        "/customers/",
        "/customers/?q=contoso",
        "/customers/compliance/",
        "/customers/compliance/bulk/",
        f"/customers/{customer.pk}/",
        f"/customers/{customer.pk}/contact/",
        f"/customers/{customer.pk}/history/",
        f"/customers/{customer.pk}/agreement/update/",
        f"/customers/{customer.pk}/agreement/history/",
        f"/customers/{customer.pk}/orders/new/",
        f"/customers/{customer.pk}/subscriptions/",
        "/customers/request-relationship/",
        "/settings/profile/",
        "/settings/security/",
        "/accounts/password_change/",
    ):
        audit.visit(base + path)
    page.goto(base + f"/customers/{customer.pk}/agreement/update/")
    page.locator("#id_email").fill("not an email")
    _submit(page)
    audit("Update, error state")
    page.goto(base + "/customers/new/")
    _submit(page)
    audit("New customer, Account info, error state")
    page.locator("[name=company_name]").fill("Hangang Robotics")
    page.locator("[name=domain_prefix]").fill("hangangrobotics")
    page.locator("[name=country]").select_option("KR")
    page.locator("[name=address_line1]").fill("152 Teheran-ro")
    page.locator("[name=city]").fill("Seoul")
    page.locator("[name=postal_code]").fill("06236")
    page.locator("[name=contact_first_name]").fill("Minji")
    page.locator("[name=contact_last_name]").fill("Kang")
    page.locator("[name=contact_email]").fill("minji.kang@hangang.example")
    _submit(page)
    audit("New customer, Microsoft Customer Agreement")
    _submit(page)
    audit("New customer, Microsoft Customer Agreement, error state")
    page.locator("input[name=option][value=invite]").check()
    _submit(page)
    assert page.url.endswith("/customers/new/review/"), page.url
    audit("New customer, Review")

    # Fabrikam's Global admin: User management, webhooks, activity log.
    _sign_in(page, base, "globaladmin@fabrikam.example")
    member = User.objects.filter(partner=fabrikam).order_by("pk").last()
    for path in (
        "/settings/users/",
        f"/settings/users/{member.pk}/",
        "/settings/users/add/",
        "/settings/webhooks/",
        "/settings/activity/",
        "/settings/apps/",
    ):
        audit.visit(base + path)
    token_create(user=User.objects.get(username="globaladmin@fabrikam.example"), name="CRM sync")
    audit.visit(base + "/settings/apps/")  # with a token listed
    page.goto(base + "/settings/apps/")
    page.locator("#token-form [type=submit]").click()
    page.wait_for_load_state("load")
    audit("App management, error state")

    # GDAP: the admin relationships pages, a request waiting for approval and an active one.
    pending = AdminRelationship.objects.get(partner=fabrikam, display_name="Security review")
    active = AdminRelationship.objects.get(partner=fabrikam, display_name="Helpdesk and licensing")
    for path in (
        "/admin-relationships/",
        f"/admin-relationships/new/?customer={active.customer_id}",
        "/admin-relationships/new/",
        f"/admin-relationships/{pending.pk}/",
        f"/admin-relationships/{active.pk}/",
        f"/admin-relationships/{active.pk}/terminate/",
        "/admin-relationships/expiring/?bucket=7",
        "/admin-relationships/coverage/",
        "/settings/security-groups/",
        f"/customers/{active.customer_id}/admin-relationships/",
    ):
        audit.visit(base + path)
    page.goto(base + "/admin-relationships/new/")
    page.locator("#admin-relationship-form [type=submit]").click()
    page.wait_for_load_state("load")
    audit("Create an admin relationship request, error state")
    page.goto(base + "/settings/users/add/")
    _submit(page)
    audit("Add user, error state")

    # An indirect provider and one of its indirect resellers, each with an invitation
    # waiting on the other side.
    _sign_in(page, base, "adminagent@northwind.example")
    northwind = User.objects.get(username="adminagent@northwind.example").partner
    partnership = IndirectPartnership.objects.filter(provider=northwind).order_by("pk").first()
    PartnershipInvitationFactory(
        provider=northwind,
        reseller__name="Fourth Coffee IT",
        sent_by=User.objects.get(username="adminagent@northwind.example"),
    )
    received = PartnershipInvitationFactory(
        provider__name="Litware Distribution", reseller=partnership.reseller
    )
    for path in (
        "/customers/",
        "/indirect-resellers/",
        "/indirect-resellers/invite/",
        f"/indirect-partnerships/{partnership.pk}/customers/",
    ):
        audit.visit(base + path)
    page.goto(base + "/indirect-resellers/")
    page.get_by_test_id("pending-invitations").locator("form").last.locator("button").click()
    page.wait_for_load_state("load")
    audit("Get link")
    _sign_in(page, base, "globaladmin@tailspin.example")
    audit.visit(base + "/indirect-providers/")
    audit.visit(base + f"/indirect-providers/invitations/{received.pk}/")
    shared = ResellerRelationship.objects.filter(
        partner=partnership.reseller, indirect_provider__isnull=False
    ).first()
    audit.visit(base + f"/customers/{shared.customer_id}/agreement/update/", "A6 (403)", status=403)

    # The customer's admin center: home, partners, an invitation, the agreement link.
    _sign_in(page, base, "admin@contosokr.onmicrosoft.com", path="/admincenter/signin/")
    audit.visit(base + "/admincenter/")
    audit.visit(base + "/admincenter/partners/")
    audit.visit(base + f"/admincenter/admin-relationships/{pending.pk}/")
    audit.visit(base + "/admincenter/AdminPortal/Home")
    for kind in (InvitationKind.RESELLER, InvitationKind.AGREEMENT):
        url = invitation_url(kind, partner=fabrikam, base_url=base + "/admincenter/")
        audit.visit(url, f"admin center, {kind}")

    # Back-office staff in Django admin.
    _sign_in(page, base, "backoffice@partnercenter.example", path="/accounts/login/?next=/admin/")
    acceptance = AgreementAcceptance.objects.order_by("pk").first()
    for path in (
        "/admin/",
        "/admin/customers/customer/",
        f"/admin/customers/customer/{customer.pk}/change/",
        "/admin/agreements/agreementacceptance/",
        f"/admin/agreements/agreementacceptance/{acceptance.pk}/change/",
        "/admin/relationships/resellerrelationship/",
        "/admin/partnercenter/user/",
        f"/admin/partnercenter/user/{member.pk}/change/",
        "/admin/auth/group/1/change/",
    ):
        audit.visit(base + path)

    assert audit.pages == 71
    assert audit.findings == [], "\n".join(audit.findings)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_mfa_pages_have_no_serious_axe_violation(page, live_server, settings, language):
    from tests.browser.test_security import _code

    settings.MFA_REQUIRED = True
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language=language)
    audit = Audit(page)
    _sign_in(page, live_server.url, "globaladmin@fabrikam.example")
    expect(page.get_by_test_id("mfa-qr")).to_be_visible()
    audit("Set up your authenticator app")
    page.locator("main form input[type=text], main form input:not([type])").first.fill("000000")
    _submit(page)
    audit("Set up your authenticator app, error state")
    page.locator("main form input[type=text], main form input:not([type])").first.fill(
        _code("globaladmin@fabrikam.example")
    )
    _submit(page)
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    audit("Recovery codes")
    assert audit.findings == [], "\n".join(audit.findings)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_django_admin_change_form_has_no_serious_axe_violation(page, live_server, language):
    """Back-office staff's forms too: the first record of every model Django admin lists,
    and the add forms of the ones staff create (their date and time inputs labelled)."""
    from django.contrib import admin
    from django.urls import reverse

    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language=language)
    audit = Audit(page)
    base = live_server.url
    _sign_in(page, base, "backoffice@partnercenter.example", path="/accounts/login/?next=/admin/")
    visited = set()
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        record = model._default_manager.order_by("pk").first()
        if record is not None:
            audit.visit(
                base + reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
            )
            visited.add(meta.label)
        if model_admin.has_add_permission(
            _FakeRequest(User.objects.get(username="backoffice@partnercenter.example"))
        ):
            audit.visit(base + reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    # The models with a date and time field the demo has a record of, at least.
    assert {"relationships.ResellerRelationship", "relationships.IndirectPartnership"} <= visited
    assert audit.findings == [], "\n".join(audit.findings)


class _FakeRequest:
    """Enough of a request for ``ModelAdmin.has_add_permission``."""

    def __init__(self, user):
        self.user = user
