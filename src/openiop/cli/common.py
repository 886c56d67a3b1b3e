"""What every command shares: settings, one transaction, the operator as actor, plain errors.

Errors reach the operator as one sentence and an exit code, never a traceback: 2 for input
that is wrong (the message names the option), 1 for anything else that stopped the work.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from openiop import __version__
from openiop.config import ConfigError, Settings, get_settings
from openiop.db import get_engine, session_factory, transaction
from openiop.kit.errors import DomainError, NotFound, ValidationFailed
from openiop.security.audit import Actor

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def group(help_text: str) -> typer.Typer:
    """A command group. Markdown help rewraps docstring paragraphs to the terminal's width."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode="markdown")


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


def bad_option(option: str, message: str) -> NoReturn:
    """Wrong input: Click prints the usage line and the message, and exits with 2."""
    raise typer.BadParameter(message, param_hint=option)


def current_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"OPENIOP_{'_'.join(str(p) for p in item['loc']).upper()}: {item['msg']}"
            for item in error.errors()
        )
        fail(f"a setting is invalid — {problems}", 2)


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for the whole command: committed at the end, rolled back on error."""
    engine = get_engine(current_settings().database_url)
    with transaction(session_factory(engine)) as session:
        yield session


def operator() -> Actor:
    """The person at the terminal: no principal, channel "cli", their OS account for the record."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(None, "cli", None, f"openiop-cli/{__version__} os-user={who}")


@contextmanager
def reported(options: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn domain, settings and database errors into a message and an exit code.

    `options` maps a service's field names to the command's option names, so a field error
    comes back naming the option the operator typed.
    """
    options = options or {}
    try:
        yield
    except ValidationFailed as error:
        for field, message in error.field_errors.items():
            if field in options:
                bad_option(options[field], message)
        fail(error.message, 2)
    except NotFound as error:
        fail(error.message, 2)
    except DomainError as error:
        fail(error.message, 1)
    except ConfigError as error:
        fail(str(error), 2)
    except (OperationalError, ProgrammingError) as error:
        reason = str(error.orig or error).strip().splitlines()[0][:300]
        url = shown_url(current_settings().database_url)
        fail(
            f"cannot use the database at {url}: {reason}. Is it reachable, and migrated "
            "with `openiop db upgrade`?",
            1,
        )
