"""`openiop serve`: the web app and JSON API under uvicorn."""

from __future__ import annotations

import socket
from typing import Annotated

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

from openiop import migrate
from openiop.cli.common import current_settings, err, fail, reported, shown_url
from openiop.cli.database import current_revision
from openiop.config import ConfigError


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (about one per CPU core). Sessions, jobs and the audit chain "
            "live in the database, so processes share nothing else.",
        ),
    ] = 1,
) -> None:
    """Serve OpenIOP over HTTP (put TLS in front of it anywhere but localhost)."""
    settings = current_settings()
    try:
        settings.check_secret()
    except ConfigError as error:
        fail(str(error), 2)
    with reported():
        revision = current_revision(settings.database_url)
    if revision not in migrate.current_heads(settings.database_url):
        fail(f"the database {shown_url(settings.database_url)} is not migrated to the newest "
             "schema: run `openiop db upgrade` first.")  # fmt: skip
    if settings.dev_mode:
        err.print("[yellow]Dev mode[/]: placeholder secret accepted. Never use it for real data.")
    processes = f", {workers} processes" if workers > 1 else ""
    err.print(
        f"OpenIOP on http://{host}:{port}  (database {shown_url(settings.database_url)}{processes})"
    )
    config = uvicorn.Config(
        "openiop.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        workers=workers,
    )
    if workers == 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[tcp_listening_socket(config)]).run()


def tcp_listening_socket(config: uvicorn.Config) -> socket.socket:
    """The shared socket for several processes, marked as TCP so connections get TCP_NODELAY.

    uvicorn binds it with protocol 0, and asyncio only turns Nagle's algorithm off on sockets
    whose protocol is IPPROTO_TCP. Without that, every response on a kept-alive connection
    after the first waited about 40 ms for the browser's delayed acknowledgement."""
    bound = config.bind_socket()
    tcp = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    tcp.set_inheritable(True)
    return tcp
