"""Fixtures for the hiring tests: the real Celery worker (see tests/worker.py)."""

from tests.worker import celery_worker_process, pytest_runtest_makereport

__all__ = ["celery_worker_process", "pytest_runtest_makereport"]
