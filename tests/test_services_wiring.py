"""The settings wire Debrief to its services the way the deployment docs say."""

import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from config.celery import app
from rubrics.models import RoleProfile
from rubrics.services import role_profiles_import
from tests.rubrics.rubric_files import PROFILE, write_rubric


def test_embedded_default_runs_tasks_in_process_without_a_broker():
    assert (not settings.CELERY_BROKER_URL) == settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.redis
def test_the_broker_answers_within_the_configured_timeouts():
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        assert broker.connected
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_timeout"] <= 5
    assert options["socket_connect_timeout"] <= 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_imports_of_a_changed_profile_never_duplicate_a_version(tmp_path):
    """Two imports racing on PostgreSQL: row locks serialise them, so versions stay unique and
    exactly one is current."""
    role_profiles_import(paths=[write_rubric(tmp_path / "v1")])
    folders = [
        write_rubric(
            tmp_path / f"v{n}", profile=PROFILE.replace("Clear and concise.", f"Crisp {n}.")
        )
        for n in (2, 3)
    ]
    failures: list[BaseException] = []

    def run(folder):
        try:
            role_profiles_import(paths=[folder])
        except BaseException as exc:
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(folder,)) for folder in folders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not failures, failures
    versions = sorted(
        RoleProfile.objects.filter(key="test-engineer").values_list("version", "is_current")
    )
    assert versions == [(1, False), (2, False), (3, True)]
