"""Sign-in, language, profile and User management views (seed 004)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from partnercenter.signin.mixins import remember_language
from partnercenter.signin.services import mfa_registered, mfa_reset
from partnercenter.tenant.access import (
    partner_for_user,
    partner_user_get_for_user,
    partner_users_for_user,
)
from partnercenter.tenant.forms import (
    PartnerUserAddForm,
    PartnerUserRolesForm,
    ProfileForm,
    TemporaryPasswordChangeForm,
)
from partnercenter.tenant.roles import Action, may_manage_user
from partnercenter.tenant.services import (
    GLOBAL_ADMIN_ONLY,
    OWN_ROLES,
    partner_user_create,
    partner_user_remove,
    partner_user_update_roles,
)
from partnercenter.web.forms import add_service_errors
from partnercenter.web.pages import replayed, submit_once
from partnercenter.web.sealing import session_secret_put, session_secret_take

_NEW_USER_PASSWORDS = "new_user_passwords"


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
            user, password = partner_user_create(
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
            partner_user_update_roles(
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
        OWN_ROLES if user.pk == request.user.pk else None if may_manage else GLOBAL_ADMIN_ONLY
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
    mfa_reset(user=user, acting_user=request.user)
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
            partner_user_remove(user=user, acting_user=request.user)
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
