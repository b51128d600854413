from django.urls import path

from relationships.admincenter import views

app_name = "admincenter"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.SignInView.as_view(), name="login"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("partners/", views.partners, name="partners"),
    path("partners/<uuid:partner_id>/", views.partner_detail, name="partner_detail"),
]
