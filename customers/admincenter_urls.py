from django.urls import path

from customers import admincenter

app_name = "admincenter"

urlpatterns = [
    path("", admincenter.home, name="home"),
    path("signin/", admincenter.SignInView.as_view(), name="login"),
    path("password/", admincenter.PasswordChangeView.as_view(), name="password_change"),
    path("partners/", admincenter.partners, name="partners"),
    path("partners/<uuid:partner_id>/", admincenter.partner_detail, name="partner_detail"),
]
