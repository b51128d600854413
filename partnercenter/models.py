"""The ``partnercenter`` app's models, defined in its packages and gathered here.

Django loads an app's models from this module, and migrations name some of these
paths; each model lives beside the code that uses it (ARCHITECTURE.md):
``tenant`` (partners, users), ``web`` (form keys), ``delivery`` (emails, webhooks),
``jobs`` (scheduled runs), ``audit`` (the append-only base and audit events), ``api``
(API tokens and replayed answers).
"""

from partnercenter.api.models import ApiRequest, ApiToken, token_digest
from partnercenter.audit.models import (
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    AuditEvent,
    DatabaseNow,
    database_now,
)
from partnercenter.delivery.models import Delivery, OutboundEmail, WebhookDelivery, WebhookEndpoint
from partnercenter.jobs.models import ScheduledRun, WorkerHeartbeat
from partnercenter.tenant.models import Partner, User, validate_mpn_id, validate_time_zone
from partnercenter.web.models import Submission

__all__ = [
    "ApiRequest",
    "ApiToken",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "AuditEvent",
    "DatabaseNow",
    "Delivery",
    "OutboundEmail",
    "Partner",
    "ScheduledRun",
    "Submission",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkerHeartbeat",
    "database_now",
    "token_digest",
    "validate_mpn_id",
    "validate_time_zone",
]
