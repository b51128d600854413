"""Root URLs."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

import agreements.api
import customers.api
import partnercenter.api.framework
import partnercenter.audit.api
import partnercenter.delivery.api
import relationships.api
from partnercenter.api.framework import PartnerCenterAPI, api_not_found, graph_not_found
from partnercenter.api.views import app_management, token_revoke_view
from partnercenter.audit.views import activity_export, activity_log
from partnercenter.delivery.views import (
    outbox_resend,
    webhook_delete,
    webhook_delivery_resend,
    webhook_detail,
    webhook_list,
    webhook_test,
)
from partnercenter.signin.views import (
    SignInView,
    admin_login,
    mfa_enrol,
    mfa_verify,
    recovery_codes_renew,
    security,
    security_confirm,
    sign_out_everywhere,
)
from partnercenter.tenant.views import (
    PasswordChangeView,
    profile,
    set_language,
    user_add,
    user_created,
    user_detail,
    user_list,
    user_mfa_reset,
    user_remove,
)
from partnercenter.web.views import benchmark_bare, favicon, home

user_patterns = (
    [
        path("", user_list, name="list"),
        path("add/", user_add, name="add"),
        path("<int:pk>/", user_detail, name="detail"),
        path("<int:pk>/created/", user_created, name="created"),
        path("<int:pk>/remove/", user_remove, name="remove"),
        path("<int:pk>/reset-mfa/", user_mfa_reset, name="mfa_reset"),
    ],
    "users",
)

# The REST API in Partner Center's paths (docs/api.md): /v1/... and /webhooks/v1/....
api = PartnerCenterAPI(
    title="Partner Center REST API",
    version="1.0",
    description=(
        "Partner Center's REST API (v1) for this partner dashboard: the same paths, JSON "
        "shapes, headers and errors as api.partnercenter.microsoft.com. Authenticate with "
        "`Authorization: Bearer <token>` from Settings → App management."
    ),
    urls_namespace="api",
    openapi_url="v1/openapi.json",
    docs_url="v1/docs",
)
# Relationships first: /customers/relationshiprequests before /customers/{customer_id}.
api.add_router("v1", relationships.api.router)
api.add_router("v1", customers.api.router)
api.add_router("v1", agreements.api.router)
api.add_router("v1", partnercenter.audit.api.router)
api.add_router("webhooks/v1", partnercenter.delivery.api.router)
api.add_router("v1.0", relationships.api.graph)
if settings.BENCHMARK_VIEWS:
    # A token-authenticated call with nothing else: the baseline of benchmarks/api.py.
    api.add_router("v1", partnercenter.api.framework.benchmark_router())

token_patterns = (
    [
        path("", app_management, name="list"),
        path("<int:pk>/revoke/", token_revoke_view, name="revoke"),
    ],
    "tokens",
)

webhook_patterns = (
    [
        path("", webhook_list, name="list"),
        path("<int:pk>/", webhook_detail, name="detail"),
        path("<int:pk>/test/", webhook_test, name="test"),
        path("<int:pk>/delete/", webhook_delete, name="delete"),
        path("deliveries/<int:pk>/resend/", webhook_delivery_resend, name="resend"),
    ],
    "webhooks",
)

urlpatterns = [
    path("", home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (a JSON answer, a file).
    path("favicon.ico", favicon),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/login/verify/", mfa_verify, name="mfa_verify"),
    path("accounts/mfa/setup/", mfa_enrol, name="mfa_enrol"),
    path("settings/security/", security, name="security"),
    path("settings/security/confirm/", security_confirm, name="security_confirm"),
    path(
        "settings/security/recovery-codes/",
        recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path(
        "settings/security/sign-out-everywhere/",
        sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("settings/profile/", profile, name="profile"),
    path("settings/users/", include(user_patterns)),
    path("settings/webhooks/", include(webhook_patterns)),
    path("settings/apps/", include(token_patterns)),
    path("settings/activity/", activity_log, name="activity_log"),
    path("settings/activity/export/<str:fmt>/", activity_export, name="activity_export"),
    path("emails/<int:pk>/resend/", outbox_resend, name="outbox_resend"),
    path("customers/", include("customers.urls")),
    path("", include("agreements.urls")),
    path("", include("relationships.urls")),
    path("admincenter/", include("relationships.admincenter.urls")),
    # Django admin signs in through Partner Center's sign-in, with its second factor.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("", api.urls),
    # Any other address under the API: a 404 in Partner Center's error body, not a page.
    re_path(r"^(?:v1|webhooks/v1)(?:/.*)?$", api_not_found),
    re_path(r"^v1\.0(?:/.*)?$", graph_not_found),
]

if settings.BENCHMARK_VIEWS:
    # A signed-in request with nothing else: the baseline of benchmarks/throughput.py.
    urlpatterns.append(path("benchmark/bare/", benchmark_bare, name="benchmark_bare"))

handler500 = "partnercenter.web.views.server_error"

admin.site.site_header = _("Partner Center back office")
admin.site.site_title = _("Partner Center back office")
admin.site.index_title = _("Back office")
