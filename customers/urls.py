from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("new/agreement/", views.customer_new_agreement, name="new_agreement"),
    path("new/review/", views.customer_new_review, name="new_review"),
    path("new/cancel/", views.customer_new_cancel, name="new_cancel"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/created/", views.customer_created, name="created"),
    path("<int:pk>/contact/", views.customer_contact, name="contact"),
    path("<int:pk>/history/", views.customer_history, name="history"),
    path("<int:pk>/orders/new/", views.order_new, name="order_new"),
    path("<int:pk>/subscriptions/", views.subscription_list, name="subscriptions"),
    path(
        "<int:pk>/subscriptions/<int:subscription_pk>/seats/",
        views.subscription_seats,
        name="seats",
    ),
    path(
        "<int:pk>/subscriptions/<int:subscription_pk>/cancel/",
        views.subscription_cancel,
        name="subscription_cancel",
    ),
]
