"""The permission rules as tables: who sees what of a patient, and who may do what."""

from __future__ import annotations

import pytest

from openiop.security.permissions import (
    Access,
    PatientScope,
    Permission,
    Principal,
    Role,
    can,
    may_break_glass,
    patient_access,
)

SITE_A, SITE_B = 1, 2
PATIENT = PatientScope(
    patient_id=10, location_ids=frozenset({SITE_A}), care_team_staff_ids=frozenset({100, 101})
)


def who(
    role: Role, *, staff: int | None = None, sites=frozenset({SITE_A}), patient: int | None = None
) -> Principal:
    return Principal(
        user_id=1,
        email="x@example.org",
        role=role,
        staff_member_id=staff,
        patient_id=patient,
        location_ids=sites,
    )


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        (who(Role.COUNSELOR, staff=100), Access.FULL),  # primary counselor
        (who(Role.PHYSICIAN, staff=101), Access.FULL),  # physician on the team
        (who(Role.COUNSELOR, staff=555), Access.LIMITED),  # same site, not on the team
        (who(Role.PHYSICIAN, staff=556), Access.LIMITED),
        (
            who(Role.COUNSELOR, staff=100, sites=frozenset({SITE_B})),
            Access.NONE,
        ),  # team id but wrong site
        (who(Role.COUNSELOR, staff=557, sites=frozenset({SITE_B})), Access.NONE),
        (who(Role.PROGRAM_DIRECTOR, staff=7), Access.FULL),
        (who(Role.PROGRAM_DIRECTOR, staff=7, sites=frozenset({SITE_B})), Access.NONE),
        (who(Role.ADMISSIONS, staff=8), Access.LIMITED),
        (who(Role.BILLING, staff=9), Access.LIMITED),
        (who(Role.BILLING, staff=9, sites=frozenset({SITE_B})), Access.NONE),
        (who(Role.FRONT_DESK, staff=11), Access.LIMITED),
        (who(Role.ADMIN, sites=None), Access.LIMITED),  # every site, but no clinical detail
        (who(Role.AUDITOR, sites=None), Access.NONE),  # reviews the trail, not charts
        (who(Role.PATIENT, patient=10, sites=frozenset()), Access.FULL),  # their own record
        (who(Role.PATIENT, patient=11, sites=frozenset()), Access.NONE),  # someone else's
        (who(Role.COUNSELOR, staff=None, sites=frozenset()), Access.NONE),  # no site at all
    ],
)
def test_patient_access(principal: Principal, expected: Access) -> None:
    assert patient_access(principal, PATIENT) is expected


def test_patient_seen_at_two_sites_is_visible_from_either() -> None:
    scope = PatientScope(10, frozenset({SITE_A, SITE_B}), frozenset())
    assert patient_access(who(Role.FRONT_DESK, sites=frozenset({SITE_B})), scope) is Access.LIMITED


ALLOWED = {
    Permission.CONFIG_WRITE: {Role.ADMIN, Role.PROGRAM_DIRECTOR},
    Permission.PATIENT_CREATE: {Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.ADMISSIONS},
    Permission.PATIENT_LIST: set(Role) - {Role.AUDITOR, Role.PATIENT},
    Permission.AUDIT_READ: {Role.ADMIN, Role.AUDITOR},
    Permission.USER_MANAGE: {Role.ADMIN},
    Permission.ENROLLMENT_WRITE: {Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.ADMISSIONS},
}


@pytest.mark.parametrize("permission", list(ALLOWED))
@pytest.mark.parametrize("role", list(Role))
def test_role_permissions(permission: Permission, role: Role) -> None:
    assert can(who(role), permission) is (role in ALLOWED[permission])


def test_patients_never_hold_staff_permissions() -> None:
    patient = who(Role.PATIENT, patient=10)
    assert not any(can(patient, permission) for permission in Permission)


@pytest.mark.parametrize("role", list(Role))
def test_break_glass_is_for_staff_but_not_auditors(role: Role) -> None:
    assert may_break_glass(who(role)) is (role not in {Role.AUDITOR, Role.PATIENT})
