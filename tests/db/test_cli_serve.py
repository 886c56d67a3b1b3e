"""`openiop serve` starts the real server, with several processes when asked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from openiop.migrate import upgrade

OPENIOP = Path(sys.executable).with_name("openiop")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status == 200
        except OSError:
            time.sleep(0.3)
    return False


def test_serve_with_two_worker_processes_answers_health_checks(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    upgrade(url)
    port = _free_port()
    env = {**os.environ, "OPENIOP_DATABASE_URL": url, "OPENIOP_DEV_MODE": "1"}
    server = subprocess.Popen(
        [str(OPENIOP), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _healthy(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "2 processes" in output
    assert output.count("Started server process") == 2, output


def test_serve_refuses_zero_workers() -> None:
    done = subprocess.run(
        [str(OPENIOP), "serve", "--workers", "0"],
        env={**os.environ, "OPENIOP_DEV_MODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr
