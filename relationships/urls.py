from django.urls import path

from relationships import adminviews, views

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
    # GDAP admin relationships (docs/relationships.md, G1–G9).
    path("admin-relationships/", adminviews.admin_relationships, name="admin_relationships"),
    path(
        "admin-relationships/new/", adminviews.admin_relationship_new, name="admin_relationship_new"
    ),
    path(
        "admin-relationships/auto-extend/",
        adminviews.admin_relationships_auto_extend,
        name="admin_relationships_auto_extend",
    ),
    path(
        "admin-relationships/expiring/",
        adminviews.admin_relationships_expiring,
        name="admin_relationships_expiring",
    ),
    path(
        "admin-relationships/coverage/",
        adminviews.admin_relationships_coverage,
        name="admin_relationships_coverage",
    ),
    path(
        "admin-relationships/<str:pk>/",
        adminviews.admin_relationship_detail,
        name="admin_relationship",
    ),
    path(
        "admin-relationships/<str:pk>/finalize/",
        adminviews.admin_relationship_finalize,
        name="admin_relationship_finalize",
    ),
    path(
        "admin-relationships/<str:pk>/send/",
        adminviews.admin_relationship_send,
        name="admin_relationship_send",
    ),
    path(
        "admin-relationships/<str:pk>/terminate/",
        adminviews.admin_relationship_terminate,
        name="admin_relationship_terminate",
    ),
    path(
        "admin-relationships/<str:pk>/access-assignments/",
        adminviews.access_assignment_add,
        name="access_assignment_add",
    ),
    path(
        "admin-relationships/<str:pk>/access-assignments/<uuid:assignment_pk>/remove/",
        adminviews.access_assignment_remove,
        name="access_assignment_remove",
    ),
    path(
        "customers/<int:pk>/admin-relationships/",
        adminviews.customer_admin_relationships,
        name="customer_admin_relationships",
    ),
    path("settings/security-groups/", adminviews.security_groups, name="security_groups"),
]
