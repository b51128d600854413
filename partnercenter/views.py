"""Sign-in, language, profile and User management views (seed 004)."""

import sys

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseServerError,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from partnercenter import audit, outbox, services, webhooks
from partnercenter.access import (
    mfa_registered,
    outbound_email_get_for_user,
    partner_for_user,
    partner_people,
    partner_user_get_for_user,
    partner_users_for_user,
    webhook_delivery_get_for_user,
    webhook_endpoint_get_for_user,
    webhook_endpoints_for_user,
)
from partnercenter.forms import (
    ActivityFilterForm,
    PartnerUserAddForm,
    PartnerUserRolesForm,
    ProfileForm,
    TemporaryPasswordChangeForm,
    WebhookEndpointForm,
    add_service_errors,
    replayed,
    submit_once,
)
from partnercenter.paging import keyset_page
from partnercenter.roles import Action, may_manage_user
from partnercenter.security import session_secret_put, session_secret_take
from partnercenter.signin import remember_language

_NEW_USER_PASSWORDS = "new_user_passwords"


def home(request):
    """Partner users start on **Customers**; back-office staff (no partner) in Django admin."""
    if request.user.partner_id is None and request.user.is_staff:
        return redirect("admin:index")
    return redirect("customers:list")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; it also ends a temporary password (seed 004).

    Django keeps this session signed in and ends the user's other sessions.
    """

    form_class = TemporaryPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


@require_POST
@login_not_required
def set_language(request):
    """Django's ``set_language``; for a signed-in user the choice is also remembered."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(user._meta.get_field("language").choices):
        user.language = language
        user.save(update_fields=["language"])
    return response


def profile(request):
    """The signed-in user's own settings: time zone and language."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings were saved."))
        return remember_language(redirect("profile"), form.instance.language)
    return render(request, "partnercenter/profile_form.html", {"form": form})


def user_list(request):
    """Settings → User management: the partner's users and their roles."""
    partner_for_user(request.user, Action.MANAGE_USERS)
    users = partner_users_for_user(request.user).order_by("first_name", "last_name", "email")
    return render(request, "partnercenter/user_list.html", {"users": users})


def user_add(request):
    """Add user (seed 004): full name, unique email, roles; then the one-time confirmation."""
    if done := replayed(request):  # its email is taken now: the form would refuse it
        return done
    partner = partner_for_user(request.user, Action.MANAGE_USERS)
    form = PartnerUserAddForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():

        def add():
            user, password = services.partner_user_create(
                partner=partner, acting_user=request.user, **form.cleaned_data
            )
            # Shown once by user_created, which removes it from the session. Saved in the
            # user's transaction, so a double-click's second request finds it there.
            session_secret_put(request.session, _NEW_USER_PASSWORDS, str(user.pk), password)
            request.session.save()
            return reverse("users:created", args=[user.pk]), ""

        try:
            return submit_once(request, add)
        except ValidationError as exc:
            add_service_errors(form, exc, field_map={"username": "email"})
    return render(request, "partnercenter/user_form.html", {"form": form})


def user_created(request, pk):
    """Confirm the new user's details; the temporary password is shown this once only."""
    user = partner_user_get_for_user(request.user, pk)
    password = session_secret_take(request.session, _NEW_USER_PASSWORDS, str(user.pk))
    return render(
        request, "partnercenter/user_created.html", {"new_user": user, "password": password}
    )


def user_detail(request, pk):
    """A user's details and roles, with **Update** (seed 004, "Assign user permissions")."""
    user = partner_user_get_for_user(request.user, pk)
    form = PartnerUserRolesForm(
        request.POST or None, initial={"roles": user.role_names}, acting_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_user_update_roles(
                user=user, roles=form.cleaned_data["roles"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The roles of %(name)s were updated.") % {"name": user.get_full_name()}
            )
            return redirect("users:detail", pk=user.pk)
    # Rules U2 and U3 (docs/roles.md): the page offers only what the services allow.
    may_manage = may_manage_user(request.user, user)
    locked_reason = (
        services.OWN_ROLES
        if user.pk == request.user.pk
        else None
        if may_manage
        else services.GLOBAL_ADMIN_ONLY
    )
    context = {
        "subject": user,
        "form": form,
        "has_mfa": mfa_registered(user),
        "may_manage": may_manage,
        "locked_reason": locked_reason,
    }
    return render(request, "partnercenter/user_detail.html", context)


@require_POST
def user_mfa_reset(request, pk):
    """**Reset MFA** for a user who lost their phone (Global admin, User admin).

    The user is signed out everywhere and sets MFA up again at the next sign-in.
    """
    user = partner_user_get_for_user(request.user, pk)
    services.mfa_reset(user=user, acting_user=request.user)
    messages.success(
        request,
        _("MFA was reset for %(name)s. They set it up again at their next sign-in.")
        % {"name": user.get_full_name()},
    )
    return redirect("users:detail", pk=user.pk)


def user_remove(request, pk):
    """Remove a user: a confirmation page, then POST deactivates the account."""
    if done := replayed(request):
        return done
    user = partner_user_get_for_user(request.user, pk)
    error = None
    if request.method == "POST":

        def remove():
            services.partner_user_remove(user=user, acting_user=request.user)
            return reverse("users:list"), _("%(name)s was removed.") % {
                "name": user.get_full_name()
            }

        try:
            return submit_once(request, remove)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request, "partnercenter/user_confirm_remove.html", {"subject": user, "error": error}
    )


@login_not_required
def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a translated, styled 403 that says what happened and what to
    do (typically a form left open past sign-out, or cookies cleared), with a way back to
    the page the form came from. Reads no user or session; ``reason`` (Django's English
    diagnosis) is logged by Django, not shown."""
    back = request.path if request.method == "POST" else "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return HttpResponseForbidden(render_to_string("403_csrf.html", {"back": back}, request=None))


@login_not_required
def server_error(request):
    """``handler500``: the 503 page while the database is unreachable, else the 500 page.

    Neither page touches the database (no user, session or context processor),
    so both render during an outage. An OperationalError or InterfaceError here
    means the database went away, refused the connection or stayed locked: the user is told to try again in a
    minute, with ``Retry-After``; the app recovers by itself when it is back,
    since every request starts with a connection check (CONN_HEALTH_CHECKS).
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(render_to_string("500.html"))


def benchmark_bare(request):
    """The benchmarks' baseline: a signed-in request through every middleware, no page.

    Routed only when settings.BENCHMARK_VIEWS is on (benchmarks/throughput.py).
    """
    return HttpResponse(f"signed in as {request.user.pk}", content_type="text/plain")


# --- The outbox and webhooks ---------------------------------------------

_WEBHOOK_SECRETS = "webhook_secrets"


def _next_or(request, default: str) -> str:
    """The posted ``next`` page when it is on this site, else ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def outbox_resend(request, pk):
    """**Resend** a failed email (Invitations sent, Indirect resellers); back to ``next``."""
    if done := replayed(request):
        return done
    email = outbound_email_get_for_user(request.user, pk)
    back = _next_or(request, reverse("home"))

    def resend():
        outbox.email_resend(email=email)
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
            endpoint, secret = webhooks.endpoint_create(
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
    context = {"endpoints": endpoints, "form": form, "events": webhooks.EVENTS}
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
        "events": [(e, webhooks.EVENTS.get(e, e)) for e in endpoint.events],
        "secret": secret,
        "deliveries": page.object_list,
        "page_obj": page,
        "signature_header": webhooks.SIGNATURE_HEADER,
    }
    return render(request, "partnercenter/webhook_detail.html", context)


@require_POST
def webhook_test(request, pk):
    """**Send test event**: Partner Center's ``test-created``, queued for this webhook."""
    if done := replayed(request):
        return done
    endpoint = webhook_endpoint_get_for_user(request.user, pk)

    def send():
        webhooks.endpoint_test_send(endpoint=endpoint)
        return reverse("webhooks:detail", args=[endpoint.pk]), _("A test event is on its way.")

    return submit_once(request, send)


@require_POST
def webhook_delete(request, pk):
    """**Delete** a webhook and its delivery log."""
    if done := replayed(request):
        return done
    endpoint = webhook_endpoint_get_for_user(request.user, pk)

    def delete():
        webhooks.endpoint_delete(endpoint=endpoint, user=request.user)
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
        webhooks.delivery_resend(delivery=delivery)
        return back, _("The event is queued again.")

    try:
        return submit_once(request, resend)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)


def activity_log(request):
    """Settings → **Activity log** (Global admin): who changed what, newest first.

    The partner's own events and its resellers' on shared customers
    (``audit.events_for_partner``), filtered by date range, event type, user
    and customer, keyset-paged, with CSV and JSON lines exports.
    """
    partner = partner_for_user(request.user, Action.VIEW_ACTIVITY_LOG)
    form = ActivityFilterForm(request.GET or None, users=partner_people(partner))
    querysets = audit.events_for_partner(partner, form.filters())
    context = {"form": form, **audit.page_context(querysets, request.GET)}
    return render(request, "partnercenter/activity_log.html", context)


EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", audit.csv_lines),
    "jsonl": ("application/jsonl; charset=utf-8", audit.jsonl_lines),
}


def activity_export(request, fmt: str):
    """The filtered Activity log as a streamed download: ``csv`` (formula-safe cells) or
    ``jsonl``. All matching events, newest first, read in chunks."""
    partner = partner_for_user(request.user, Action.VIEW_ACTIVITY_LOG)
    if fmt not in EXPORT_TYPES:
        raise Http404("No such export format.")
    form = ActivityFilterForm(request.GET or None, users=partner_people(partner))
    content_type, lines = EXPORT_TYPES[fmt]
    events = audit.events_all(audit.events_for_partner(partner, form.filters()))
    language = translation.get_language()

    def stream():
        # Runs after the view has returned: speak the request's language throughout.
        with translation.override(language):
            yield from lines(events)

    response = StreamingHttpResponse(stream(), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="activity-log-{stamp}.{fmt}"'
    return response
