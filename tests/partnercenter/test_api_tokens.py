"""API tokens: App management, the command, hashing, 401s, roles at call time (rules T1–T5)."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnercenter.api.tokens import token_authenticate, token_create, tokens_expired_record
from partnercenter.audit.events import EventType
from partnercenter.models import ApiToken, AuditEvent, token_digest
from partnercenter.tenant.roles import Role
from tests.api import ApiClient
from tests.factories import CustomerFactory, ResellerRelationshipFactory, UserFactory
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db


def verified_login(client, user):
    """Sign ``user`` in with a session that passed the second factor (rule T4)."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _made(client, name="Nightly CRM sync", days=30):
    return client.post(reverse("tokens:list"), {"name": name, "days": days}, follow=True)


def test_app_management_follows_the_permission_matrix(client):
    # Every partner user has App management for their own tokens (rule T1).
    assert_permission_matrix(
        client, build_url=lambda p: reverse("tokens:list"), allowed=list(Role), scoped=False
    )


def test_rule_t4_making_a_token_needs_a_session_with_a_second_factor(client, admin_agent):
    client.force_login(admin_agent)
    response = _made(client)
    assert "multi-factor authentication" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_token_is_shown_once_and_stored_only_as_a_hash(client, admin_agent):
    verified_login(client, admin_agent)
    response = _made(client)
    text = response.content.decode()
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("pc_") and secret in text
    assert token.digest == token_digest(secret) and secret not in token.digest
    assert not any(secret in str(v) for v in ApiToken.objects.values().get().values())
    # A reload doesn't show it again.
    again = client.get(response.request["PATH_INFO"], {"made": token.pk})
    assert secret not in again.content.decode()
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_CREATED).count() == 1


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (365, True), (366, False)])
def test_rule_t2_a_token_lives_at_most_a_year(client, admin_agent, days, ok):
    verified_login(client, admin_agent)
    response = _made(client, days=days)
    assert ApiToken.objects.exists() is ok
    if not ok:
        assert "365" in response.content.decode() or "1" in response.content.decode()


def test_the_default_lifetime_is_90_days(admin_agent):
    token, _secret = token_create(user=admin_agent, name="x")
    assert (token.expires_at - token.created_at).days == 90


def test_an_empty_name_is_refused_beside_the_field(client, admin_agent):
    verified_login(client, admin_agent)
    response = _made(client, name="  ")
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_a_double_click_makes_one_token(client, admin_agent):
    verified_login(client, admin_agent)
    key = client.get(reverse("tokens:list")).context["submission_key"]
    data = {"name": "Once", "days": 10, "submission_key": key}
    first = client.post(reverse("tokens:list"), data)
    second = client.post(reverse("tokens:list"), data)
    assert ApiToken.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first.url == second.url


def test_rule_t1_users_see_their_own_tokens_global_admins_every_token(client, partner, make_user):
    agent, sales, admin = (
        make_user(Role.ADMIN_AGENT),
        make_user(Role.SALES_AGENT),
        make_user(Role.GLOBAL_ADMIN),
    )
    for user in (agent, sales):
        token_create(user=user, name=f"token of {user.email}")
    client.force_login(agent)
    text = client.get(reverse("tokens:list")).content.decode()
    assert f"token of {agent.email}" in text and f"token of {sales.email}" not in text
    client.force_login(admin)
    text = client.get(reverse("tokens:list")).content.decode()
    assert f"token of {agent.email}" in text and f"token of {sales.email}" in text


def test_revoke_stops_the_token_at_once(client, global_admin, make_user):
    agent = make_user(Role.ADMIN_AGENT)
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=agent.partner, customer=customer)
    api = ApiClient(client, agent)
    assert api.get("/v1/customers").status_code == 200
    # The Global admin revokes another user's token.
    client.force_login(global_admin)
    response = client.post(reverse("tokens:revoke", args=[api.token.pk]), follow=True)
    assert response.status_code == 200
    client.logout()
    response = api.get("/v1/customers")
    assert response.status_code == 401 and response.json()["errorName"] == "Unauthorized"
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_REVOKED).count() == 1


def test_a_user_cannot_revoke_someone_elses_token(client, make_user):
    agent, sales = make_user(Role.ADMIN_AGENT), make_user(Role.SALES_AGENT)
    token, _secret = token_create(user=sales, name="x")
    client.force_login(agent)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_another_partners_token_is_404_to_revoke(client, other_partner):
    outsider = UserFactory(partner=other_partner, roles=list(Role))
    token, _secret = token_create(user=UserFactory(roles=[Role.ADMIN_AGENT]), name="x")
    client.force_login(outsider)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    assert client.post("/settings/apps/99x/revoke/").status_code == 404


def test_rule_t3_an_expired_token_is_401_and_its_expiry_is_recorded_once(client, admin_agent):
    api = ApiClient(client, admin_agent)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get("/v1/customers").status_code == 401
    assert tokens_expired_record() == 1
    assert tokens_expired_record() == 0
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_EXPIRED).count() == 1


def test_rule_t3_a_removed_users_tokens_stop_working(client, admin_agent):
    api = ApiClient(client, admin_agent)
    admin_agent.is_active = False
    admin_agent.save()
    assert api.get("/v1/customers").status_code == 401


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer pc_unknown", "Basic abc", "Bearer x" * 50]
)
def test_missing_or_unknown_tokens_are_401_with_a_json_body(client, header):
    response = client.get("/v1/customers", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 401 and body["description"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_rule_t1_a_role_taken_away_applies_at_the_next_call(client, admin_agent):
    customer = CustomerFactory()
    ResellerRelationshipFactory(partner=admin_agent.partner, customer=customer)
    api = ApiClient(client, admin_agent)
    assert api.get("/v1/customers").status_code == 200
    admin_agent.groups.clear()
    admin_agent.role_names  # noqa: B018 - the cached roles belong to this object, not the next call's
    response = api.get("/v1/customers")
    assert response.status_code == 403 and response.json()["code"] == 403


def test_first_use_is_recorded_once_and_last_use_kept(client, admin_agent):
    api = ApiClient(client, admin_agent)
    api.get("/v1/customers")
    api.get("/v1/customers")
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_FIRST_USED).count() == 1
    token = ApiToken.objects.get()
    assert token.last_used_at is not None and token.last_used_from == "127.0.0.1"


def test_sign_in_throttling_does_not_count_token_failures(client, admin_agent, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(5):
        assert (
            client.get("/v1/customers", headers={"Authorization": "Bearer pc_bad"}).status_code
            == 401
        )
    assert token_authenticate("pc_bad") is None
    # The API's failures aren't sign-in failures: nobody is locked out by them.
    assert not AccessAttempt.objects.exists()


def test_the_command_prints_the_token_alone_on_the_last_line(admin_agent):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token_create", user=admin_agent.email, name="Ops", days=7, stdout=out, stderr=err
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.digest == token_digest(secret) and token.name == "Ops"
    assert (token.expires_at - token.created_at).days == 7
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_CREATED).count() == 1


def test_the_command_refuses_unknown_users_and_bad_lifetimes(admin_agent):
    with pytest.raises(CommandError):
        call_command("api_token_create", user="nobody@x.example", name="Ops")
    with pytest.raises(CommandError):
        call_command("api_token_create", user=admin_agent.email, name="Ops", days=400)
    assert not ApiToken.objects.exists()
