from django.urls import path

from relationships import views

app_name = "relationships"

urlpatterns = [
    path("indirect-providers/", views.indirect_providers, name="indirect_providers"),
    path("indirect-resellers/", views.indirect_resellers, name="indirect_resellers"),
]
