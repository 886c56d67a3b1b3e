"""Programs and their policy: organization-wide, so administrators only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openiop.kit.pagination import Page, PageRequest
from openiop.models import Program
from openiop.programs import repository as repo
from openiop.programs import rules
from openiop.programs.schemas import ProgramCreate, ProgramPatch
from openiop.programs.service.common import (
    apply,
    check_version,
    current_values,
    describe,
    flush,
    found,
    merged,
    organization_id,
    record,
    refuse_problems,
    require_org_wide,
    require_read,
)
from openiop.security.audit import Actor
from openiop.security.permissions import Permission
from openiop.security.service import require


def policy_of(program: Program | ProgramCreate) -> rules.Policy:
    names = rules.Policy.__dataclass_fields__
    return rules.Policy(**{name: getattr(program, name) for name in names})


def list_programs(session: Session, *, actor: Actor, page: PageRequest) -> Page[Program]:
    require_read(session, actor, what="program")
    return repo.list_programs(session, page)


def all_programs(session: Session, *, actor: Actor) -> list[Program]:
    require_read(session, actor, what="program")
    return repo.all_programs(session)


def get_program(session: Session, *, actor: Actor, program_id: int) -> Program:
    require_read(session, actor, what="program")
    return found(repo.get_program(session, program_id), "program", program_id)


def _with_level_bounds(data: ProgramCreate) -> ProgramCreate:
    """A new program left without weekly bounds takes its level's own band."""
    refuse_problems(rules.level_problems(data.asam_level, data.population))
    band = rules.default_weekly_bounds(data.asam_level, data.population)
    low, high = band if band else (None, None)
    fill = {
        "min_weekly_hours": data.min_weekly_hours if data.min_weekly_hours is not None else low,
        "max_weekly_hours": data.max_weekly_hours if data.max_weekly_hours is not None else high,
    }
    missing = {k: "Required for this level of care." for k, v in fill.items() if v is None}
    refuse_problems(missing)
    return data.model_copy(update=fill)


def _program_values(session: Session, data: ProgramCreate, except_id: int | None) -> dict:
    problems = rules.policy_problems(policy_of(data))
    if repo.program_code_taken(session, data.code, except_id=except_id):
        problems["code"] = f"Another program already uses the code {data.code}."
    refuse_problems(problems)
    return data.model_dump(exclude={"organization_id"})


def create_program(session: Session, *, actor: Actor, data: ProgramCreate) -> Program:
    require_org_wide(
        session, actor, Permission.CONFIG_WRITE, action="program.create", what="program"
    )
    org_id = organization_id(session, data.organization_id)
    values = _program_values(session, _with_level_bounds(data), None)
    row = Program(organization_id=org_id, **values)
    session.add(row)
    flush(session, "program")
    record(session, actor, "program.create", "program", row.id, describe(values))
    return row


def update_program(
    session: Session, *, actor: Actor, program_id: int, changes: ProgramPatch
) -> Program:
    require(session, actor, Permission.CONFIG_WRITE, action="program.update")
    row = found(repo.get_program(session, program_id), "program", program_id)
    require_org_wide(
        session,
        actor,
        Permission.CONFIG_WRITE,
        action="program.update",
        what="program",
        object_id=program_id,
    )
    check_version(row, changes.version, "program")
    data = merged(ProgramCreate, current_values(row, ProgramCreate), changes)
    diff = apply(row, _program_values(session, _with_level_bounds(data), row.id))
    flush(session, "program")
    record(session, actor, "program.update", "program", row.id, describe(diff))
    return row
