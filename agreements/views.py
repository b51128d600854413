"""Account info → Microsoft Customer Agreement → **Update** (seed 000, existing customers)."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from agreements.forms import AcceptanceForm
from agreements.models import AgreementTemplate
from agreements.selectors import acceptance_history as acceptance_history_of
from agreements.services import acceptance_record, check_may_attest, user_today
from customers.selectors import customer_get_for_user
from partnercenter.forms import add_service_errors, form_helper, submit_once
from partnercenter.paging import keyset_page
from partnercenter.roles import Action

HISTORY_PER_PAGE = 50


def acceptance_update(request, pk):
    """Record a new confirmation for an existing customer (A1–A8, A12, A13).

    The form starts with the customer's primary contact (A4). An indirect
    reseller gets 403 with the A6 message naming its providers.
    """
    # Helpdesk agents reach the form only in the attest-on-behalf scenarios (A9);
    # check_may_attest says which.
    customer = customer_get_for_user(request.user, pk, action=Action.ATTEST_AGREEMENT_ON_BEHALF)
    check_may_attest(request.user, customer)
    template = AgreementTemplate.objects.current(user_today(request.user))
    form = AcceptanceForm(
        request.POST or None,
        initial={
            "first_name": customer.contact_first_name,
            "last_name": customer.contact_last_name,
            "email": customer.contact_email,
            "phone": customer.contact_phone.as_national if customer.contact_phone else "",
        },
        user=request.user,
        customer_country=customer.country,
        template=template,
    )
    form.helper = form_helper(_("Save"), form_tag=False)
    if request.method == "POST" and form.is_valid():

        def record():
            acceptance_record(
                customer=customer, user=request.user, template=template, **form.attestation()
            )
            # Back to where the confirmation was asked for (an order, A10), if anywhere.
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(
                next_url, {request.get_host()}, request.is_secure()
            ):
                next_url = reverse("customers:detail", args=[customer.pk])
            return next_url, _("The confirmation of customer acceptance was saved.")

        try:
            return submit_once(request, record)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "agreements/acceptance_form.html",
        {"form": form, "customer": customer, "template": template},
    )


def acceptance_history(request, pk):
    """The full history of confirmations (Account info shows the newest), keyset-paged."""
    customer = customer_get_for_user(request.user, pk)
    page = keyset_page(
        acceptance_history_of(customer, partner=request.user.partner),
        keys=("-created_at", "-id"),
        cursor=request.GET.get("cursor"),
        per_page=HISTORY_PER_PAGE,
    )
    return render(
        request, "agreements/acceptance_history.html", {"customer": customer, "page_obj": page}
    )
