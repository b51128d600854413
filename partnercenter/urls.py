"""Root URLs."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from partnercenter import signin, views

user_patterns = (
    [
        path("", views.user_list, name="list"),
        path("add/", views.user_add, name="add"),
        path("<int:pk>/", views.user_detail, name="detail"),
        path("<int:pk>/created/", views.user_created, name="created"),
        path("<int:pk>/remove/", views.user_remove, name="remove"),
        path("<int:pk>/reset-mfa/", views.user_mfa_reset, name="mfa_reset"),
    ],
    "users",
)

webhook_patterns = (
    [
        path("", views.webhook_list, name="list"),
        path("<int:pk>/", views.webhook_detail, name="detail"),
        path("<int:pk>/test/", views.webhook_test, name="test"),
        path("<int:pk>/delete/", views.webhook_delete, name="delete"),
        path("deliveries/<int:pk>/resend/", views.webhook_delivery_resend, name="resend"),
    ],
    "webhooks",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", signin.SignInView.as_view(), name="login"),
    path("accounts/login/verify/", signin.mfa_verify, name="mfa_verify"),
    path("accounts/mfa/setup/", signin.mfa_enrol, name="mfa_enrol"),
    path("settings/security/", signin.security, name="security"),
    path("settings/security/confirm/", signin.security_confirm, name="security_confirm"),
    path(
        "settings/security/recovery-codes/",
        signin.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path(
        "settings/security/sign-out-everywhere/",
        signin.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/users/", include(user_patterns)),
    path("settings/webhooks/", include(webhook_patterns)),
    path("settings/activity/", views.activity_log, name="activity_log"),
    path("settings/activity/export/<str:fmt>/", views.activity_export, name="activity_export"),
    path("emails/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("customers/", include("customers.urls")),
    path("", include("agreements.urls")),
    path("", include("relationships.urls")),
    path("admincenter/", include("relationships.admincenter.urls")),
    # Django admin signs in through Partner Center's sign-in, with its second factor.
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK_VIEWS:
    # A signed-in request with nothing else: the baseline of benchmarks/throughput.py.
    urlpatterns.append(path("benchmark/bare/", views.benchmark_bare, name="benchmark_bare"))

handler500 = "partnercenter.views.server_error"

admin.site.site_header = _("Partner Center back office")
admin.site.site_title = _("Partner Center back office")
admin.site.index_title = _("Back office")
