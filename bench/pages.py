"""Page latency under concurrent users, against a running OpenIOP server.

    .venv/bin/python bench/pages.py --base http://127.0.0.1:8000 --users 20 --duration 60 \
        --account counselor@demo.example.org:demo-password-123 \
        --page roster=/attendance/today --page chart=/patients/1

Each simulated user signs in through the real login form once (its own cookie jar and CSRF
token), then requests the given pages in turn until the time is up: back to back (a stress
test), or with `--think S`, pausing S seconds on average (0.5 S to 1.5 S) after each page
as a person reading it would; users then also arrive spread over one pause rather than all
at once. Requests of the first `--warm-up` seconds (default 10) are not counted. The script
prints one JSON object: per page the request count, p50/p95/p99/max in milliseconds and the
number of non-200 answers, plus the total throughput. A page template may use `{user}` (the
user's index) to spread users over records, e.g. `--page chart=/patients/{user}`.

Why threads and httpx: the server, not this client, is what is measured; a thread per user
keeps each user's requests strictly sequential like a person clicking. The client shares the
machine's cores with the server, so the figures are an upper bound on what a separate load
machine would see; docs/benchmarks.md records them as such.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class Tally:
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, millis: float, ok: bool) -> None:
        with self.lock:
            self.samples.setdefault(page, []).append(millis)
            if not ok:
                self.errors[page] = self.errors.get(page, 0) + 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.perf_counter() + seconds
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.perf_counter() > deadline:
            raise SystemExit(f"no healthy OpenIOP server at {base}")
        time.sleep(0.5)


def sign_in(client: httpx.Client, email: str, password: str) -> None:
    client.get("/login")
    token = client.cookies.get("openiop_csrf")
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed for {email}: HTTP {answer.status_code}")


def run_user(
    index: int,
    client: httpx.Client,
    pages: list[tuple[str, str]],
    window: tuple[float, float],
    tally: Tally,
    think: float,
) -> None:
    """Click through the pages until the window ends; count only requests started inside it.

    With think time each user first waits a random part of one pause, as people arrive at
    different moments: starting twenty users on the same instant would measure a burst that
    real use never has (and that repeats for the first few rounds)."""
    counted_from, deadline = window
    pause = random.Random(index)  # the same pauses on every run
    if think:
        time.sleep(think * pause.uniform(0, 1))
    turn = 0
    while time.perf_counter() < deadline:
        name, template = pages[turn % len(pages)]
        turn += 1
        started = time.perf_counter()
        answer = client.get(template.format(user=index + 1))
        if started >= counted_from:
            tally.add(name, (time.perf_counter() - started) * 1000, answer.status_code == 200)
        if think:
            time.sleep(think * pause.uniform(0.5, 1.5))


def summary(tally: Tally, seconds: float, think: float) -> dict[str, object]:
    pages = {}
    for name, values in tally.samples.items():
        pages[name] = {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
            "errors": tally.errors.get(name, 0),
        }
    total = sum(len(v) for v in tally.samples.values())
    return {
        "seconds": round(seconds, 1),
        "think_seconds": think,
        "requests_per_second": round(total / seconds, 1),
        "pages": pages,
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument(
        "--warm-up", type=float, default=10, help="seconds of load before counting starts"
    )
    parser.add_argument("--account", action="append", required=True, help="email:password")
    parser.add_argument("--page", action="append", required=True, help="name=/path")
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="mean seconds a user reads a page before the next click (0: back to back)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    options = parse(argv)
    accounts = [tuple(a.split(":", 1)) for a in options.account]
    pages = [tuple(p.split("=", 1)) for p in options.page]
    if any(len(a) != 2 for a in accounts) or any(len(p) != 2 for p in pages):
        raise SystemExit("--account takes email:password and --page takes name=/path")
    wait_until_up(options.base)
    clients = [httpx.Client(base_url=options.base, timeout=30) for _ in range(options.users)]
    for index, client in enumerate(clients):  # sign-in (argon2) is not part of the figures
        sign_in(client, *accounts[index % len(accounts)])
    tally = Tally()
    begun = time.perf_counter()
    window = (begun + options.warm_up, begun + options.warm_up + options.duration)
    threads = [
        threading.Thread(target=run_user, args=(i, client, pages, window, tally, options.think))
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(summary(tally, options.duration, options.think), indent=2))
    for client in clients:
        client.close()


if __name__ == "__main__":
    main(sys.argv[1:])
