"""`openiop token create|revoke|list`: bearer tokens for the JSON API.

The secret is printed once, alone on standard output (so `TOKEN=$(openiop token create ...)`
works); everything else goes to standard error. Only its SHA-256 is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from openiop.cli import repository
from openiop.cli.common import bad_option, err, group, operator, out, reported, unit_of_work
from openiop.kit import clock
from openiop.models import ApiToken, User
from openiop.security import service as security

app = group("API tokens (bearer tokens for /api/v1).")


def _user(session, email: str) -> User:  # type: ignore[no-untyped-def]
    user = repository.user_by_email(session, email)
    if user is None:
        bad_option("--email", f"no account with email {email.strip()}.")
    return user


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Account the token acts for.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the integration.")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option(min=1, help="Days until it stops working; default never.")
    ] = None,
) -> None:
    """Create a token and print it once."""
    if not name.strip() or len(name) > 100:
        bad_option("--name", "give a name of 1 to 100 characters.")
    with reported({"expires_days": "--expires-days"}), unit_of_work() as session:
        user = _user(session, email)
        issued = security.create_token(
            session, user=user, name=name.strip(), expires_days=expires_days, actor=operator()
        )
        token_id, expires = issued.record.id, issued.record.expires_at
    until = f"until {expires:%Y-%m-%d %H:%M} UTC" if expires else "with no expiry"
    err.print(f"Token {token_id} ({name.strip()!r}) for {user.email}, valid {until}.")
    err.print("Copy it now: it is not shown again (only its hash is stored).")
    typer.echo(issued.secret)


@app.command("revoke")
def revoke(token_id: Annotated[int, typer.Option("--id", help="The token's id.")]) -> None:
    """Revoke a token; requests carrying it get 401 from then on."""
    with reported({}), unit_of_work() as session:
        if repository.token_by_id(session, token_id) is None:
            bad_option("--id", f"no API token with id {token_id}.")
        record = security.revoke_token(session, token_id=token_id, actor=operator())
        owner = repository.user_by_id(session, record.user_id)
    out.print(f"Revoked token {token_id} ({record.prefix}…) of {owner.email if owner else '?'}.")


@app.command("list")
def list_tokens(email: Annotated[str, typer.Option(help="Whose tokens to list.")]) -> None:
    """List an account's tokens (never their secrets)."""
    with reported({}), unit_of_work() as session:
        user = _user(session, email)
        tokens = repository.tokens_for_user(session, user.id)
    if not tokens:
        out.print(f"{user.email} has no API tokens.")
        return
    table = Table("id", "name", "starts with", "created", "expires", "last used", "status",
                  title=f"API tokens of {user.email}")  # fmt: skip
    for token in tokens:
        table.add_row(
            str(token.id), token.name, token.prefix + "…", _when(token.created_at),
            _when(token.expires_at), _when(token.last_used_at), _status(token),
        )  # fmt: skip
    out.print(table)


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "—"


def _status(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= clock.now():
        return "expired"
    return "active"
