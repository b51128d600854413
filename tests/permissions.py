"""A reusable permission-matrix check (docs/style.md, habit 6).

``assert_permission_matrix`` runs one view against every case: anonymous →
sign-in redirect; a user of another partner (holding every role) → 404 when
the URL names one partner's object; each role alone → 403 if docs/roles.md denies
it, 200/302 if it allows it. Tests of what an allowed request changes in the
database are written beside it, per view.
"""

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.urls import reverse

from partnercenter.models import Partner
from partnercenter.tenant.roles import Role
from tests.factories import PartnerFactory, UserFactory


def assert_permission_matrix(
    client,
    *,
    build_url: Callable[[Partner], str],
    allowed: Iterable[Role],
    method: str = "get",
    data: dict | Callable[[Partner], dict] | None = None,
    partner_type: str = Partner.PartnerType.DIRECT_BILL,
    scoped: bool = True,
) -> None:
    """Assert the matrix for one view.

    ``build_url(partner)`` makes a fresh object of ``partner`` when the view
    needs one and returns the URL (it is called once per case, so POSTs that
    change state don't interfere). ``allowed`` lists the roles docs/roles.md allows.
    ``scoped`` is False for views that name no object (a list of one's own
    partner's data has no "other partner" case).
    """
    allowed = set(allowed)
    partner = PartnerFactory(partner_type=partner_type)

    def request(url):
        payload = data(partner) if callable(data) else data
        return getattr(client, method)(url, payload or {})

    client.logout()
    url = build_url(partner)
    response = request(url)
    login = reverse("login")
    assert response.status_code == 302, (
        f"anonymous: expected sign-in redirect, got {response.status_code}"
    )
    assert response.url.startswith(login), f"anonymous: redirected to {response.url}, not {login}"

    if scoped:
        outsider = UserFactory(partner=PartnerFactory(partner_type=partner_type), roles=list(Role))
        client.force_login(outsider)
        response = request(build_url(partner))
        assert response.status_code == 404, (
            f"other partner: expected 404, got {response.status_code}"
        )

    for role in Role:
        user = UserFactory(partner=partner, roles=[role])
        client.force_login(user)
        response = request(build_url(partner))
        if role in allowed:
            assert response.status_code in (200, 302), (
                f"{role.value}: expected 200/302, got {response.status_code}"
            )
        else:
            assert response.status_code == 403, (
                f"{role.value}: expected 403, got {response.status_code}"
            )

    staff = get_user_model().objects.create_user(
        username=f"staff-{partner.pk}", password="x", is_staff=True, is_superuser=True
    )
    client.force_login(staff)
    response = request(build_url(partner))
    assert response.status_code == 404, (
        f"back-office staff without partner: expected 404, got {response.status_code}"
    )
    client.logout()
