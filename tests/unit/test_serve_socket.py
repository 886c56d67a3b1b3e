"""Several server processes share one listening socket; its connections must not Nagle."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from openiop.cli.server import tcp_listening_socket


def nodelay_of_accepted_connection(listening: socket.socket) -> int:
    """Serve one connection with asyncio (as uvicorn does) and read TCP_NODELAY off it."""

    async def main() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        host, port = listening.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()

    return asyncio.run(main())


def config() -> uvicorn.Config:
    return uvicorn.Config("openiop.app:create_app", host="127.0.0.1", port=0, workers=2)


def test_connections_on_the_shared_socket_send_without_delay():
    assert nodelay_of_accepted_connection(tcp_listening_socket(config())) == 1


def test_uvicorns_own_shared_socket_would_not():
    # Why tcp_listening_socket exists: the socket uvicorn binds for several processes gives
    # connections with Nagle's algorithm on (a ~40 ms stall per kept-alive response).
    assert nodelay_of_accepted_connection(config().bind_socket()) == 0
