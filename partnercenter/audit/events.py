"""The audit events' stable codes and names."""

from django.utils.translation import gettext_lazy

from partnercenter.audit.models import AuditEvent

ActorKind = AuditEvent.ActorKind


class EventType:
    """The stable event codes; ``LABELS`` names each for filters and exports."""

    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_CONTACT_CHANGED = "customer.contact_changed"
    CUSTOMER_DETAILS_CHANGED = "customer.details_changed"
    AGREEMENT_CONFIRMED = "agreement.confirmed"
    AGREEMENT_ACCEPTED_BY_CUSTOMER = "agreement.accepted_by_customer"
    RELATIONSHIP_ACTIVATED = "relationship.activated"
    RELATIONSHIP_REMOVED = "relationship.removed"
    PARTNERSHIP_INVITED = "partnership.invited"
    PARTNERSHIP_AUTHORIZED = "partnership.authorized"
    PARTNERSHIP_ENDED = "partnership.ended"
    USER_ADDED = "user.added"
    USER_ROLES_CHANGED = "user.roles_changed"
    USER_REMOVED = "user.removed"
    USER_MFA_RESET = "user.mfa_reset"
    USER_MFA_ENROLLED = "user.mfa_enrolled"
    USER_MFA_REPLACED = "user.mfa_replaced"
    USER_RECOVERY_CODES_RENEWED = "user.recovery_codes_renewed"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an event code
    SUBSCRIPTION_ORDERED = "subscription.ordered"
    SUBSCRIPTION_SEATS_CHANGED = "subscription.seats_changed"
    SUBSCRIPTION_CANCELLED = "subscription.cancelled"
    INVITATION_SENT = "invitation.sent"
    TEMPLATE_VERSION_ADDED = "template.version_added"
    TEMPLATE_CHANGED = "template.changed"
    WEBHOOK_ADDED = "webhook.added"
    WEBHOOK_REMOVED = "webhook.removed"
    WEBHOOK_CHANGED = "webhook.changed"
    SIGNIN_SUCCEEDED = "signin.succeeded"
    SIGNIN_FAILED = "signin.failed"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105 - an event code
    API_TOKEN_FIRST_USED = "api_token.first_used"  # noqa: S105 - an event code
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105 - an event code
    API_TOKEN_EXPIRED = "api_token.expired"  # noqa: S105 - an event code
    ADMIN_RELATIONSHIP_CREATED = "admin_relationship.created"
    ADMIN_RELATIONSHIP_DELETED = "admin_relationship.deleted"
    ADMIN_RELATIONSHIP_FINALIZED = "admin_relationship.finalized"
    ADMIN_RELATIONSHIP_APPROVED = "admin_relationship.approved"
    ADMIN_RELATIONSHIP_TERMINATED = "admin_relationship.terminated"
    ADMIN_RELATIONSHIP_EXTENDED = "admin_relationship.extended"
    ADMIN_RELATIONSHIP_EXPIRED = "admin_relationship.expired"
    ADMIN_RELATIONSHIP_AUTO_EXTEND_CHANGED = "admin_relationship.auto_extend_changed"
    ACCESS_ASSIGNMENT_CREATED = "access_assignment.created"
    ACCESS_ASSIGNMENT_UPDATED = "access_assignment.updated"
    ACCESS_ASSIGNMENT_DELETED = "access_assignment.deleted"

    LABELS = {
        CUSTOMER_CREATED: gettext_lazy("Customer added"),
        CUSTOMER_CONTACT_CHANGED: gettext_lazy("Primary contact changed"),
        CUSTOMER_DETAILS_CHANGED: gettext_lazy("Company details changed"),
        AGREEMENT_CONFIRMED: gettext_lazy("Customer acceptance confirmed"),
        AGREEMENT_ACCEPTED_BY_CUSTOMER: gettext_lazy("Agreement accepted by the customer"),
        RELATIONSHIP_ACTIVATED: gettext_lazy("Reseller relationship activated"),
        RELATIONSHIP_REMOVED: gettext_lazy("Reseller relationship removed"),
        PARTNERSHIP_INVITED: gettext_lazy("Indirect reseller invited"),
        PARTNERSHIP_AUTHORIZED: gettext_lazy("Indirect provider authorized"),
        PARTNERSHIP_ENDED: gettext_lazy("Indirect partnership ended"),
        USER_ADDED: gettext_lazy("User added"),
        USER_ROLES_CHANGED: gettext_lazy("User's roles changed"),
        USER_REMOVED: gettext_lazy("User removed"),
        USER_MFA_RESET: gettext_lazy("User's MFA reset"),
        USER_MFA_ENROLLED: gettext_lazy("Authenticator app set up"),
        USER_MFA_REPLACED: gettext_lazy("Authenticator app replaced"),
        USER_RECOVERY_CODES_RENEWED: gettext_lazy("New recovery codes created"),
        USER_PASSWORD_CHANGED: gettext_lazy("Password changed"),
        SUBSCRIPTION_ORDERED: gettext_lazy("Subscription ordered"),
        SUBSCRIPTION_SEATS_CHANGED: gettext_lazy("Seat count changed"),
        SUBSCRIPTION_CANCELLED: gettext_lazy("Subscription cancelled"),
        INVITATION_SENT: gettext_lazy("Reseller relationship invitation sent"),
        TEMPLATE_VERSION_ADDED: gettext_lazy("Agreement template version added"),
        TEMPLATE_CHANGED: gettext_lazy("Agreement template changed"),
        WEBHOOK_ADDED: gettext_lazy("Webhook added"),
        WEBHOOK_REMOVED: gettext_lazy("Webhook removed"),
        WEBHOOK_CHANGED: gettext_lazy("Webhook changed"),
        SIGNIN_SUCCEEDED: gettext_lazy("Signed in"),
        SIGNIN_FAILED: gettext_lazy("Sign-in failed"),
        API_TOKEN_CREATED: gettext_lazy("API token created"),
        API_TOKEN_FIRST_USED: gettext_lazy("API token used for the first time"),
        API_TOKEN_REVOKED: gettext_lazy("API token revoked"),
        API_TOKEN_EXPIRED: gettext_lazy("API token expired"),
        ADMIN_RELATIONSHIP_CREATED: gettext_lazy("Admin relationship requested"),
        ADMIN_RELATIONSHIP_DELETED: gettext_lazy("Admin relationship request deleted"),
        ADMIN_RELATIONSHIP_FINALIZED: gettext_lazy("Admin relationship request finalized"),
        ADMIN_RELATIONSHIP_APPROVED: gettext_lazy("Admin relationship approved"),
        ADMIN_RELATIONSHIP_TERMINATED: gettext_lazy("Admin relationship terminated"),
        ADMIN_RELATIONSHIP_EXTENDED: gettext_lazy("Admin relationship extended"),
        ADMIN_RELATIONSHIP_EXPIRED: gettext_lazy("Admin relationship expired"),
        ADMIN_RELATIONSHIP_AUTO_EXTEND_CHANGED: gettext_lazy(
            "Admin relationship auto-extend changed"
        ),
        ACCESS_ASSIGNMENT_CREATED: gettext_lazy("Access assignment added"),
        ACCESS_ASSIGNMENT_UPDATED: gettext_lazy("Access assignment changed"),
        ACCESS_ASSIGNMENT_DELETED: gettext_lazy("Access assignment removed"),
    }

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return list(cls.LABELS.items())
