"""A real Celery worker process for integration tests, and a way to wait on what it does.

Eager mode runs a task in the test's own process and transaction, which hides exactly what these
tests are for: serialisation through the broker, a separate database connection, `acks_late`,
retries, a worker dying mid-task. The `celery_worker_process` fixture starts
`celery -A config worker` as a subprocess against the test's own PostgreSQL database and the
configured Redis broker, with mail written to files the test can read.

Use it only from tests marked `postgres` and `redis` and
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the worker is another process,
so it sees only committed rows (and an in-memory SQLite database not at all); the serialized
rollback restores what the migrations created once the flush at the end of the test removes it.
Register the fixture and the report hook by importing both in a conftest (tests/hiring/conftest.py
does).
"""

from __future__ import annotations

import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import Queue

from config.celery import app

T = TypeVar("T")

QUEUES = ("default", "notifications", "aggregation")
READY_SECONDS = 30.0
STOP_SECONDS = 10.0
PROJECT_DIR = Path(settings.BASE_DIR)


def wait_until(
    check: Callable[[], T | None], *, timeout: float = 30.0, interval: float = 0.1, what: str = ""
) -> T:
    """Poll `check` until it returns something truthy, and return that; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what or check!r}")
        time.sleep(interval)


def database_url() -> str:
    """A URL for the database this test runs on (pytest-django's test_<name>), for another
    process."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("a worker process can only share a PostgreSQL test database")
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


def purge_queues(queues: tuple[str, ...] = QUEUES) -> int:
    """Drop messages waiting in the worker's queues, so one left by an earlier run cannot run
    against this test's database. Returns how many were dropped."""
    dropped = 0
    with app.connection_for_write() as broker:
        for name in queues:
            dropped += Queue(name, channel=broker.default_channel).purge() or 0
        # Tasks a killed worker never acknowledged wait here to be redelivered; drop them too.
        client = broker.default_channel.client  # type: ignore[attr-defined]  # the Redis channel
        dropped += client.hlen("unacked")
        client.delete("unacked", "unacked_index")
    return dropped


@dataclass
class CeleryWorker:
    """A handle on the worker subprocess: its Popen, its log, the folder its mail lands in."""

    log_path: Path
    mail_dir: Path
    env: dict[str, str]
    queues: tuple[str, ...] = QUEUES
    app_module: str = "config"
    node_name: str = field(
        default_factory=lambda: f"debrief-test-{uuid.uuid4().hex[:12]}@{socket.gethostname()}"
    )
    process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            self.app_module,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            ",".join(self.queues),
            "-n",
            self.node_name,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ]

    def start(self, *, timeout: float = READY_SECONDS) -> None:
        """Start the worker and return once it answers a ping."""
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, timeout=timeout, interval=0.2, what=f"worker {self.node_name}")

    def _ready(self) -> bool:
        process = self.process
        assert process is not None
        if process.poll() is not None:
            pytest.fail(
                f"the worker exited with {process.returncode} before it was ready:\n"
                + self.log_tail()
            )
        return bool(app.control.ping(destination=[self.node_name], timeout=0.5))

    def stop(self, *, timeout: float = STOP_SECONDS) -> int | None:
        """Warm shutdown (SIGTERM lets the current task finish), SIGKILL if it takes too long.
        Returns the exit code."""
        process = self.process
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait(timeout=timeout)

    def kill(self) -> int | None:
        """Die at once, as a worker does when its machine goes away (SIGKILL)."""
        process = self.process
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        os.kill(process.pid, signal.SIGKILL)
        return process.wait(timeout=STOP_SECONDS)

    def restart(self, *, timeout: float = READY_SECONDS) -> None:
        """Stop (if still running) and start again with the same node name, log and mail folder."""
        self.stop()
        self.start(timeout=timeout)

    def log_text(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def task_finished(self, task_id: str) -> str | None:
        """The worker's log line saying the task ended (succeeded, raised or will retry), if any.
        A success line ends with the task's return value."""
        for line in self.log_text().splitlines():
            if f"[{task_id}]" in line and any(
                word in line for word in (" succeeded in ", " raised ", " retry: ")
            ):
                return line
        return None

    def wait_for_task(self, task_id: str, *, timeout: float = 30.0) -> str:
        """Wait until the worker has run the task; return its log line."""
        return wait_until(
            lambda: self.task_finished(task_id), timeout=timeout, what=f"task {task_id}"
        )

    def sent_mail(self) -> list[Message]:
        """Every message the worker sent, in the order the files were written."""
        separator = b"\n" + b"-" * 79 + b"\n"
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda path: path.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(separator):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk))
        return messages


def worker_environment(mail_dir: Path) -> dict[str, str]:
    """The test run's environment, pointed at the test database, the broker and a mail folder."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def celery_worker_process(
    request: pytest.FixtureRequest, transactional_db: Any, tmp_path: Path
) -> Generator[CeleryWorker, None, None]:
    """A running worker on the default, notifications and aggregation queues, stopped before the
    test database is flushed. Its log tail is shown with a failure (see the hook below)."""
    missing = [
        name for name in ("postgres", "redis") if request.node.get_closest_marker(name) is None
    ]
    if missing:
        pytest.fail(f"a test using celery_worker_process must be marked {' and '.join(missing)}")
    mail_dir = tmp_path / "worker-mail"
    mail_dir.mkdir()
    worker = CeleryWorker(
        log_path=tmp_path / "worker.log",
        mail_dir=mail_dir,
        env=worker_environment(mail_dir),
    )
    purge_queues(worker.queues)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        purge_queues(worker.queues)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """When a test using a worker fails, show the worker's log tail with the failure."""
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, CeleryWorker):
                report.sections.append((f"celery worker log ({value.log_path})", value.log_tail()))
    return report


@contextlib.contextmanager
def broker_at(url: str, settings_fixture: Any) -> Generator[None, None, None]:
    """Point this process's Celery app at another broker (a closed port plays a stopped Redis,
    a socket that never answers a hung one), with eager mode off."""

    def fresh_pools() -> None:
        # Celery caches connection and producer pools built for the old URL.
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    eager = settings_fixture.CELERY_TASK_ALWAYS_EAGER
    original = app.conf.broker_url
    settings_fixture.CELERY_TASK_ALWAYS_EAGER = False
    # Celery prefers the CELERY_BROKER_URL environment variable over its configuration.
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
        app.conf.broker_url = url  # type: ignore[misc]
        fresh_pools()
        try:
            yield
        finally:
            app.conf.broker_url = original  # type: ignore[misc]
            settings_fixture.CELERY_TASK_ALWAYS_EAGER = eager
    fresh_pools()


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
