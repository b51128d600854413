"""Settings → **App management**: the user's API tokens (a Global admin's: every token of
the partner), **Add token** and **Revoke** (docs/api.md, rules T1–T4)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY

from partnercenter.api.forms import TokenForm
from partnercenter.api.tokens import token_create, token_get_for_user, token_revoke, tokens_for_user
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Role
from partnercenter.web.forms import add_service_errors
from partnercenter.web.pages import replayed, submit_once
from partnercenter.web.sealing import session_secret_put, session_secret_take

_TOKEN_SECRETS = "api_token_secrets"  # noqa: S105 - a session key, not a secret


def app_management(request):
    """Settings → **App management**: tokens with their expiry and last use, **Add token**
    (only in a session signed in with a second factor, rule T4), the new token shown
    once, and **Revoke**."""
    partner_for_user(request.user)
    verified = DEVICE_ID_SESSION_KEY in request.session
    form = TokenForm(request.POST or None)
    if request.method == "POST" and not verified:
        form.is_valid()
        form.add_error(
            None,
            _(
                "Making a token needs a session signed in with multi-factor authentication. "
                "Set up an authenticator app under Security info, then sign in again."
            ),
        )
    elif request.method == "POST" and form.is_valid():

        def add():
            token, secret = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
            session_secret_put(request.session, _TOKEN_SECRETS, str(token.pk), secret)
            return f"{reverse('tokens:list')}?made={token.pk}", _(
                "The token %(name)s was made."
            ) % {"name": token.name}

        try:
            return submit_once(request, add)
        except ValidationError as exc:
            add_service_errors(form, exc)
    made = request.GET.get("made", "")
    secret = session_secret_take(request.session, _TOKEN_SECRETS, made) if made else None
    context = {
        "tokens": list(tokens_for_user(request.user)),
        "form": form,
        "verified": verified,
        "secret": secret,
        "now": timezone.now(),
        "sees_all": Role.GLOBAL_ADMIN.value in request.user.role_names,
        "max_days": settings.API_TOKEN_MAX_DAYS,
        "base_url": settings.SITE_URL,
    }
    return render(request, "partnercenter/app_management.html", context)


@require_POST
def token_revoke_view(request, pk):
    """**Revoke**: the token's next call is a 401."""
    if done := replayed(request):
        return done
    token = token_get_for_user(request.user, pk)

    def revoke():
        token_revoke(user=request.user, token=token)
        return reverse("tokens:list"), _("The token %(name)s was revoked.") % {"name": token.name}

    return submit_once(request, revoke)
