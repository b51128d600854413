"""The customer's admin center pages (docs/admin-center.md): where invitation and agreement links lead.

Only customer admin accounts use these pages; partner users get 403 here, and
customer accounts get no partner dashboard page (CustomerAccountMiddleware).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.models import AgreementTemplate, user_today
from agreements.selectors import (
    attesting_partner_ids,
    current_direct_acceptance,
    customer_ever_accepted_directly,
    partner_confirmation,
)
from agreements.services import A9_MESSAGE, direct_acceptance_record
from customers.selectors import customer_has_purchases
from partnercenter.signin.mixins import SignInMixin
from partnercenter.tenant.forms import TemporaryPasswordChangeForm
from partnercenter.web.pages import next_or, replayed, submit_once
from relationships.admincenter.workflows import invitation_accept
from relationships.adminrelationships import (
    admin_relationship_approve as admin_relationship_approve_service,
)
from relationships.adminrelationships import admin_relationship_terminate
from relationships.entraroles import roles_named
from relationships.invitations import AGREEMENT_REF
from relationships.selectors import (
    InvalidInvitation,
    admin_relationship_for_customer_admin,
    admin_relationships_of_customer,
    customer_relationships,
    invitation_parse,
)

admin_center_login_required = login_required(login_url="admincenter:login")


def _customer(request):
    """The signed-in customer's tenant; 403 for partner users and staff."""
    customer = getattr(request.user, "customer", None)
    if customer is None:
        raise PermissionDenied(
            _("The admin center is for customer accounts. Partner users work in Partner Center.")
        )
    return customer


class SignInView(SignInMixin, auth_views.LoginView):
    """Admin center sign-in; returns to the invitation or agreement link that was followed.

    A partner user signing in here still gives their second factor (SignInMixin).
    The page keeps the language the customer was reading the link in.
    """

    switch_language = False

    template_name = "admincenter/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("admincenter:home")


class PasswordChangeView(auth_views.PasswordChangeView):
    """The first sign-in's password change, then back to the link that was followed.

    For customer accounts only: 403 for partner users and staff.
    """

    template_name = "admincenter/password_change.html"
    form_class = TemporaryPasswordChangeForm
    success_url = reverse_lazy("admincenter:home")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _customer(request)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return next_or(self.request, super().get_success_url())

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


def _agreement_state(customer, user):
    template = AgreementTemplate.objects.current(user_today(user))
    accepted = current_direct_acceptance(customer, template)
    document = template.document_url(country=str(customer.country), language=customer.culture)
    return template, accepted, document


@admin_center_login_required
def home(request):
    """The admin center's entry: an invitation link, the agreement link, or the overview."""
    customer = _customer(request)
    if "invType" in request.GET:
        return _invitation(request, customer)
    if "ref" in request.GET:
        if request.GET["ref"] != AGREEMENT_REF:
            return _invalid(request)
        return _agreement(request, customer)
    template, accepted, document = _agreement_state(customer, request.user)
    return render(
        request,
        "admincenter/home.html",
        {"customer": customer, "accepted": accepted, "document": document, "template": template},
    )


def _invalid(request):
    return render(request, "admincenter/invalid_link.html", status=404)


def _invitation(request, customer):
    if done := replayed(request):  # a double-click: the first click's result
        return done
    try:
        invitation = invitation_parse(request.GET)
    except InvalidInvitation:
        return _invalid(request)
    template, accepted, document = _agreement_state(customer, request.user)
    # The partner (or its provider) may have confirmed already: then A9 has nothing to ask.
    partners = [invitation.partner, *([invitation.provider] if invitation.provider else [])]
    confirmed = None if accepted else partner_confirmation(customer, partners, template)
    blocked = accepted is None and confirmed is None and customer_has_purchases(customer)
    relationships = list(
        customer_relationships(customer)
        .filter(partner__in=[p for p, _ in invitation.partners])
        .select_related("partner")
        .order_by("since")
    )
    already_accepted = len(relationships) == len(invitation.partners)
    if request.method == "POST" and already_accepted:
        # Another tab accepted it first: answer as a reload would, with what is in place.
        return redirect(request.get_full_path())
    errors = []
    if request.method == "POST":

        def accept():
            invitation_accept(
                user=request.user,
                invitation=invitation,
                accept_relationship=request.POST.get("accept_relationship") == "on",
                accept_agreement=accepted is None
                and confirmed is None
                and not blocked
                and request.POST.get("accept_agreement") == "on",
            )
            return reverse("admincenter:partners"), _(
                "You accepted the invitation from %(partner)s."
            ) % {"partner": invitation.partner.name}

        try:
            return submit_once(request, accept)
        except ValidationError as exc:
            errors = exc.messages
    context = {
        "invitation": invitation,
        "already_accepted": already_accepted,
        "relationships": relationships,
        "agreement_confirmed": confirmed,
        "agreement_accepted": accepted,
        "agreement_blocked": blocked,
        "a9_message": A9_MESSAGE,
        "document": document,
        "template": template,
        "errors": errors,
    }
    return render(request, "admincenter/invitation.html", context)


def _agreement(request, customer):
    template, accepted, document = _agreement_state(customer, request.user)
    blocked = accepted is None and customer_has_purchases(customer)
    errors = []
    if request.method == "POST" and accepted is None:
        if request.POST.get("accept_agreement") != "on":
            errors = [_("Check the box to accept the Microsoft Customer Agreement.")]
        else:

            def accept():
                direct_acceptance_record(user=request.user)
                return request.get_full_path(), _("You accepted the Microsoft Customer Agreement.")

            try:
                return submit_once(request, accept)
            except ValidationError as exc:
                errors = exc.messages
    context = {
        "accepted": accepted,
        "blocked": blocked,
        "a9_message": A9_MESSAGE,
        "document": document,
        "template": template,
        "errors": errors,
    }
    return render(request, "admincenter/agreement.html", context)


def _partner_rows(customer):
    """Every partner the customer works with, with relationship type, since, and agreement status."""
    relationships = list(
        customer_relationships(customer)
        .select_related("partner", "indirect_provider")
        .order_by("partner__name")
    )
    attested = attesting_partner_ids(customer, AgreementTemplate.objects.current())
    direct = customer_ever_accepted_directly(customer)
    provider_ids = {r.indirect_provider_id for r in relationships if r.indirect_provider_id}
    return [
        {
            "relationship": r,
            "partner": r.partner,
            "kind": _("Indirect reseller")
            if r.indirect_provider_id
            else (_("Indirect provider") if r.partner_id in provider_ids else _("Reseller")),
            "agreement": _("Confirmed by this partner")
            if r.partner_id in attested
            else (_("Accepted by you") if direct else _("Not accepted")),
        }
        for r in relationships
    ]


@admin_center_login_required
def partners(request):
    """**Partners**: every partner the customer works with (seed 000 step 8), and
    **Partner relationships**: the admin relationships made for this tenant, with their
    roles and **Remove roles** (GDAP)."""
    customer = _customer(request)
    return render(
        request,
        "admincenter/partners.html",
        {
            "customer": customer,
            "rows": _partner_rows(customer),
            # Partner relationships: GDAP admin relationships made for this tenant.
            "admin_relationships": [
                (r, roles_named(r.roles)) for r in admin_relationships_of_customer(customer)[:200]
            ],
        },
    )


@admin_center_login_required
def partner_detail(request, partner_id):
    """One partner's details: relationship type, since when, DAP, agreement status."""
    customer = _customer(request)
    rows = [
        row for row in _partner_rows(customer) if str(row["partner"].tenant_id) == str(partner_id)
    ]
    if not rows:
        raise Http404("This partner has no relationship with your organization.")
    # For an indirect provider: the resellers that serve the customer through it.
    resellers = [
        r.partner
        for r in customer_relationships(customer)
        .filter(indirect_provider=rows[0]["partner"])
        .select_related("partner")
    ]
    return render(
        request, "admincenter/partner_detail.html", {"row": rows[0], "resellers": resellers}
    )


# --- GDAP: Approve partner roles, Partner relationships (docs/relationships.md, G6) ------


@login_not_required
def admin_portal(request):
    """Where an approval link lands: ``…/AdminPortal/Home#/partners/invitation/
    granularAdminRelationships/{id}``. The id is in the fragment, which never reaches the
    server: a small static script reads it and opens **Approve partner roles**; without
    script the page says where to find the request."""
    return render(request, "admincenter/admin_portal.html")


def _gdap_relationship(request, pk):
    try:
        return admin_relationship_for_customer_admin(request.user, pk)
    except Http404:
        return None


@admin_center_login_required
def admin_relationship_approve(request, pk):
    """**Approve partner roles**: the partner, the relationship's name, its roles with
    what each allows, its duration and auto-extend, and **Approve all**. A link that is
    unknown or made for another tenant gets the invalid-link page (404); an expired,
    terminated or already approved one says what it is."""
    customer = _customer(request)
    relationship = _gdap_relationship(request, pk)
    if relationship is None:
        return _invalid(request)
    errors = []
    if request.method == "POST":

        def approve():
            admin_relationship_approve_service(user=request.user, relationship=relationship)
            return reverse("admincenter:partners"), _(
                "You approved the roles of %(partner)s's admin relationship %(name)s."
            ) % {"partner": relationship.partner.name, "name": relationship.display_name}

        if done := replayed(request):
            return done
        try:
            return submit_once(request, approve)
        except ValidationError as exc:
            errors = exc.messages
            relationship.refresh_from_db()
    context = {
        "relationship": relationship,
        "customer": customer,
        "roles": roles_named(relationship.roles),
        "errors": errors,
    }
    return render(request, "admincenter/admin_relationship.html", context)


@admin_center_login_required
@require_POST
def admin_relationship_remove(request, pk):
    """**Remove roles**: the customer ends an active admin relationship."""
    _customer(request)
    if done := replayed(request):
        return done
    relationship = _gdap_relationship(request, pk)
    if relationship is None or relationship.customer_id != request.user.customer_id:
        return _invalid(request)

    def remove():
        admin_relationship_terminate(user=request.user, relationship=relationship)
        return reverse("admincenter:partners"), _(
            "%(partner)s no longer has the roles of %(name)s."
        ) % {"partner": relationship.partner.name, "name": relationship.display_name}

    try:
        return submit_once(request, remove)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("admincenter:partners")
