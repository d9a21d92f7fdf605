"""The aggregation pipeline in-process: stale marking, idempotent refresh, refits, and what a
broken broker does to a submission (nothing: the data is saved and the sweep recovers)."""

import socket
import threading
import time

import pytest
from rest_framework.test import APIClient

from hiring.models import Calibration, InterviewerCalibration, Packet, PacketStatus
from hiring.packets import calibration_refit, packet_refresh, packets_sweep_stale
from tests.hiring.builders import open_application, submit
from tests.worker import broker_at, closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_process(settings):
    """These tests run the pipeline in this process (embedded mode) even where a broker is
    configured; tests/hiring/test_packets_worker.py runs it through Redis and real workers."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def setup(small_rubric):
    return open_application(small_rubric)


def test_submitting_marks_the_packet_stale_and_enqueues_one_refresh_on_commit(
    setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        submit(setup, 1)

    packet = Packet.objects.get(application=setup.application)
    assert packet.stale
    assert packet.computations == 0
    assert len(callbacks) == 1


def test_the_refresh_computes_the_packet_once_per_set_of_inputs(
    setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(setup, 1, rating=4)

    packet = Packet.objects.get(application=setup.application)
    assert not packet.stale
    assert packet.status == PacketStatus.COLLECTING
    assert packet.computations == 1
    assert packet.result["n_interviews"] == 1
    assert 0.0 <= packet.result["p_above_bar"] <= 1.0
    again = packet_refresh(packet_id=packet.pk)
    assert again.computations == 1  # same inputs: nothing recomputed
    assert again.result == packet.result


def test_the_packet_is_ready_once_every_interview_has_feedback(
    setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for position in range(1, len(setup.interviews) + 1):
            submit(setup, position, rating=3)

    packet = Packet.objects.get(application=setup.application)
    assert packet.status == PacketStatus.READY
    assert packet.result["n_interviews"] == len(setup.interviews)
    assert packet.result["flags"]["coverage_gaps"] == []


def test_no_signal_is_missing_not_a_zero(setup, django_capture_on_commit_callbacks):
    first_focus = setup.interviews[0].focus_rows.select_related("competency").first()
    with django_capture_on_commit_callbacks(execute=True):
        submit(setup, 1, rating=4, no_signal={first_focus.competency.key})

    packet = Packet.objects.get(application=setup.application)
    assert packet.result["score"] > 3.0


def test_a_refit_stores_interviewer_calibration_and_refreshes_every_packet(
    small_rubric, django_capture_on_commit_callbacks
):
    setups = [open_application(small_rubric, email=f"c{n}@example.com") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for setup in setups:
            for position in range(1, len(setup.interviews) + 1):
                submit(setup, position, rating=3 + (position % 2))

    with django_capture_on_commit_callbacks(execute=True):
        calibration = calibration_refit()

    assert calibration.n_scorecards == sum(len(s.interviews) for s in setups)
    assert InterviewerCalibration.objects.filter(calibration=calibration).exists()
    for packet in Packet.objects.all():
        assert not packet.stale
        assert packet.calibration_id == calibration.pk
        assert packet.computations == 2


def test_the_sweep_refreshes_what_was_left_stale(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submit(setup, 1)  # the on-commit enqueue never ran: a lost message
    assert Packet.objects.get().stale

    swept = packets_sweep_stale()

    assert swept == 1
    assert not Packet.objects.get().stale


def api_submit(setup, position=1):
    client = APIClient()
    client.force_authenticate(setup.interviewer_user(position))
    card = client.post(f"/api/interviews/{setup.interviews[position - 1].pk}/scorecard/").json()
    body = {
        "version": card["version"],
        "ratings": [
            {"competency": r["competency"], "rating": 3, "evidence": "Seen."}
            for r in card["ratings"]
        ],
        "overall_recommendation": 3,
        "level_assessment": "at",
        "summary": "s",
    }
    return client.post(f"/api/scorecards/{card['id']}/submit/", body, format="json")


def test_a_stopped_broker_does_not_fail_a_submission(
    setup, settings, django_capture_on_commit_callbacks
):
    with (
        broker_at(f"redis://127.0.0.1:{closed_port()}/0", settings),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api_submit(setup)

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    packet = Packet.objects.get()
    assert packet.stale  # the refresh could not be enqueued; the sweep will find it
    if settings.CELERY_TASK_ALWAYS_EAGER:  # embedded mode: the sweep computes in-process
        packets_sweep_stale()
        assert not Packet.objects.get().stale


def test_a_broker_that_never_answers_cannot_hang_a_submission(
    setup, settings, django_capture_on_commit_callbacks
):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    accepted = []
    stop = threading.Event()

    def accept_and_say_nothing():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    try:
        with (
            broker_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", settings),
            django_capture_on_commit_callbacks(execute=True),
        ):
            started = time.monotonic()
            response = api_submit(setup)
            elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        silent.close()

    assert accepted, "the broker client did connect"
    assert response.status_code == 200
    assert Packet.objects.get().stale
    # Not a speed target: without socket timeouts this call would never return.
    assert elapsed < 20, f"the submission waited {elapsed:.1f} s on a silent broker"


def test_enough_new_scorecards_trigger_a_refit(setup, settings, django_capture_on_commit_callbacks):
    settings.CALIBRATION_REFIT_EVERY = 2
    with django_capture_on_commit_callbacks(execute=True):
        submit(setup, 1)
    assert not Calibration.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        submit(setup, 2)

    calibration = Calibration.objects.get()
    assert calibration.n_scorecards == 2
    assert Packet.objects.get().calibration_id == calibration.pk


def test_submits_that_cross_the_refit_threshold_together_cost_one_refit(
    setup, settings, django_capture_on_commit_callbacks
):
    """Each submit past the threshold enqueues a refit; the queued ones that run after the
    first find nothing new and do nothing. The nightly refit runs regardless."""
    from hiring.tasks import calibration_refit_task

    settings.CALIBRATION_REFIT_EVERY = 2
    with django_capture_on_commit_callbacks() as queued:  # enqueued, not run: a busy worker
        submit(setup, 1)
        submit(setup, 2)
        submit(setup, 3)
    assert not Calibration.objects.exists()

    for _ in queued:
        calibration_refit_task(only_if_due=True)

    assert Calibration.objects.count() == 1
    calibration_refit_task()
    assert Calibration.objects.count() == 2
