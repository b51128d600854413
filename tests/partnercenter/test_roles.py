"""The permission matrix of docs/roles.md and the role groups that carry it."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from partnercenter.tenant.roles import MATRIX, Action, Role, may
from partnercenter.tenant.services import role_groups_sync
from tests.factories import UserFactory

A = Action
# docs/roles.md, transcribed independently of partnercenter.tenant.roles so a drift shows up.
SPEC_TABLE = {
    A.VIEW_CUSTOMERS: {
        "Global admin",
        "User admin",
        "Admin agent",
        "Sales agent",
        "Helpdesk agent",
        "Billing admin",
    },
    A.ADD_CUSTOMER: {"Global admin", "User admin", "Admin agent", "Sales agent"},
    A.ATTEST_AGREEMENT: {"Global admin", "Admin agent", "Sales agent"},
    A.ATTEST_AGREEMENT_ON_BEHALF: {"Global admin", "Admin agent", "Sales agent", "Helpdesk agent"},
    A.INVITE_CUSTOMERS: {"Global admin", "Admin agent", "Sales agent"},
    A.REMOVE_RELATIONSHIP: {"Global admin", "Admin agent"},
    A.MANAGE_PARTNERSHIPS: {"Global admin", "User admin", "Admin agent", "Sales agent"},
    A.PLACE_ORDERS: {"Global admin", "Admin agent", "Sales agent", "Helpdesk agent"},
    A.MANAGE_USERS: {"Global admin", "User admin"},
}


def test_the_matrix_in_code_is_the_spec_table():
    for action, roles in SPEC_TABLE.items():
        assert {r.value for r in Role if action in MATRIX[r]} == roles, action


@pytest.mark.django_db
def test_migrate_creates_one_group_per_role_with_exactly_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role.value)
        assert {p.codename for p in group.permissions.all()} == {a.value for a in MATRIX[role]}


@pytest.mark.django_db
def test_syncing_again_repairs_a_group_edited_by_hand():
    group = Group.objects.get(name=Role.BILLING_ADMIN.value)
    group.permissions.clear()
    role_groups_sync()
    assert {p.codename for p in group.permissions.all()} == {"view_customers"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_may_answers_from_the_roles_a_user_holds(role):
    user = UserFactory(roles=[role])
    for action in Action:
        assert may(user, action) == (action in MATRIX[role]), (role, action)


@pytest.mark.django_db
def test_a_user_with_several_roles_may_do_what_any_of_them_may():
    user = UserFactory(roles=[Role.BILLING_ADMIN, Role.USER_ADMIN])
    assert may(user, Action.MANAGE_USERS)
    assert not may(user, Action.ATTEST_AGREEMENT)


@pytest.mark.django_db
def test_nobody_without_a_partner_or_active_account_may_act():
    assert not may(AnonymousUser(), Action.VIEW_CUSTOMERS)
    inactive = UserFactory(roles=[Role.GLOBAL_ADMIN], is_active=False)
    assert not may(inactive, Action.VIEW_CUSTOMERS)
    staff = UserFactory(partner=None, is_superuser=True, is_staff=True)
    assert not may(staff, Action.VIEW_CUSTOMERS)
