"""Every link a page shows its viewer opens for that viewer.

Each demo persona signs in and follows the links of the pages they reach (breadth first, a
few pages of each kind), on the demo provider with two weeks of history. A link that answers
403 or 404 to the person it was shown to is a defect (a menu, breadcrumb or chart link that
should have been hidden), and no page may fail. Crawling the five-year data this way found
three such links that unit tests of each page had missed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from openiop.app import create_app
from openiop.config import Settings
from openiop.demo.plan import DEMO_PASSWORD
from openiop.kit import clock
from tests.db.test_cli import BACKENDS, fresh_database, postgres_template  # noqa: F401
from tests.db.test_demo_data import FROZEN, load_demo

PERSONAS = [
    "admin",
    "director",
    "counselor",
    "physician",
    "admissions",
    "billing",
    "frontdesk",
    "auditor",
    "patient",
]
PAGES_PER_PERSONA = 120
PER_KIND = 3  # pages of one shape (/patients/N/notes) worth opening per persona
SKIPPED = ("/static/", "/logout", "/api/", "/healthz")
FILES = (".pdf", ".ics", ".csv")


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(request, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with fresh_database(request, tmp_path_factory.mktemp("links")) as url:
        result = load_demo(url, "--patients", "24", "--seed", "5", "--history-weeks", "2")
        assert result.exit_code == 0, result.output
        yield url


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def links_on(page: str) -> list[str]:
    hrefs = (h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', page))
    return [h for h in hrefs if not h.startswith(SKIPPED) and not h.endswith(FILES)]


def crawl(client: TestClient) -> tuple[int, list[str]]:
    """Open pages breadth first from the start page; return how many and what went wrong."""
    seen: set[str] = set()
    per_kind: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    problems: list[str] = []
    while queue and len(seen) < PAGES_PER_PERSONA:
        path, shown_on = queue.popleft()
        if path in seen or per_kind.get(kind_of(path), 0) >= PER_KIND:
            continue
        seen.add(path)
        per_kind[kind_of(path)] = per_kind.get(kind_of(path), 0) + 1
        answer = client.get(path)
        if answer.status_code != 200:
            problems.append(f"{path} answered {answer.status_code} (linked from {shown_on})")
            continue
        if answer.headers.get("content-type", "").startswith("text/html"):
            queue.extend((link, path) for link in links_on(answer.text) if link not in seen)
    return len(seen), problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_shown_to_a_persona_opens_for_them(demo_url, persona):
    settings = Settings(
        database_url=demo_url, secret_key="k" * 48, cookie_secure=False, dev_mode=False
    )
    clock.freeze(FROZEN)
    try:
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            client.get("/login")
            signed_in = client.post(
                "/login",
                data={
                    "email": f"{persona}@demo.example.org",
                    "password": DEMO_PASSWORD,
                    "csrf_token": client.cookies.get("openiop_csrf"),
                    "next": "/",
                },
                follow_redirects=False,
            )
            assert signed_in.status_code == 303, signed_in.text
            opened, problems = crawl(client)
    finally:
        clock.freeze(None)
    assert opened >= 5, f"{persona} reached only {opened} pages"
    assert problems == []
