from django.urls import path

from relationships.admincenter import views

app_name = "admincenter"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.SignInView.as_view(), name="login"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("partners/", views.partners, name="partners"),
    path("partners/<uuid:partner_id>/", views.partner_detail, name="partner_detail"),
    # GDAP: where approval links land, Approve partner roles, Remove roles.
    path("AdminPortal/Home", views.admin_portal, name="admin_portal"),
    path(
        "admin-relationships/<str:pk>/", views.admin_relationship_approve, name="admin_relationship"
    ),
    path(
        "admin-relationships/<str:pk>/remove/",
        views.admin_relationship_remove,
        name="admin_relationship_remove",
    ),
]
