"""`openiop user create`: sign-in accounts, linked to a staff member or a patient."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from email_validator import EmailNotValidError, validate_email

from openiop.cli import service
from openiop.cli.common import bad_option, group, operator, out, reported, unit_of_work
from openiop.security import passwords
from openiop.security.permissions import Role

app = group("Sign-in accounts.")

ROLE_NAMES = ", ".join(role.value for role in Role)
# Where a service's field error points on this command line.
OPTIONS = {
    "email": "--email",
    "location": "--location",
    "patient_mrn": "--patient-mrn",
    "patient_id": "--patient-mrn",
    "password": "password",
}


@app.command("create")
def create(
    email: Annotated[
        str, typer.Option(metavar="EMAIL", help="The person's email; it is their sign-in name.")
    ],
    role: Annotated[str, typer.Option(metavar="ROLE", help=f"One of: {ROLE_NAMES}.")],
    location: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CODE", help="Code of a location the person works at; repeat for several."
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Full name; taken from the staff record when linking."),
    ] = None,
    credentials: Annotated[
        str | None,
        typer.Option(metavar="LIST", help="Credentials of a new staff member, e.g. LCSW,CADC."),
    ] = None,
    patient_mrn: Annotated[
        str | None,
        typer.Option(metavar="MRN", help="MRN of the patient a patient account belongs to."),
    ] = None,
) -> None:
    """Create a sign-in account (password from a hidden prompt or standard input).

    The password comes from a hidden prompt with confirmation, or from standard input when
    that is not a terminal (e.g. `printf '%s\\n' "$PW" | openiop user create ...`). Staff
    roles get a staff member at the given locations, or are linked to the staff member with
    the same email.
    """
    address = _valid_email(email)
    chosen = _valid_role(role)
    password = _read_password()
    with reported(OPTIONS), unit_of_work() as session:
        done = service.provision_account(
            session,
            email=address,
            role=chosen,
            password=password,
            name=name.strip() if name else None,
            location_codes=location or [],
            credentials=credentials,
            patient_mrn=patient_mrn,
            actor=operator(),
        )
        user_id, staff = done.user.id, done.staff_member
        sites = ", ".join(sorted(loc.code for loc in staff.locations)) if staff else ""
    out.print(f"Created {chosen.label.lower()} account {address} (user id {user_id}).")
    if staff is not None:
        verb = "Created" if done.staff_created else "Linked to"
        out.print(f"{verb} staff member {staff.full_name} (id {staff.id}) at {sites}.")


def _valid_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        bad_option("--email", str(error))


def _valid_role(raw: str) -> Role:
    value = raw.strip().lower().replace("-", "_")
    try:
        return Role(value)
    except ValueError:
        bad_option("--role", f"unknown role {raw!r}; choose one of: {ROLE_NAMES}.")


def _read_password() -> str:
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = passwords.password_problem(password)
    if problem:
        bad_option("password", problem)
    return password
