from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("customers/<int:pk>/agreement/update/", views.acceptance_update, name="update"),
    path("customers/<int:pk>/agreement/history/", views.acceptance_history, name="history"),
]
