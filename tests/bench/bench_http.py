"""Benchmark Debrief over HTTP: gunicorn + PostgreSQL + Redis on 127.0.0.1.

    .venv/bin/python -m tests.bench.bench_http --write docs/benchmarks.md

Recreates the bench database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/h_bench;
its name must contain "bench", because it is dropped), migrates it, imports the shipped role
profiles and seeds it (tests/bench/http_tasks.py). Then it starts gunicorn the way
docs/operations.md runs it (4 sync workers by default) with tests.bench.settings, whose URLconf adds
a floor view and a raw-SQL dashboard, and drives a closed loop of --connections clients (threads,
http.client), each phase bounded by --duration seconds and --max-requests requests: the floor, the
committee dashboard (page, API, raw SQL) over 10,000 packets, scorecard draft saves and submits.
Besides latency and throughput, each phase reads from /proc the CPU time gunicorn's workers and
the database's backends used, per request: on a shared machine that figure moves far less than
latency does. Queries per request and in-process server times are measured with Django's test
client against the same database; packet_refresh and calibration_refit are timed in-process
after the load.
Broker: Redis (BENCH_REDIS_URL, default db 6), which the submits enqueue to; no worker consumes
during the run, and the database number is flushed before and after.

Skips (exit 0, a printed reason, the Markdown untouched) when PostgreSQL or Redis is unreachable.
Not collected by pytest (pyproject's addopts ignore tests/bench): a benchmark is never an assertion.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
START_MARKER = "<!-- bench:http:start -->"
END_MARKER = "<!-- bench:http:end -->"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/h_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
HOST = "127.0.0.1"

FLOOR_SHARE_GOAL = 0.5
P99_GOAL_MS = 50.0
RAW_RATIO_GOAL = 3.0

EVIDENCE = (
    "Walked through the trade-offs of the offline and online metrics, named the failure mode "
    "of the proposed sampling and fixed it without a hint."
)


# --- services -------------------------------------------------------------------------------------


def _redis_command(url: str, *parts: str) -> str:
    """One RESP command (after SELECT of the URL's database) on a fresh socket; the reply line."""
    target = urlsplit(url)
    database = (target.path or "/0").lstrip("/") or "0"
    with socket.create_connection((target.hostname or HOST, target.port or 6379), timeout=3) as s:
        reader = s.makefile("rb")
        replies = []
        for command in (("SELECT", database), parts):
            payload = f"*{len(command)}\r\n" + "".join(
                f"${len(part.encode())}\r\n{part}\r\n" for part in command
            )
            s.sendall(payload.encode())
            line = reader.readline().decode().rstrip("\r\n")
            if line.startswith("$"):  # a bulk string: read its body
                size = int(line[1:])
                line = reader.read(size + 2).decode()[:-2] if size >= 0 else ""
            if line.startswith("-"):
                raise RuntimeError(f"Redis {command[0]}: {line[1:]}")
            replies.append(line)
        return replies[-1]


def services_unreachable(database_url: str, redis_url: str) -> str | None:
    """Why the benchmark cannot run, or None."""
    import psycopg

    target = urlsplit(database_url)
    try:
        with psycopg.connect(_maintenance_dsn(database_url), connect_timeout=3):
            pass
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split())
        return f"PostgreSQL at {target.hostname}:{target.port or 5432} is not reachable ({detail})"
    try:
        if _redis_command(redis_url, "PING") != "+PONG":
            return f"Redis at {redis_url} did not answer PING"
    except (OSError, RuntimeError) as exc:
        return f"Redis at {redis_url} is not reachable ({exc})"
    return None


def _maintenance_dsn(database_url: str) -> str:
    target = urlsplit(database_url)
    return target._replace(scheme="postgresql", path="/postgres").geturl()


def database_recreate(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to drop database {name!r}: the bench database is recreated on every run, "
            "so its name must contain 'bench'."
        )
    with psycopg.connect(_maintenance_dsn(database_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_analyze(database_url: str) -> None:
    """Statistics for the planner, as autovacuum would have them after a bulk load."""
    import psycopg

    with psycopg.connect(_postgres_dsn(database_url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _postgres_dsn(database_url: str) -> str:
    return urlsplit(database_url)._replace(scheme="postgresql").geturl()


def bench_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The production settings, pointed at the bench services, over plain HTTP on 127.0.0.1."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis_url,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS=f"{HOST},testserver",
        # No TLS terminator in front of gunicorn here: without this, every request is a 301.
        SECURE_SSL_REDIRECT="false",
        # Persistent connections, as in production (.env.example: 60 s), kept for the whole run
        # so that no backend closes mid-phase and takes its CPU time out of the accounting.
        CONN_MAX_AGE="3600",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


def django_run(env: dict[str, str], *arguments: str) -> None:
    """Run a Django process on the bench database; its output is shown only if it fails."""
    completed = subprocess.run(
        [sys.executable, *arguments], cwd=REPO, env=env, capture_output=True, text=True
    )
    if completed.returncode != 0:
        print(completed.stdout, completed.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"bench_http: {' '.join(arguments)} failed ({completed.returncode})")


def tasks_run(env: dict[str, str], work: Path, command: str, *arguments: str) -> dict[str, Any]:
    out = work / f"{command}.json"
    django_run(env, "-m", "tests.bench.http_tasks", command, *arguments, "--out", str(out))
    result: dict[str, Any] = json.loads(out.read_text())
    return result


# --- gunicorn -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    command: list[str]


def gunicorn_start(env: dict[str, str], work: Path, arguments: argparse.Namespace) -> Server:
    port = free_port()
    log = work / "gunicorn.log"
    command = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(arguments.workers),
        "--worker-class",
        arguments.worker_class,
    ]
    if arguments.worker_class == "gthread":
        command += ["--threads", str(arguments.threads)]
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process=process, port=port, log=log, command=command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/bench/floor/")
            response = connection.getresponse()
            response.read()
            connection.close()
        except OSError:
            time.sleep(0.2)
            continue
        if response.status in (301, 302, 307, 308):
            raise RuntimeError(
                f"gunicorn answers {response.status} to {response.getheader('Location')}: the "
                "production settings redirect to HTTPS; check the variable that turns it off in "
                "config/settings.py (SECURE_SSL_REDIRECT) and set it in bench_env()."
            )
        if response.status != 200:
            raise RuntimeError(f"floor answered {response.status}:\n{log.read_text()}")
        return server
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def gunicorn_stop(server: Server) -> None:
    """Stop the master and its workers (their own process group), whatever state they are in."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=5)


# --- CPU accounting -------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a process, from /proc; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: stat[1] for pid in pids if (stat := _proc_stat(pid)) is not None}


@dataclass
class CpuMeter:
    """CPU time of the server side (gunicorn's workers, the bench database's backends), which
    other work on a shared machine slows down but does not inflate the way it inflates latency."""

    master: int
    database_url: str

    def _pids(self) -> tuple[list[int], list[int]]:
        import psycopg

        workers = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _proc_stat(int(entry.name))
                if stat is not None and stat[0] == self.master:
                    workers.append(int(entry.name))
        with psycopg.connect(_postgres_dsn(self.database_url), autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return workers, [int(row[0]) for row in rows]

    def sample(self) -> tuple[dict[int, float], dict[int, float]]:
        """CPU seconds so far of each worker and of each backend."""
        workers, backends = self._pids()
        return _cpu_of(workers), _cpu_of(backends)

    @staticmethod
    def used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- the load -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


class Client:
    """One connection's work: what to send next (None: nothing left) and what to make of it."""

    def next(self) -> Request | None:
        raise NotImplementedError

    def done(self, status: int, body: bytes) -> None:
        """Called after every response."""


class Fixed(Client):
    def __init__(self, request: Request) -> None:
        self.request = request

    def next(self) -> Request | None:
        return self.request


def _fixed(request: Request, connections: int) -> list[Client]:
    return [Fixed(request) for _ in range(connections)]


def _scorecard_body(card: dict[str, Any], rating: int) -> bytes:
    return json.dumps(
        {
            "version": card["version"],
            "ratings": [
                {"competency": key, "rating": rating, "evidence": EVIDENCE}
                for key in card["competencies"]
            ],
            "overall_recommendation": rating,
            "level_assessment": "at",
            "summary": "Solid on the focus competencies; see the evidence.",
        }
    ).encode()


def _token_headers(card: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Token {card['token']}", "Content-Type": "application/json"}


class DraftSaves(Client):
    """Cycles through this connection's own scorecards, sending the version it last read."""

    def __init__(self, cards: list[dict[str, Any]]) -> None:
        self.cards = cards
        self.turn = 0
        self.current: dict[str, Any] | None = None

    def next(self) -> Request | None:
        self.current = card = self.cards[self.turn % len(self.cards)]
        self.turn += 1
        return Request(
            "PUT",
            f"/api/scorecards/{card['id']}/draft/",
            _token_headers(card),
            _scorecard_body(card, 1 + card["version"] % 4),
        )

    def done(self, status: int, body: bytes) -> None:
        if status == 200 and self.current is not None:
            self.current["version"] = json.loads(body)["version"]


class Submits(Client):
    """Submits this connection's prepared scorecards, each once."""

    def __init__(self, cards: list[dict[str, Any]]) -> None:
        self.cards = list(cards)

    def next(self) -> Request | None:
        if not self.cards:
            return None
        card = self.cards.pop()
        return Request(
            "POST",
            f"/api/scorecards/{card['id']}/submit/",
            _token_headers(card),
            _scorecard_body(card, 3),
        )


@dataclass
class Phase:
    name: str
    connections: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    web_cpu: float = 0.0
    """CPU seconds the gunicorn workers used during the phase."""
    database_cpu: float = 0.0
    """CPU seconds the bench database's PostgreSQL backends used during the phase."""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def cpu_ms(self) -> tuple[float, float]:
        """(web, database) CPU milliseconds per request."""
        if not self.requests:
            return float("nan"), float("nan")
        return self.web_cpu * 1000 / self.requests, self.database_cpu * 1000 / self.requests

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 300) + len(self.failures)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def drive(
    port: int, name: str, clients: list[Client], *, duration: float, max_requests: int
) -> Phase:
    """A closed loop: each client thread sends its next request as soon as the last one is
    answered, on its own keep-alive connection (http.client reconnects when the server closes
    it, as gunicorn's sync workers do after every response)."""
    phase = Phase(name=name, connections=len(clients))
    lock = threading.Lock()
    issued = [0]
    start = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def claim() -> bool:
        with lock:
            if issued[0] >= max_requests or time.perf_counter() >= deadline[0]:
                return False
            issued[0] += 1
            return True

    def run(client: Client) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        start.wait()
        while claim():
            request = client.next()
            if request is None:
                break
            before = time.perf_counter()
            try:
                connection.request(request.method, request.path, request.body, request.headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                with lock:
                    phase.failures.append(f"{request.method} {request.path}: {exc!r}")
                continue
            elapsed = time.perf_counter() - before
            with lock:
                phase.latencies.append(elapsed)
                phase.statuses[response.status] += 1
                if response.status >= 300 and len(phase.failures) < 5:
                    phase.failures.append(f"{response.status} {request.path}: {body[:200]!r}")
            client.done(response.status, body)
        connection.close()

    threads = [threading.Thread(target=run, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + duration
    start.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def fetch(port: int, request: Request) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(request.method, request.path, request.body, request.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def by_application(cards: list[dict[str, Any]], connections: int) -> list[list[dict[str, Any]]]:
    """Each application's scorecards go to one connection, as its interviewers would submit
    them at different times: two connections never contend for one packet row."""
    applications = sorted({card["application"] for card in cards})
    slot = {application: n % connections for n, application in enumerate(applications)}
    shares: list[list[dict[str, Any]]] = [[] for _ in range(connections)]
    for card in cards:
        shares[slot[card["application"]]].append(card)
    return shares


DASHBOARD = {
    "page": ("GET /packets/ (page)", "/packets/"),
    "api": ("GET /api/packets/?limit=25 (API)", "/api/packets/?limit=25"),
    "raw_page": ("raw-SQL page (HTML)", "/bench/raw-dashboard/"),
    "raw_json": ("raw-SQL page (JSON)", "/bench/raw-dashboard.json"),
}


def same_rows(port: int, session: dict[str, str]) -> bool:
    """The API's first 25 packets and the raw query's are the same rows, in the same order."""
    _, api = fetch(port, Request("GET", DASHBOARD["api"][1], session))
    _, raw = fetch(port, Request("GET", DASHBOARD["raw_json"][1], session))
    api_rows, raw_rows = json.loads(api), json.loads(raw)
    keys = (
        "id",
        "candidate",
        "status",
        "p_above_bar",
        "votes",
        "voted",
        "decision",
        "days_waiting",
    )
    return api_rows["count"] == raw_rows["count"] and [
        [row[key] for key in keys] for row in api_rows["results"]
    ] == [[row[key] for key in keys] for row in raw_rows["results"]]


def load_run(
    port: int, seeded: dict[str, Any], arguments: argparse.Namespace, meter: CpuMeter
) -> tuple[dict[str, Phase], bool]:
    n = arguments.connections
    bounds = {"duration": arguments.duration, "max_requests": arguments.max_requests}
    warm = {"duration": 1.0, "max_requests": 8 * n}
    session = {"Cookie": f"sessionid={seeded['committee_session']}"}
    phases: dict[str, Phase] = {}

    def measured(name: str, make: Callable[[], list[Client]], *, warm_up: bool = True) -> None:
        if warm_up:
            drive(port, name, make(), **warm)
        before = meter.sample()
        phases[name] = phase = drive(port, name, make(), **bounds)
        after = meter.sample()
        phase.web_cpu = meter.used(before[0], after[0])
        phase.database_cpu = meter.used(before[1], after[1])
        print(
            f"  {name}: {phase.requests} requests in {phase.seconds:.1f} s, "
            f"{phase.throughput:.0f} req/s, p50 {phase.percentile_ms(0.5):.1f} ms, "
            f"p99 {phase.percentile_ms(0.99):.1f} ms, errors {phase.errors}, CPU ms/request "
            f"web {phase.cpu_ms()[0]:.1f} + database {phase.cpu_ms()[1]:.1f}",
            flush=True,
        )
        for failure in phase.failures[:3]:
            print(f"    {failure}", flush=True)

    measured("floor", lambda: [Fixed(Request("GET", "/bench/floor/", {})) for _ in range(n)])
    identical = same_rows(port, session)
    for name, (_, path) in DASHBOARD.items():
        measured(name, functools.partial(_fixed, Request("GET", path, session), n))
    drafts = by_application(seeded["cards"]["draft"], n)
    measured("draft", lambda: [DraftSaves(cards) for cards in drafts])
    # One connection: the write's own latency over HTTP, with no request queued behind another.
    measured("draft_one", lambda: [DraftSaves(seeded["cards"]["draft"])])
    submits = by_application(seeded["cards"]["submit"], n)
    measured("submit", lambda: [Submits(cards) for cards in submits], warm_up=False)
    measured("floor_after", lambda: [Fixed(Request("GET", "/bench/floor/", {})) for _ in range(n)])
    return phases, identical


# --- the machine ----------------------------------------------------------------------------------


def machine(database_url: str, redis_url: str) -> dict[str, str]:
    import psycopg

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    with psycopg.connect(_postgres_dsn(database_url)) as connection:
        row = connection.execute("SHOW server_version").fetchone()
        postgres = str(row[0]) if row else "unknown"
    info = _redis_command(redis_url, "INFO", "server")
    redis = next(
        (line.split(":", 1)[1] for line in info.splitlines() if line.startswith("redis_version:")),
        "unknown",
    )
    return {
        "cpu": f"{cpu}, os.cpu_count() = {os.cpu_count()}",
        "memory": memory,
        "os": f"{platform.platform()}, {platform.machine()}",
        "python": platform.python_version(),
        "postgres": postgres,
        "redis": redis,
        "django": package_version("django"),
        "gunicorn": package_version("gunicorn"),
    }


# --- the report -----------------------------------------------------------------------------------


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def goals_summary(phases: dict[str, Phase], queries: dict[str, Any]) -> str:
    """The issue's goals in one sentence each, judged on this run."""
    floor = phases["floor"].throughput
    parts = []
    for name, label in (("draft", "draft save"), ("submit", "submit")):
        share = phases[name].throughput / floor if floor else 0.0
        p99 = phases[name].percentile_ms(0.99)
        parts.append(
            f"{label} at {share:.2f}x the floor's throughput (goal >= {FLOOR_SHARE_GOAL}: "
            f"{_verdict(share >= FLOOR_SHARE_GOAL)}) with p99 {p99:.0f} ms at "
            f"{phases[name].connections} connections (goal < {P99_GOAL_MS:.0f} ms: "
            f"{_verdict(p99 < P99_GOAL_MS)})"
        )
    one = phases["draft_one"]
    parts.append(
        f"on 1 connection, a draft save takes p50 {one.percentile_ms(0.5):.0f} ms and p99 "
        f"{one.percentile_ms(0.99):.0f} ms over HTTP, at {one.throughput:.0f} req/s"
    )
    for name, raw, label in (("page", "raw_page", "dashboard page"), ("api", "raw_json", "API")):
        ratio = queries[name]["median_ms"] / queries[raw]["median_ms"]
        parts.append(
            f"{label} server time {ratio:.1f}x the raw-SQL page's (goal within "
            f"{RAW_RATIO_GOAL:.0f}x: {_verdict(ratio <= RAW_RATIO_GOAL)})"
        )
    return "Goals: " + "; ".join(parts) + "."


def report(
    *,
    phases: dict[str, Phase],
    identical: bool,
    seeded: dict[str, Any],
    queries: dict[str, Any],
    refresh: dict[str, Any],
    facts: dict[str, str],
    load: tuple[float, float],
    arguments: argparse.Namespace,
    server: list[str],
) -> str:
    floor = phases["floor"]
    bulk = seeded["bulk"]
    lines = [
        "## HTTP under gunicorn",
        "",
        f"Command: `{arguments.command_line}`  ",
        f"Measured: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {facts['cpu']}, {facts['memory']} RAM, {facts['os']}  ",
        f"Software: Python {facts['python']}, Django {facts['django']}, gunicorn "
        f"{facts['gunicorn']}, PostgreSQL {facts['postgres']}, Redis {facts['redis']}  ",
        f"Load average (1 min) before / after the run: {load[0]:.2f} / {load[1]:.2f} "
        "(the machine is shared; other work on it slows every figure below)",
        "",
        "Everything runs on 127.0.0.1: PostgreSQL, Redis, gunicorn "
        f"(`{' '.join(['gunicorn', *server[1:]])}`"
        " with the production settings module plus the bench URLconf, `DEBUG=false`, "
        "`CONN_MAX_AGE=3600`, no TLS redirect) and the load generator (Python threads with "
        "http.client; gunicorn's sync workers close the connection after each response, so "
        "every request includes a TCP connect). Closed loop: "
        f"{arguments.connections} connections, each phase bounded by {arguments.duration:.0f} s "
        f"and {arguments.max_requests:,} requests, after a 1 s warm-up (none for submits). "
        "Submits enqueue the packet refresh on Redis; no worker consumes it during the run.",
        "",
        f"Data: {seeded['packets_total']:,} packets on {seeded['requisitions']} requisitions "
        f"({bulk['packets']:,} bulk-created with their candidates, applications, "
        f"{bulk['votes']:,} votes and {bulk['decisions']:,} decisions; planning and assigning "
        "10,000 loops through the services would take most of an hour and the dashboard reads "
        "none of it), and "
        f"{seeded['application_create']['count']} applications made through the services "
        "(`application_create` plans and assigns the loop, `loop_schedule_day` two days ago, "
        f"`scorecard_start`) whose {len(seeded['cards']['draft'])} + "
        f"{len(seeded['cards']['submit'])} scorecards the draft and submit phases write "
        f"({seeded['interviewers']} interviewers, weekly caps lifted). The dashboard user sits "
        "on every requisition's committee (the committee-member visibility rule applies).",
        "",
        goals_summary(phases, queries),
        "",
        "### Endpoints",
        "",
        "| endpoint | requests | errors | req/s | x floor | p50 ms | p99 ms | server ms "
        "| CPU ms/req web + db | x floor by CPU | queries | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    floor_cpu = sum(floor.cpu_ms())
    labels = {
        "floor": "floor: trivial JSON view",
        **{name: label for name, (label, _) in DASHBOARD.items()},
        "draft": "PUT /api/scorecards/{id}/draft/",
        "draft_one": "the same draft saves on 1 connection",
        "submit": "POST /api/scorecards/{id}/submit/",
        "floor_after": "floor again, after the writes",
    }
    for name, phase in phases.items():
        share = phase.throughput / floor.throughput if floor.throughput else 0.0
        p99 = phase.percentile_ms(0.99)
        goal = ""
        if name in ("draft", "submit"):
            goal = (
                f"x floor >= {FLOOR_SHARE_GOAL}: {_verdict(share >= FLOOR_SHARE_GOAL)}; "
                f"p99 < {P99_GOAL_MS:.0f} ms: {_verdict(p99 < P99_GOAL_MS)}"
            )
        inprocess = queries.get(name.removesuffix("_after").removesuffix("_one"), {})
        server_ms = inprocess.get("median_ms")
        web_ms, database_ms = phase.cpu_ms()
        lines.append(
            f"| {labels[name]} | {phase.requests:,} | {phase.errors} | {phase.throughput:,.0f} "
            f"| {share:.2f} | {phase.percentile_ms(0.5):.1f} | {p99:.1f} "
            f"| {'' if server_ms is None else f'{server_ms:.1f}'} "
            f"| {web_ms:.1f} + {database_ms:.1f} | {floor_cpu / (web_ms + database_ms):.3f} "
            f"| {inprocess.get('queries', '')} | {goal} |"
        )
    submit = phases["submit"]
    pool = len(seeded["cards"]["submit"])
    lines += [
        "",
        "req/s, p50 and p99: measured by the client under load, so they include queueing for "
        "a free worker and whatever else the machine runs. CPU ms/req: CPU time the gunicorn "
        "workers (web) and the bench database's PostgreSQL backends (db) used during the phase, "
        "per request (from /proc); x floor by CPU: the floor's CPU per request over the "
        "endpoint's, the throughput ratio a machine with nothing else to do would approach. "
        "Server ms: the median time of one request at a time, in-process "
        f"(Django's test client on the same database, no HTTP; {queries['draft']['repeats']} "
        f"draft saves, {queries['submit']['repeats']} submits of spare scorecards). Queries: "
        "per request, counted in-process with `CaptureQueriesContext` (BEGIN, COMMIT and "
        "savepoints count). "
        f"The submit phase ends when its {pool} prepared scorecards run out "
        f"({submit.requests} sent) or at the time bound, whichever comes first.",
        "",
        "### Committee dashboard against raw SQL",
        "",
        "The raw-SQL views (`tests/bench/views.py`, only in the bench URLconf) read the same first "
        "25 packets, in the same order, with the same columns and the total, in one hand-written "
        "query, and render them without templates or serializers; "
        f"API and raw JSON return the same rows: {'yes' if identical else '**no**'}. "
        "Server time: median of "
        f"{queries['page']['repeats']} requests in-process (no HTTP, no queueing), one at a time.",
        "",
        "| view | queries | server time ms | x raw | CPU ms/req web + db | x raw by CPU "
        f"| req/s ({arguments.connections} conns) | p99 ms | goal: server time within "
        f"{RAW_RATIO_GOAL:.0f}x raw |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, raw in (
        ("page", "raw_page"),
        ("api", "raw_json"),
        ("raw_page", ""),
        ("raw_json", ""),
    ):
        median = queries[name]["median_ms"]
        ratio = median / queries[raw]["median_ms"] if raw else 1.0
        web_ms, database_ms = phases[name].cpu_ms()
        cpu_ratio = (web_ms + database_ms) / sum(phases[raw].cpu_ms()) if raw else 1.0
        goal = f"{_verdict(ratio <= RAW_RATIO_GOAL)}" if raw else "(reference)"
        lines.append(
            f"| {labels[name]} | {queries[name]['queries']} | {median:.1f} | {ratio:.1f} "
            f"| {web_ms:.1f} + {database_ms:.1f} | {cpu_ratio:.1f} "
            f"| {phases[name].throughput:,.0f} | {phases[name].percentile_ms(0.99):.1f} | {goal} |"
        )
    refit = refresh["refit"]
    create = seeded["application_create"]
    lines += [
        "",
        "### Aggregation and loop planning against the database (in-process)",
        "",
        "| operation | median | max | notes |",
        "| --- | ---: | ---: | --- |",
        f"| `packet_refresh`, first computation, no calibration yet | "
        f"{refresh['first_median_ms']:.1f} ms | {refresh['first_max_ms']:.1f} ms | "
        f"{refresh['packets']} packets with every scorecard submitted through the services; fits "
        "the model on the packet's own ratings |",
        f"| `packet_refresh`, inputs unchanged | {refresh['noop_median_ms']:.1f} ms | | the hash "
        "matches; nothing is recomputed |",
        f"| `packet_refresh` against a calibration | {refresh['calibrated_median_ms']:.1f} ms | "
        f"{refresh['calibrated_max_ms']:.1f} ms | after the refit below, as the sweep does |",
        f"| `calibration_refit` | {refit['seconds'] * 1000:.0f} ms | | {refit['scorecards']:,} "
        f"submitted scorecards, {refit['ratings']:,} rating rows (with the overall "
        f"recommendations), method {refit['method']}; the fit itself at 500k ratings is in the "
        "aggregation section above |",
        f"| `application_create` (plan + assign a loop) | {create['median_ms']:.0f} ms | "
        f"{create['max_ms']:.0f} ms | {create['count']} applications while seeding; the planner "
        "alone is in the loop planner section |",
        "",
        "Refit at 500k ratings: `fit_rater_effects` on 501k competency ratings is timed in the "
        "*Aggregation engine* section (goal: under 10 s). Loop planning: 1,000 loops with "
        "`plan_loop` are timed in the *Loop planner* section (goal: under 5 s). `make bench` "
        "runs all three benchmarks.",
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace only the text between the markers; create the file or section if absent."""
    block = f"{START_MARKER}\n{section}\n{END_MARKER}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START_MARKER in text and END_MARKER in text:
        head, rest = text.split(START_MARKER, 1)
        _, tail = rest.split(END_MARKER, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", type=Path, help="Markdown file whose http section to replace")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase at most")
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="requests per phase at most"
    )
    parser.add_argument("--bulk", type=int, default=10_000, help="bulk-created dashboard packets")
    parser.add_argument("--submit-apps", type=int, default=120, help="applications to submit")
    parser.add_argument("--refresh-apps", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="per worker, with gthread")
    parser.add_argument(
        "--work-dir", type=Path, help="keep the seed, query and gunicorn files here"
    )
    arguments = parser.parse_args(argv)
    given = list(argv if argv is not None else sys.argv[1:])
    if "--work-dir" in given:  # where scratch files went says nothing about the figures
        del given[given.index("--work-dir") : given.index("--work-dir") + 2]
    arguments.command_line = " ".join([".venv/bin/python -m tests.bench.bench_http", *given])

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    reason = services_unreachable(database_url, redis_url)
    if reason is not None:
        print(f"bench_http skipped: {reason}.")
        return 0

    load_before = os.getloadavg()[0]
    env = bench_env(database_url, redis_url)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if arguments.work_dir is not None:
            work = arguments.work_dir
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-http-")))
        print(f"bench_http: recreating {urlsplit(database_url).path.lstrip('/')}", flush=True)
        database_recreate(database_url)
        _redis_command(redis_url, "FLUSHDB")
        django_run(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
        django_run(env, "manage.py", "import_role_profiles", "--verbosity", "0")
        print("bench_http: seeding", flush=True)
        seeded = tasks_run(
            env,
            work,
            "seed",
            "--bulk",
            str(arguments.bulk),
            "--submit-apps",
            str(arguments.submit_apps),
            "--refresh-apps",
            str(arguments.refresh_apps),
        )
        database_analyze(database_url)
        print(f"bench_http: seeded in {seeded['seconds']:.0f} s; counting queries", flush=True)
        queries = tasks_run(env, work, "queries", "--seed", str(work / "seed.json"))
        server = gunicorn_start(env, work, arguments)
        print(f"bench_http: gunicorn on port {server.port}; load", flush=True)
        try:
            meter = CpuMeter(master=server.process.pid, database_url=database_url)
            phases, identical = load_run(server.port, seeded, arguments, meter)
        finally:
            gunicorn_stop(server)
        print("bench_http: packet refresh and refit", flush=True)
        refresh = tasks_run(env, work, "refresh", "--seed", str(work / "seed.json"))
        _redis_command(redis_url, "FLUSHDB")
        section = report(
            phases=phases,
            identical=identical,
            seeded=seeded,
            queries=queries,
            refresh=refresh,
            facts=machine(database_url, redis_url),
            load=(load_before, os.getloadavg()[0]),
            arguments=arguments,
            server=server.command,
        )
    print(f"bench_http: done in {time.perf_counter() - started:.0f} s\n")
    print(section)
    if arguments.write is not None:
        write_section(arguments.write, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
