"""Reseller relationships and indirect partnerships (docs/relationships.md, seed 004)."""

import json

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.selectors import customer_get_for_user, customer_has_active_subscriptions_through
from partnercenter.tenant.access import partner_for_user, pk_or_404
from partnercenter.tenant.roles import Action, Role
from partnercenter.web.forms import add_service_errors
from partnercenter.web.pages import replayed, submit_once
from partnercenter.web.paging import keyset_page
from partnercenter.web.sealing import session_secret_put, session_secret_take
from relationships import services
from relationships.forms import (
    InvitationSendForm,
    PartnershipAuthorizeForm,
    PartnershipInviteForm,
    RelationshipRemoveForm,
)
from relationships.invitations import (
    InvitationEmail,
    compose_body,
    mailto_url,
    reseller_invitation_email,
)
from relationships.selectors import (
    indirect_partnership_get_for_user,
    indirect_partnerships_for_user,
    own_relationship_with,
    partnership_invitation_received_get_for_user,
    partnership_invitations_received,
    pending_partnership_invitations,
    recent_invitations,
    shared_customers,
    with_outbound_email,
)

#: Rows on a page of a list that can grow (resellers, shared customers).
LIST_PER_PAGE = 50
#: Session bucket of fresh invitation links, each shown once (``partnership_invitation_link``).
_INVITATION_LINKS = "partnership_invitation_links"


def indirect_providers(request):
    """**Indirect providers**: the providers an indirect reseller works with, and the
    invitations from providers waiting for a Global admin to authorize them."""
    partnerships = indirect_partnerships_for_user(request.user, side="providers")
    received = partnership_invitations_received(request.user.partner)
    return render(
        request,
        "relationships/indirect_providers.html",
        {"partnerships": partnerships, "received": received},
    )


def indirect_resellers(request):
    """**Indirect resellers**: the resellers an indirect provider works with, and invitations out."""
    partnerships = indirect_partnerships_for_user(request.user, side="resellers").annotate(
        reseller_name=F("reseller__name")
    )
    # A distributor can have thousands of resellers: keyset-paged by name.
    page = keyset_page(
        partnerships,
        keys=("reseller_name", "id"),
        cursor=request.GET.get("cursor"),
        per_page=LIST_PER_PAGE,
    )
    pending = with_outbound_email(pending_partnership_invitations(request.user.partner))
    return render(
        request,
        "relationships/indirect_resellers.html",
        {"partnerships": page.object_list, "page_obj": page, "pending": pending},
    )


def _invitation_page(request, *, provider=None, partnership=None):
    """Request a reseller relationship / Invite new customers: draft, edit, copy, open, send."""
    partner = partner_for_user(request.user, Action.INVITE_CUSTOMERS)
    dap = (
        request.POST.get("dap") == "on"
        if request.method == "POST"
        else request.GET.get("dap") == "1"
    )
    urls = {
        flag: services.customer_invitation_url(partner=partner, provider=provider, dap=flag)
        for flag in (True, False)
    }
    with translation.override(request.user.language):
        draft = reseller_invitation_email(
            partner=partner, provider=provider, sender=request.user, url=urls[dap]
        )
    form = InvitationSendForm(
        request.POST or None, initial={"subject": draft.subject, "text": draft.body, "dap": dap}
    )
    if request.method == "POST" and form.is_valid():

        def send():
            invitation = services.invitation_send(
                user=request.user,
                to_email=form.cleaned_data["to_email"],
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                dap=form.cleaned_data["dap"],
                provider=provider,
            )
            # Back to the same page with the same delegated-admin choice.
            back = request.path + ("?dap=1" if form.cleaned_data["dap"] else "")
            return back, _("The invitation to %(email)s is queued and goes out in a moment.") % {
                "email": invitation.to_email
            }

        try:
            return submit_once(request, send)
        except ValidationError as exc:
            add_service_errors(form, exc)
    text = form["text"].value() or ""
    context = {
        "form": form,
        "mailto": mailto_url(
            subject=form["subject"].value() or "", body=compose_body(text, urls[dap])
        ),
        "url": urls[dap],
        "url_dap": urls[True],
        "url_no_dap": urls[False],
        "provider": provider,
        "partnership": partnership,
        "sent": recent_invitations(partner),
    }
    return render(request, "relationships/request_relationship.html", context)


def request_relationship(request):
    """**Request a reseller relationship** (Customers page; seed 000 and 004)."""
    return _invitation_page(request)


def invite_customers(request, pk):
    """**Invite new customers** with one indirect provider (an indirect reseller's page)."""
    partnership = indirect_partnership_get_for_user(
        request.user, pk, action=Action.INVITE_CUSTOMERS
    )
    if partnership.reseller_id != request.user.partner_id:
        raise Http404("Only the indirect reseller invites customers with its provider.")
    return _invitation_page(request, provider=partnership.provider, partnership=partnership)


def partnership_invite(request):
    """An indirect provider invites an indirect reseller (Indirect resellers page)."""
    partner = partner_for_user(request.user, Action.MANAGE_PARTNERSHIPS)
    if not partner.is_indirect_provider:
        raise Http404("This page is for indirect providers.")
    form = PartnershipInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def invite():
            invitation = services.partnership_invite(
                user=request.user,
                reseller_key=form.cleaned_data["reseller"],
                email=form.cleaned_data["email"],
            )
            return reverse("relationships:indirect_resellers"), _(
                "The invitation to %(email)s at %(reseller)s is queued and goes out in a moment."
            ) % {"email": invitation.email, "reseller": invitation.reseller.name}

        try:
            return submit_once(request, invite)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "relationships/partnership_invite.html", {"form": form})


@require_POST
def partnership_invitation_resend(request, pk):
    """**Resend** a pending partnership invitation with a fresh link."""
    if done := replayed(request):
        return done
    partner = partner_for_user(request.user, Action.MANAGE_PARTNERSHIPS)
    invitation = get_object_or_404(pending_partnership_invitations(partner), pk=pk_or_404(pk))

    def resend():
        services.partnership_invitation_resend(user=request.user, invitation=invitation)
        return reverse("relationships:indirect_resellers"), _(
            "A new invitation link to %(email)s is queued and goes out in a moment."
        ) % {"email": invitation.email}

    return _renewed(request, resend)


def _renewed(request, action):
    """``submit_once(request, action)`` for Resend / Get link: an invitation accepted
    since it was looked up answers 404, as one accepted before does (never a 500)."""
    try:
        return submit_once(request, action)
    except ValidationError as exc:
        raise Http404("This invitation was already accepted.") from exc


def partnership_invitation_link(request, pk):
    """**Get link**: a fresh link to a pending partnership invitation, shown once with
    **Copy to clipboard** and **Open in email**, for a provider that sends its own
    email.

    POST makes the link (the emailed one stops working) and redirects here;
    GET shows it once, or explains that it was shown and offers a new one.
    """
    if done := replayed(request):
        return done
    partner = partner_for_user(request.user, Action.MANAGE_PARTNERSHIPS)
    invitation = get_object_or_404(pending_partnership_invitations(partner), pk=pk_or_404(pk))
    if request.method == "POST":

        def renew():
            email = services.partnership_invitation_link(user=request.user, invitation=invitation)
            session_secret_put(
                request.session, _INVITATION_LINKS, str(invitation.pk), json.dumps(vars(email))
            )
            return request.path, _(
                "A new invitation link was made: the link sent earlier no longer works."
            )

        return _renewed(request, renew)
    kept = session_secret_take(request.session, _INVITATION_LINKS, str(invitation.pk))
    email = InvitationEmail(**json.loads(kept)) if kept else None
    return render(
        request,
        "relationships/partnership_invitation_link.html",
        {"invitation": invitation, "email": email},
    )


def partnership_authorize(request, token):
    """The invited reseller follows the emailed link: tick the box, **Authorize indirect provider**."""
    if done := replayed(request):
        return done
    invitation = services.partnership_invitation_get_for_user(request.user, token)
    return _authorize_page(request, invitation)


def partnership_invitation_review(request, pk):
    """An invitation listed on the reseller's **Indirect providers** page: the same
    page as the emailed link, for a signed-in user of the invited reseller.

    The invitation is addressed to the user's own partner, so the link's token
    adds nothing; only a Global admin can authorize (``partnership_authorize``).
    """
    if done := replayed(request):
        return done
    invitation = partnership_invitation_received_get_for_user(request.user, pk)
    return _authorize_page(request, invitation)


def _authorize_page(request, invitation):
    """Tick the box, **Authorize indirect provider**; 410 once the invitation expired."""
    if invitation.is_expired:
        context = {"invitation": invitation}
        return render(request, "relationships/invitation_expired.html", context, status=410)
    # Bound even when empty: an unticked box posts nothing, and must say so.
    form = PartnershipAuthorizeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():

        def authorize():
            services.partnership_authorize(
                user=request.user,
                invitation=invitation,
                confirmed=form.cleaned_data["confirm"],
            )
            return reverse("relationships:indirect_providers"), _(
                "%(provider)s is now your indirect provider."
            ) % {"provider": invitation.provider.name}

        try:
            return submit_once(request, authorize)
        except ValidationError as exc:
            add_service_errors(form, exc)
    can_authorize = Role.GLOBAL_ADMIN.value in request.user.role_names
    return render(
        request,
        "relationships/partnership_authorize.html",
        {"form": form, "invitation": invitation, "can_authorize": can_authorize},
    )


def partnership_customers(request, pk):
    """**View customers**: the customers the two partners share."""
    partnership = indirect_partnership_get_for_user(request.user, pk, action=Action.VIEW_CUSTOMERS)
    page = keyset_page(
        shared_customers(partnership),
        keys=("sort_name", "customer_id"),
        cursor=request.GET.get("cursor"),
        per_page=LIST_PER_PAGE,
    )
    customers = [row.customer for row in page.object_list]
    return render(
        request,
        "relationships/partnership_customers.html",
        {"partnership": partnership, "customers": customers, "page_obj": page},
    )


def partnership_end(request, pk):
    """End a partnership (either side); the record stays."""
    if done := replayed(request):
        return done
    partnership = indirect_partnership_get_for_user(request.user, pk)
    if request.method == "POST":

        def end():
            services.partnership_end(user=request.user, partnership=partnership)
            if partnership.provider_id == request.user.partner_id:
                return reverse("relationships:indirect_resellers"), _("The partnership was ended.")
            return reverse("relationships:indirect_providers"), _("The partnership was ended.")

        return submit_once(request, end)
    return render(
        request, "relationships/partnership_confirm_end.html", {"partnership": partnership}
    )


def relationship_remove(request, pk):
    """**Remove customer relationship** (Account info; seed 004)."""
    if done := replayed(request):
        return done
    customer = customer_get_for_user(request.user, pk, action=Action.REMOVE_RELATIONSHIP)
    relationship = own_relationship_with(customer, partner=request.user.partner)
    if relationship is None:
        raise Http404("You have no active relationship of your own with this customer.")
    has_subscriptions = customer_has_active_subscriptions_through(
        customer, partner=request.user.partner
    )
    # Bound even when empty: an unticked box posts nothing, and must say so.
    form = RelationshipRemoveForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():

        def remove():
            services.relationship_remove(
                user=request.user,
                relationship=relationship,
                confirmed=form.cleaned_data["confirm"],
            )
            return reverse("customers:list"), _(
                "%(customer)s no longer appears in your customer list. Delegated admin privileges, if "
                "any, remain unchanged, and no notice was sent to the customer."
            ) % {"customer": customer.company_name}

        try:
            return submit_once(request, remove)
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {"form": form, "customer": customer, "has_subscriptions": has_subscriptions}
    return render(request, "relationships/relationship_confirm_remove.html", context)
