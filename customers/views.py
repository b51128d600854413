"""Customers pages (docs/customers.md): Customers, the New customer wizard, Account info."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from agreements.forms import AgreementOption, AgreementStepForm
from agreements.models import AgreementTemplate, user_today
from agreements.selectors import AgreementStatus, agreement_summary
from agreements.services import (
    AttestationNotAllowed,
    ConfirmationRequired,
    check_may_attest,
    has_current_confirmation,
    reseller_attestation_message,
)
from customers.forms import CustomerAccountForm, CustomerContactForm, NewOrderForm, SeatCountForm
from customers.markets import default_culture
from customers.models import Customer, Subscription
from customers.selectors import (
    active_subscriptions_through,
    customer_get_for_user,
    customer_list_page,
    recent_acceptances,
    relationships_for_customer,
    subscriptions_of,
)
from customers.services import CONTACT_FIELDS, customer_update
from customers.services import subscription_cancel as subscription_cancel_service
from customers.workflows import customer_create, order_place, subscription_change_seats
from partnercenter.audit.forms import ActivityFilterForm
from partnercenter.audit.read import events_for_customer, page_context
from partnercenter.ops.metrics import LISTING_CACHE
from partnercenter.tenant.access import partner_for_user, partner_people, pk_or_404
from partnercenter.tenant.roles import Action, may
from partnercenter.web.forms import add_service_errors
from partnercenter.web.pages import replayed, submit_once
from partnercenter.web.paging import keyset_page
from partnercenter.web.sealing import session_secret_put, session_secret_take
from relationships.invitations import agreement_invitation_email
from relationships.selectors import indirect_providers_of

CUSTOMERS_PER_PAGE = 50
#: Subscriptions Account info shows; all of them are on their own keyset-paged page.
SUBSCRIPTIONS_SHOWN = 20
#: Longest search text the Customers page uses; longer text is cut, with a message.
MAX_SEARCH = 200
WIZARD = "new_customer_wizard"
SECRETS = "new_customer_secrets"


def customer_list(request):
    """**Customers**: the partner's customers, searchable by company name or domain, 50 a page."""
    search = request.GET.get("q", "")
    search_note = ""
    if len(search) > MAX_SEARCH:
        search = search[:MAX_SEARCH]
        search_note = _(
            "Search text is limited to %(limit)s characters; the first %(limit)s were used."
        ) % {"limit": MAX_SEARCH}
    status = request.GET.get("status", "")
    status = status if status in AgreementStatus.LABELS else ""
    return render(
        request,
        "customers/customer_list.html",
        {
            "listing": _customer_listing(
                request, search=search, status=status, cursor=request.GET.get("cursor")
            ),
            "search": search,
            "search_note": search_note,
            "status": status,
            "max_search": MAX_SEARCH,
            "may_add": may(request.user, Action.ADD_CUSTOMER),
            "may_invite": may(request.user, Action.INVITE_CUSTOMERS),
            "may_request_admin": may(request.user, Action.MANAGE_ADMIN_RELATIONSHIPS),
            "status_labels": AgreementStatus.LABELS,
        },
    )


def _customer_listing(request, *, search: str, status: str, cursor: str | None) -> str:
    """The Customers page's data part (Recent acceptances, the rows, the pager), as HTML.

    Cached (CACHES["pages"]) under the partner's ``customers_version``, which every
    write that changes the listing replaces when it commits
    (``partnercenter.tenant.services.customer_list_changed``), and under everything else the
    HTML depends on: language, time zone, script prefix, search, status, cursor. The
    version comes with the signed-in user's query, so a cached listing costs no query.
    The role check runs first, on every request (PermissionDenied, Http404). A forged
    or stale cursor reads the first page (``keyset_page``), cached under that cursor.
    """
    partner = partner_for_user(request.user, Action.VIEW_CUSTOMERS)
    varying = "\0".join(
        [translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix(),
         search, status, cursor or "", str(CUSTOMERS_PER_PAGE)]
    )  # fmt: skip
    digest = hashlib.sha256(varying.encode()).hexdigest()
    key = f"customers:{partner.pk}:{partner.customers_version}:{digest}"
    cache = caches["pages"]
    listing = cache.get(key)
    LISTING_CACHE.labels("miss" if listing is None else "hit").inc()
    if listing is None:
        page = customer_list_page(
            request.user, search=search, status=status, cursor=cursor, per_page=CUSTOMERS_PER_PAGE
        )
        listing = render_to_string(
            "customers/includes/customer_listing.html",
            {
                "page_obj": page,
                "search": search,
                "status": status,
                "recent": recent_acceptances(partner),
            },
        )
        cache.set(key, listing)
    return mark_safe(listing)  # noqa: S308 - rendered by our template, escaped there


# --- New customer wizard ------------------------------------------------------------
# Each step keeps what was typed in the session and rebuilds the earlier steps'
# forms from it, so every step is validated again before anything is created.


def _stored(request, step):
    return request.session.get(WIZARD, {}).get(step)


def _store(request, step, data):
    wizard = dict(request.session.get(WIZARD, {}))
    wizard[step] = data
    request.session[WIZARD] = wizard


def _raw(form, data):
    return {name: data.get(form.add_prefix(name), "") for name in form.fields}


def _providers(partner):
    return indirect_providers_of(partner) if partner.is_indirect_reseller else ()


def _account_form(request, partner, data=None):
    if data is None:
        return CustomerAccountForm(
            initial={"country": partner.country, "culture": default_culture(partner.country)},
            providers=_providers(partner),
        )
    return CustomerAccountForm(data, providers=_providers(partner))


def _agreement_form(request, partner, account, data=None, initial=None):
    return AgreementStepForm(
        data,
        initial=initial,
        user=request.user,
        customer_country=account.cleaned_data["country"],
        template=AgreementTemplate.objects.current(user_today(request.user)),
        may_attest=may(request.user, Action.ATTEST_AGREEMENT) and not partner.is_indirect_reseller,
        national_cloud=""
        if account.cleaned_data["cloud_instance"] == Customer.CloudInstance.PUBLIC
        else str(Customer.CloudInstance(account.cleaned_data["cloud_instance"]).label),
    )


def _valid_account(request, partner):
    stored = _stored(request, "account")
    if not stored:
        return None
    form = _account_form(request, partner, stored)
    return form if form.is_valid() else None


def _contact_initial(account):
    data = account.cleaned_data
    return {
        "first_name": data["contact_first_name"],
        "last_name": data["contact_last_name"],
        "email": data["contact_email"],
        "phone": data["contact_phone"].as_national if data["contact_phone"] else "",
    }


def customer_new(request):
    """New customer, step 1: **Account info**."""
    partner = partner_for_user(request.user, Action.ADD_CUSTOMER)
    if request.method == "POST":
        form = _account_form(request, partner, request.POST)
        if form.is_valid():
            _store(request, "account", _raw(form, request.POST))
            return redirect("customers:new_agreement")
    elif request.GET.get("restart"):
        request.session.pop(WIZARD, None)
        form = _account_form(request, partner)
    else:
        stored = _stored(request, "account")
        form = (
            _account_form(request, partner, stored) if stored else _account_form(request, partner)
        )
    if partner.is_indirect_reseller and not form.providers:
        form.add_error(None, _("You need an indirect provider before you can add customers."))
    return render(request, "customers/customer_form.html", {"form": form, "step": 1})


def customer_new_agreement(request):
    """New customer, step 2: **Microsoft agreement** (option 1 attest, option 2 invite)."""
    partner = partner_for_user(request.user, Action.ADD_CUSTOMER)
    account = _valid_account(request, partner)
    if account is None:
        return redirect("customers:new")
    contact = _contact_initial(account)
    show_acceptor = False
    if request.method == "POST" and "update_acceptor" in request.POST:
        # **Update**: show the acceptor's fields, keeping what was chosen so far (A4).
        form = _agreement_form(
            request,
            partner,
            account,
            initial={**contact, **request.POST.dict(), "option": AgreementOption.ATTEST},
        )
        show_acceptor = True
    elif request.method == "POST":
        form = _agreement_form(request, partner, account, request.POST)
        show_acceptor = request.POST.get("acceptor_updated") == "1"
        if form.is_valid():
            _store(
                request,
                "agreement",
                {**_raw(form, request.POST), "acceptor_updated": "1" if show_acceptor else ""},
            )
            return redirect("customers:new_review")
        show_acceptor = show_acceptor or any(
            f in form.errors for f in ("first_name", "last_name", "email", "phone")
        )
    else:
        stored = _stored(request, "agreement")
        form = _agreement_form(request, partner, account, initial={**contact, **(stored or {})})
        show_acceptor = bool(stored and stored.get("acceptor_updated"))
    context = {
        "form": form,
        "step": 2,
        "contact": contact,
        "show_acceptor": show_acceptor,
        "may_attest": len(form.fields["option"].choices) > 1,
        "reseller_message": reseller_attestation_message(partner)
        if partner.is_indirect_reseller
        else "",
    }
    return render(request, "customers/customer_agreement_form.html", context)


def customer_new_review(request):
    """New customer, step 3: **Review**, then create everything in one transaction."""
    partner = partner_for_user(request.user, Action.ADD_CUSTOMER)
    if done := replayed(request):  # the wizard's data is gone once the customer exists
        return done
    account = _valid_account(request, partner)
    if account is None:
        return redirect("customers:new")
    stored = _stored(request, "agreement")
    agreement = _agreement_form(request, partner, account, stored) if stored else None
    if agreement is None or not agreement.is_valid():
        return redirect("customers:new_agreement")
    attest = agreement.cleaned_data["option"] == AgreementOption.ATTEST
    errors = []
    if request.method == "POST":
        data = dict(account.cleaned_data)
        provider = data.pop("indirect_provider", None)

        def create():
            created = customer_create(
                user=request.user,
                account=data,
                attestation=agreement.attestation() if attest else None,
                indirect_provider=provider,
            )
            request.session.pop(WIZARD, None)
            session_secret_put(
                request.session, SECRETS, str(created.customer.pk), created.temporary_password
            )
            # Saved with the customer, in its transaction: a double-click's second request
            # lands on the Confirmation page, which must find the password already there.
            request.session.save()
            return reverse("customers:created", args=[created.customer.pk]), ""

        try:
            return submit_once(request, create)
        except ValidationError as exc:
            errors = exc.messages
    context = {
        "account": account,
        "agreement": agreement,
        "attest": attest,
        "errors": errors,
        "step": 3,
    }
    return render(request, "customers/customer_review.html", context)


def customer_created(request, pk):
    """New customer, step 4: **Confirmation**. The temporary password is shown this once only."""
    customer = customer_get_for_user(request.user, pk)
    partner = request.user.partner
    password = session_secret_take(request.session, SECRETS, str(customer.pk))
    admin = customer.admin_accounts.order_by("pk").first()
    summary = agreement_summary(customer, partner=partner)
    context = {
        "customer": customer,
        "admin": admin,
        "password": password,
        "summary": summary,
        "email": None,
    }
    if summary.status == AgreementStatus.NOT_CONFIRMED and admin is not None:
        # Written in the customer's language, with the other one a click away: the
        # temporary password is in this response only, so both drafts are made now.
        languages = dict(settings.LANGUAGES)
        language = customer.language if customer.language in languages else "en"
        other = "en" if language != "en" else "ko"
        drafts = {}
        for code in (language, other):
            with translation.override(code):
                drafts[code] = agreement_invitation_email(
                    customer=customer,
                    partner=partner,
                    sender=request.user,
                    username=admin.username,
                    password=password,
                )

        def name(code):
            # In the reader's language ("영어"), not in itself as the switcher shows it.
            return {
                "en": pgettext("language named in a sentence", "English"),
                "ko": pgettext("language named in a sentence", "Korean"),
            }.get(code, code)

        context.update(
            email=drafts[language],
            email_language=language,
            email_language_name=name(language),
            other_email=drafts[other],
            other_language=other,
            other_language_name=name(other),
        )
    return render(request, "customers/customer_created.html", context)


def customer_detail(request, pk):
    """**Account info**: company, primary contact, Microsoft Customer Agreement, relationships."""
    customer = customer_get_for_user(request.user, pk)
    partner = request.user.partner
    can_update, blocked_reason = False, ""
    try:
        check_may_attest(request.user, customer)
    except AttestationNotAllowed as exc:
        blocked_reason = str(exc)  # A6: say whom to ask instead of offering Update.
    except PermissionDenied:
        pass  # A5: the role may view but not attest.
    else:
        can_update = True
    relationships = list(relationships_for_customer(customer, partner=partner))
    subscriptions = list(
        subscriptions_of(customer, partner=partner).order_by("-created_at", "-id")[
            : SUBSCRIPTIONS_SHOWN + 1
        ]
    )
    context = {
        "customer": customer,
        "summary": agreement_summary(customer, partner=partner),
        "relationships": relationships,
        "subscriptions": subscriptions[:SUBSCRIPTIONS_SHOWN],
        "more_subscriptions": len(subscriptions) > SUBSCRIPTIONS_SHOWN,
        "may_order": may(request.user, Action.PLACE_ORDERS)
        and any(r.partner_id == partner.pk for r in relationships),
        "can_update": can_update and not customer.is_national_cloud,
        "can_remove": may(request.user, Action.REMOVE_RELATIONSHIP)
        and any(r.partner_id == partner.pk for r in relationships),
        "can_edit_contact": may(request.user, Action.EDIT_CUSTOMER)
        and any(r.partner_id == partner.pk for r in relationships),
        "blocked_reason": blocked_reason,
    }
    return render(request, "customers/customer_detail.html", context)


def customer_contact(request, pk):
    """Account info → Primary contact → **Edit**: change the customer's primary contact.

    Admin agents, Sales agents and Global admins of a partner with its own
    relationship with the customer (``customers.services.customer_update``,
    which records ``customer.contact_changed`` with what each field was).
    """
    customer = customer_get_for_user(request.user, pk, action=Action.EDIT_CUSTOMER)
    initial = {name: getattr(customer, name) for name in CONTACT_FIELDS}
    initial["contact_phone"] = (
        customer.contact_phone.as_international if customer.contact_phone else ""
    )
    form = CustomerContactForm(request.POST or None, initial=initial, country=customer.country)
    if request.method == "POST" and form.is_valid():
        try:
            customer_update(user=request.user, customer=customer, values=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The primary contact was updated."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/customer_contact_form.html", {"customer": customer, "form": form}
    )


def customer_history(request, pk):
    """Account info → **History**: what happened to this customer, newest first.

    Every role that can view the customer sees its partner's events about it,
    its indirect resellers' (for a provider) and those no partner made (the
    customer's own acceptance, back-office corrections); filters by date
    range, event type and user; keyset-paged.
    """
    customer = customer_get_for_user(request.user, pk)
    partner = request.user.partner
    form = ActivityFilterForm(
        request.GET or None, users=partner_people(partner), with_customer=False
    )
    querysets = events_for_customer(partner, customer, form.filters())
    context = {"customer": customer, "form": form, **page_context(querysets, request.GET)}
    return render(request, "customers/customer_history.html", context)


@require_POST
def customer_new_cancel(request):
    """Leave the wizard: forget what was typed."""
    partner_for_user(request.user, Action.ADD_CUSTOMER)
    request.session.pop(WIZARD, None)
    return redirect("customers:list")


# --- Orders and the confirmation gate (rules A10, A11) -------------------------------------
PENDING_ORDERS = "pending_orders"


def _remember_order(request, key, data):
    pending = dict(request.session.get(PENDING_ORDERS, {}))
    pending[key] = data
    request.session[PENDING_ORDERS] = pending


def _forget_order(request, key):
    pending = request.session.get(PENDING_ORDERS, {})
    if key in pending:
        pending.pop(key)
        request.session.modified = True


def _confirmation_prompt(request, customer, form, key, data):
    """A10: save what was entered and send the agent to confirm; or say why it can't."""
    try:
        check_may_attest(request.user, customer)
    except PermissionDenied as exc:
        form.add_error(
            None,
            _(
                "This order needs a confirmation of the customer's acceptance of the Microsoft Customer "
                "Agreement first. %(reason)s"
            )
            % {
                "reason": str(exc)
                or _("Ask a Global admin, Admin agent or Sales agent to confirm it.")
            },
        )
        return None
    _remember_order(request, key, data)
    messages.info(
        request,
        _(
            "Confirm the customer's acceptance of the Microsoft Customer Agreement to continue with this order."
        ),
    )
    target = reverse("agreements:update", args=[customer.pk])
    return redirect(f"{target}?{urlencode({'next': request.path})}")


def order_new(request, pk):
    """**New order** for a customer (A10/A11: only with a current confirmation)."""
    if done := replayed(request):  # a double-click: the first click's order, not a second
        return done
    customer = customer_get_for_user(request.user, pk, action=Action.PLACE_ORDERS)
    key = f"new:{customer.pk}"
    pending = request.session.get(PENDING_ORDERS, {}).get(key)
    # A10 said before the agent fills in the order, not only after **Place order**; and
    # when this partner can't confirm (A5, A6), whom to ask, instead of a promise.
    needs_confirmation = not has_current_confirmation(customer, request.user.partner)
    blocked_reason = _who_confirms(request.user, customer) if needs_confirmation else ""
    held = active_subscriptions_through(customer, partner=request.user.partner)
    form = NewOrderForm(
        request.POST or None,
        initial=pending or {},
        existing={s.offer_id: s for s in held},
        customer=customer,
    )
    if request.method == "POST" and not blocked_reason and form.is_valid():

        def place():
            subscription = order_place(
                user=request.user,
                customer=customer,
                offer=form.cleaned_data["offer"],
                seats=form.cleaned_data["seats"],
            )
            _forget_order(request, key)
            return (
                reverse("customers:detail", args=[customer.pk]),
                _("%(offer)s was ordered.") % {"offer": subscription.offer.name},
            )

        try:
            return submit_once(request, place)
        except ConfirmationRequired:
            data = {"offer": form.cleaned_data["offer"].pk, "seats": form.cleaned_data["seats"]}
            response = _confirmation_prompt(request, customer, form, key, data)
            if response is not None:
                return response
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {
        "form": form,
        "customer": customer,
        "needs_confirmation": needs_confirmation,
        "blocked_reason": blocked_reason,
        "held": held,
    }
    return render(request, "customers/order_form.html", context)


def _who_confirms(user, customer) -> str:
    """ "" when ``user`` may confirm ``customer``'s acceptance; else why not and whom to ask
    (A6 names the indirect providers)."""
    try:
        check_may_attest(user, customer)
    except AttestationNotAllowed as exc:  # A6: names the indirect providers
        return str(exc)
    except PermissionDenied:  # A5: the role
        return _("Ask a Global admin, Admin agent or Sales agent to confirm it.")
    return ""


def subscription_seats(request, pk, subscription_pk):
    """**Change seat count** (A10: only with a current confirmation)."""
    customer = customer_get_for_user(request.user, pk, action=Action.PLACE_ORDERS)
    subscription = get_object_or_404(
        customer.subscriptions.select_related("offer"),
        pk=subscription_pk,
        partner=request.user.partner,
        state=Subscription.State.ACTIVE,
    )
    key = f"seats:{subscription.pk}"
    pending = request.session.get(PENDING_ORDERS, {}).get(key)
    form = SeatCountForm(request.POST or None, initial=pending or {"seats": subscription.seats})
    if request.method == "POST" and form.is_valid():

        def change():
            subscription_change_seats(
                user=request.user, subscription=subscription, seats=form.cleaned_data["seats"]
            )
            _forget_order(request, key)
            return reverse("customers:detail", args=[customer.pk]), _("The seat count was changed.")

        try:
            return submit_once(request, change)
        except ConfirmationRequired:
            response = _confirmation_prompt(
                request, customer, form, key, {"seats": form.cleaned_data["seats"]}
            )
            if response is not None:
                return response
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {"form": form, "customer": customer, "subscription": subscription}
    return render(request, "customers/subscription_seats_form.html", context)


def subscription_cancel(request, pk, subscription_pk):
    """**Cancel subscription** (Account info → Subscriptions): a confirmation, then POST cancels.

    Roles that place orders may cancel (docs/roles.md); the subscription stays on
    record as cancelled, with who and when.
    """
    if done := replayed(request):
        return done
    customer = customer_get_for_user(request.user, pk, action=Action.PLACE_ORDERS)
    subscription = get_object_or_404(
        customer.subscriptions.select_related("offer"),
        pk=pk_or_404(subscription_pk),
        partner=request.user.partner,
        state=Subscription.State.ACTIVE,
    )
    error = ""
    if request.method == "POST":

        def cancel():
            subscription_cancel_service(user=request.user, subscription=subscription)
            return reverse("customers:detail", args=[customer.pk]), _(
                "%(offer)s was cancelled."
            ) % {"offer": subscription.offer.name}

        try:
            return submit_once(request, cancel)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    context = {"customer": customer, "subscription": subscription, "error": error}
    return render(request, "customers/subscription_confirm_cancel.html", context)


def subscription_list(request, pk):
    """Every subscription of a customer through the user's partner, newest first, keyset-paged."""
    customer = customer_get_for_user(request.user, pk)
    page = keyset_page(
        subscriptions_of(customer, partner=request.user.partner),
        keys=("-created_at", "-id"),
        cursor=request.GET.get("cursor"),
        per_page=CUSTOMERS_PER_PAGE,
    )
    return render(
        request, "customers/subscription_list.html", {"customer": customer, "page_obj": page}
    )
