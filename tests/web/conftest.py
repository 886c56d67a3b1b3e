"""Browser tests: real Chromium (Playwright) against a live OpenIOP server.

One server per test run: a fresh SQLite file built by the real migrations, seeded with a small
clinic, served by uvicorn on a free local port in a background thread. Every page test runs
twice, on a desktop (1280×800) and a phone (390×844) viewport, and may save full-page
screenshots to test-artifacts/screenshots/ for people to look at.

Without Chromium at /usr/bin/chromium (or at OPENIOP_CHROMIUM) the tests are skipped with the
reason, unless OPENIOP_REQUIRE_BROWSER=1, which turns the skip into a failure.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from openiop.app import create_app
from openiop.config import Settings
from openiop.db import get_engine
from openiop.migrate import upgrade
from tests import factories as f
from tests.web.clinic import COUNSELOR, Seed, seed_clinic

CHROMIUM = Path(os.environ.get("OPENIOP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER = os.environ.get("OPENIOP_REQUIRE_BROWSER") == "1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(reason + " — and OPENIOP_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    url: str
    seed: Seed


# ---- the live server --------------------------------------------------------------------


def _wait_until_healthy(url: str, thread: threading.Thread, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped while starting")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the live server did not answer {url}/healthz within {seconds} s")


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'browser.sqlite3'}"
        upgrade(url)
        seed = seed_clinic(url)
        app = create_app(Settings(database_url=url, secret_key="x" * 48, cookie_secure=False))
        # Bind the socket ourselves: port 0 picks a free port without a race.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app=app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(base, thread)
            yield LiveServer(base, seed)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            get_engine(url).dispose()


# ---- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"Playwright is not installed ({error})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def console_errors() -> list[str]:
    """What the page logged as errors: script failures and CSP refusals (of inline styles or
    scripts, which pages must not use)."""
    return []


@pytest.fixture
def page(
    browser, live_server: LiveServer, viewport: str, console_errors: list[str]
) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    tab = context.new_page()

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error":
            console_errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: console_errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def shoot(page, viewport: str) -> Callable[[str], Path]:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot as test-artifacts/screenshots/<name>-<viewport>.png."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{viewport}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def signed_in_cookies() -> dict[str, list[Any]]:
    """Session cookies by email: password hashing is slow on purpose, so each account signs in
    through the form once per run and later tests reuse its session."""
    return {}


@pytest.fixture
def sign_in(page, signed_in_cookies: dict[str, list[Any]]) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """Be signed in as `email` and on the start page (through the real form the first time)."""

    def go(email: str = COUNSELOR, password: str = f.PASSWORD) -> None:
        if email in signed_in_cookies:
            page.context.add_cookies(signed_in_cookies[email])
            page.goto("/")
            if "/login" not in page.url:
                return
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        signed_in_cookies[email] = page.context.cookies()

    return go
