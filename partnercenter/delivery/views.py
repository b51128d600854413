"""**Resend** of a failed email, and Settings → **Webhooks**."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.delivery.access import (
    outbound_email_get_for_user,
    webhook_delivery_get_for_user,
    webhook_endpoint_get_for_user,
    webhook_endpoints_for_user,
)
from partnercenter.delivery.forms import WebhookEndpointForm
from partnercenter.delivery.outbox import email_resend
from partnercenter.delivery.webhooks import (
    EVENTS,
    SIGNATURE_HEADER,
    delivery_resend,
    endpoint_create,
    endpoint_delete,
    endpoint_test_send,
)
from partnercenter.web.forms import add_service_errors
from partnercenter.web.pages import next_or, replayed, submit_once
from partnercenter.web.paging import keyset_page
from partnercenter.web.sealing import session_secret_put, session_secret_take

# --- The outbox and webhooks ---------------------------------------------

_WEBHOOK_SECRETS = "webhook_secrets"


@require_POST
def outbox_resend(request, pk):
    """**Resend** a failed email (Invitations sent, Indirect resellers); back to ``next``."""
    if done := replayed(request):
        return done
    email = outbound_email_get_for_user(request.user, pk)
    back = next_or(request, reverse("home"))

    def resend():
        email_resend(email=email)
        return back, _("The email to %(email)s is queued again.") % {"email": email.to_email}

    try:
        return submit_once(request, resend)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)


def webhook_list(request):
    """Settings → **Webhooks** (Global admin): the partner's endpoints and **Add webhook**."""
    endpoints = list(webhook_endpoints_for_user(request.user))
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def add():
            endpoint, secret = endpoint_create(
                user=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
            session_secret_put(request.session, _WEBHOOK_SECRETS, str(endpoint.pk), secret)
            return reverse("webhooks:detail", args=[endpoint.pk]), _("The webhook was added.")

        try:
            return submit_once(request, add)
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {"endpoints": endpoints, "form": form, "events": EVENTS}
    return render(request, "partnercenter/webhook_list.html", context)


def webhook_detail(request, pk):
    """One webhook: its events, the signing secret (shown once), **Send test event**, the log."""
    endpoint = webhook_endpoint_get_for_user(request.user, pk)
    secret = session_secret_take(request.session, _WEBHOOK_SECRETS, str(endpoint.pk))
    page = keyset_page(
        endpoint.deliveries.all(),
        keys=("-created_at", "-id"),
        cursor=request.GET.get("cursor"),
        per_page=50,
    )
    context = {
        "endpoint": endpoint,
        "events": [(e, EVENTS.get(e, e)) for e in endpoint.events],
        "secret": secret,
        "deliveries": page.object_list,
        "page_obj": page,
        "signature_header": SIGNATURE_HEADER,
    }
    return render(request, "partnercenter/webhook_detail.html", context)


@require_POST
def webhook_test(request, pk):
    """**Send test event**: Partner Center's ``test-created``, queued for this webhook."""
    if done := replayed(request):
        return done
    endpoint = webhook_endpoint_get_for_user(request.user, pk)

    def send():
        endpoint_test_send(endpoint=endpoint)
        return reverse("webhooks:detail", args=[endpoint.pk]), _("A test event is on its way.")

    return submit_once(request, send)


@require_POST
def webhook_delete(request, pk):
    """**Delete** a webhook and its delivery log."""
    if done := replayed(request):
        return done
    endpoint = webhook_endpoint_get_for_user(request.user, pk)

    def delete():
        endpoint_delete(endpoint=endpoint, user=request.user)
        return reverse("webhooks:list"), _("The webhook %(url)s was deleted.") % {
            "url": endpoint.url
        }

    return submit_once(request, delete)


@require_POST
def webhook_delivery_resend(request, pk):
    """**Resend** a failed webhook delivery: the same body, a fresh set of attempts."""
    if done := replayed(request):
        return done
    delivery = webhook_delivery_get_for_user(request.user, pk)
    back = reverse("webhooks:detail", args=[delivery.endpoint_id])

    def resend():
        delivery_resend(delivery=delivery)
        return back, _("The event is queued again.")

    try:
        return submit_once(request, resend)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
