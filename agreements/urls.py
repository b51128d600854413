from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("customers/<int:pk>/agreement/update/", views.acceptance_update, name="update"),
    path("customers/<int:pk>/agreement/history/", views.acceptance_history, name="history"),
    path("customers/<int:pk>/agreements.json", views.customer_agreements, name="customer_json"),
    path("customers/compliance/", views.compliance_report, name="compliance"),
    path(
        "customers/compliance/export/<str:fmt>/",
        views.compliance_export,
        name="compliance_export",
    ),
    path("customers/compliance/records/<str:fmt>/", views.records_export, name="records_export"),
    path("customers/compliance/bulk/", views.bulk_new, name="bulk_new"),
    path("customers/compliance/bulk/template.csv", views.bulk_template, name="bulk_template"),
    path("customers/compliance/bulk/<uuid:job_id>/", views.bulk_detail, name="bulk_detail"),
    path(
        "customers/compliance/bulk/<uuid:job_id>/status/",
        views.bulk_status,
        name="bulk_status",
    ),
    path(
        "customers/compliance/bulk/<uuid:job_id>/report.csv",
        views.bulk_report,
        name="bulk_report",
    ),
]
