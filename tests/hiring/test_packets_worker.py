"""The aggregation pipeline against PostgreSQL, Redis and real worker processes: what the
reliability contract promises when the broker or a worker fails."""

import pytest
from django.conf import settings

from config.celery import app
from hiring.models import Packet
from hiring.services import RatingInput, ScorecardInput, scorecard_start, scorecard_submit
from tests.hiring.builders import open_application
from tests.worker import (
    CeleryWorker,
    broker_at,
    closed_port,
    purge_queues,
    wait_until,
    worker_environment,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EVERYTHING = frozenset({"overall_recommendation", "level_assessment", "summary"})


def submit(setup, position=1):
    interview = setup.interviews[position - 1]
    user = setup.interviewer_user(position)
    card = scorecard_start(interview=interview, user=user)
    ratings = tuple(
        RatingInput(competency=row.competency.key, rating=3, evidence="Seen.")
        for row in interview.focus_rows.select_related("competency")
    )
    return scorecard_submit(
        scorecard=card,
        user=user,
        version=card.version,
        data=ScorecardInput(
            ratings=ratings,
            overall_recommendation=3,
            level_assessment="at",
            summary="s",
            fields_given=EVERYTHING,
        ),
    )


def computed(application):
    return Packet.objects.filter(application=application, stale=False, computations__gte=1).first()


def test_a_submission_is_aggregated_by_the_worker(small_rubric, celery_worker_process):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    setup = open_application(small_rubric)

    submit(setup)

    packet = wait_until(lambda: computed(setup.application), what="the computed packet")
    assert packet.result["n_interviews"] == 1
    assert packet.computations == 1


def test_a_duplicate_delivery_changes_nothing(small_rubric, celery_worker_process):
    setup = open_application(small_rubric)
    submit(setup)
    packet = wait_until(lambda: computed(setup.application), what="the computed packet")

    again = [app.send_task("hiring.packet_refresh", args=[packet.pk]) for _ in range(2)]
    for result in again:
        celery_worker_process.wait_for_task(result.id)

    after = Packet.objects.get(application=setup.application)
    assert Packet.objects.count() == 1
    assert after.computations == 1
    assert after.result == packet.result
    assert after.inputs_hash == packet.inputs_hash


def test_a_broker_outage_delays_the_packet_and_loses_nothing(
    small_rubric, settings, celery_worker_process
):
    setup = open_application(small_rubric)

    with broker_at(f"redis://127.0.0.1:{closed_port()}/0", settings):
        card = submit(setup)  # the enqueue on commit fails; the submission stands

    assert card.status == "submitted"
    assert Packet.objects.get(application=setup.application).stale
    sweep = app.send_task("hiring.packet_sweep_stale")  # what beat runs every minute
    celery_worker_process.wait_for_task(sweep.id)
    packet = wait_until(lambda: computed(setup.application), what="the swept packet")
    assert packet.computations == 1


def test_a_worker_killed_mid_task_still_ends_with_the_packet_computed_once(small_rubric, tmp_path):
    setup = open_application(small_rubric)
    mail = tmp_path / "mail"
    mail.mkdir()
    quick_redelivery = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    slow = CeleryWorker(
        log_path=tmp_path / "slow.log",
        mail_dir=mail,
        app_module="tests.slow_worker",
        env={**worker_environment(mail), **quick_redelivery, "DEBRIEF_TEST_PACKET_DELAY": "60"},
    )
    healthy = CeleryWorker(
        log_path=tmp_path / "healthy.log",
        mail_dir=mail,
        env={**worker_environment(mail), **quick_redelivery},
    )
    purge_queues()
    slow.start()
    try:
        submit(setup)
        wait_until(
            lambda: "slow packet refresh started" in slow.log_text(),
            what="the slow worker to start the refresh",
        )
        slow.kill()
        packet = Packet.objects.get(application=setup.application)
        assert packet.stale
        assert packet.computations == 0  # the killed transaction left nothing behind

        healthy.start()
        packet = wait_until(
            lambda: computed(setup.application), timeout=90, what="the redelivered refresh"
        )
    finally:
        slow.kill()
        healthy.stop()
        purge_queues()

    assert packet.computations == 1
    assert Packet.objects.filter(application=setup.application).count() == 1
