from django.urls import path

from relationships import views

app_name = "relationships"

urlpatterns = [
    path("customers/request-relationship/", views.request_relationship, name="request"),
    path("customers/<int:pk>/remove-relationship/", views.relationship_remove, name="remove"),
    path("indirect-providers/", views.indirect_providers, name="indirect_providers"),
    path(
        "indirect-providers/authorize/<str:token>/", views.partnership_authorize, name="authorize"
    ),
    path(
        "indirect-providers/invitations/<int:pk>/",
        views.partnership_invitation_review,
        name="partnership_invitation_review",
    ),
    path(
        "indirect-providers/<int:pk>/invite-customers/",
        views.invite_customers,
        name="invite_customers",
    ),
    path("indirect-resellers/", views.indirect_resellers, name="indirect_resellers"),
    path("indirect-resellers/invite/", views.partnership_invite, name="partnership_invite"),
    path(
        "indirect-resellers/invitations/<int:pk>/resend/",
        views.partnership_invitation_resend,
        name="partnership_invitation_resend",
    ),
    path(
        "indirect-resellers/invitations/<int:pk>/link/",
        views.partnership_invitation_link,
        name="partnership_invitation_link",
    ),
    path(
        "indirect-partnerships/<int:pk>/customers/",
        views.partnership_customers,
        name="partnership_customers",
    ),
    path("indirect-partnerships/<int:pk>/end/", views.partnership_end, name="partnership_end"),
]
