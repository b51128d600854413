"""Schemathesis over ``/v1/openapi.json`` (property-based): every operation, generated
valid and invalid requests, with a real token and real data. 0 server errors; every
answer's status, content type and body valid against the schema. Runs in both CI passes
(SQLite and PostgreSQL)."""

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnercenter.api.tokens import token_create
from partnercenter.tenant.roles import Role
from tests.factories import (
    AgreementAcceptanceFactory,
    CustomerFactory,
    PartnerFactory,
    ResellerRelationshipFactory,
    SubscriptionFactory,
    UserFactory,
    WebhookEndpointFactory,
)

#: Examples per operation and phase: enough to reach every branch of the shapes, and the
#: whole run stays near a minute on CI's two cores.
EXAMPLES = 30


@pytest.fixture
def api_schema(db, settings):
    settings.API_RATE_PER_TOKEN = "100000/m"
    settings.API_RATE_PER_PARTNER = "100000/m"
    settings.API_REPLAY_WAIT_SECONDS = 1
    partner = PartnerFactory(partner_type="indirect_provider")
    user = UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    for n in range(3):
        customer = CustomerFactory(company_name=f"Contoso {n}")
        ResellerRelationshipFactory(partner=partner, customer=customer)
        SubscriptionFactory(customer=customer, partner=partner)
        AgreementAcceptanceFactory(customer=customer, partner=partner, recorded_by=user)
    WebhookEndpointFactory(partner=partner)
    _token, secret = token_create(user=user, name="schemathesis")
    # Requests go straight into the WSGI handler, inside the test's transaction: keep
    # the handler from closing the connection at each request's end, as Django's own
    # test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", get_wsgi_application())
        schema.secret = secret
        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_every_operation_answers_within_its_schema(api_schema, mode):
    operations = _operations(api_schema)
    assert len(operations) >= 25, [o.label for o in operations]
    headers = {"Authorization": f"Bearer {api_schema.secret}"}
    statuses = Counter()
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code // 100] += 1

        try:
            run()
        except Exception as exc:
            raise AssertionError(f"{operation.label} ({mode.value}): {exc}") from exc
    # The run reached the endpoints, not only the shape checks: answers of each kind.
    assert statuses[5] == 0 and statuses[4] > 0, statuses
    if mode == GenerationMode.POSITIVE:
        assert statuses[2] >= len(operations), statuses
