"""The Celery app for the worker-death test: every packet refresh first holds its row lock for
DEBRIEF_TEST_PACKET_DELAY seconds, long enough for the test to SIGKILL the worker mid-task.

Used only as `celery -A tests.slow_worker worker ...` by tests/hiring/test_packets_worker.py."""

import os
import sys
import time
from typing import Any

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _slow_down_packet_refresh(**_: Any) -> None:
    """Patched on the first task, once Django is set up in the worker."""
    import hiring.packets as packets

    if getattr(packets, "_slowed", False):
        return
    real = packets._packet_result
    delay = float(os.environ.get("DEBRIEF_TEST_PACKET_DELAY", "30"))

    def slow(*args: Any, **kwargs: Any) -> Any:
        print("slow packet refresh started", file=sys.stderr, flush=True)
        time.sleep(delay)
        return real(*args, **kwargs)

    packets._packet_result = slow
    packets._slowed = True  # type: ignore[attr-defined]
