"""Data retention: anonymisation after the retention period and erasure on request remove the
person from every row while the ratings, packets, calibration and reports stay exactly as they
were; the export hands over what is held; the commands drive all of it."""

import io
import json
import os
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hiring import committee
from hiring.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Candidate,
    CompetencyRating,
    Decision,
    InterviewerCalibration,
    Packet,
    Scorecard,
    ScorecardRevision,
    SelfIdentification,
    Vote,
)
from hiring.packets import calibration_refit
from hiring.reports import (
    adverse_impact_report,
    funnel_report,
    interviewer_calibration_report,
    question_exposure_report,
    reliability_report,
)
from hiring.retention import (
    candidate_anonymise,
    candidate_erase,
    candidate_pattern,
    candidates_anonymise_due,
    scrub_text,
)
from hiring.services import (
    ScorecardInput,
    candidate_update,
    scorecard_amend,
    self_identification_record,
)
from hiring.tasks import retention_anonymise_task
from loops.models import InterviewerConflict, Loop
from tests.factories import UserFactory
from tests.factories.committee import DecisionFactory, PacketFactory
from tests.factories.hiring import ApplicationFactory, CandidateFactory, RequisitionFactory
from tests.factories.loops import InterviewerConflictFactory
from tests.hiring.builders import open_application, submit

pytestmark = pytest.mark.django_db

# Names no factory's Faker would produce, so a hit in the dump can only be this person.
NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.q@example.org"
PHONE = "+44 20 7946 0958"
RESUME = "https://cv.example.org/zq-2026.pdf"
PII = re.compile(r"(?<!\w)(zephyrine|quillfeather|zephyrine\.q)(?!\w)", re.IGNORECASE)


@pytest.fixture(autouse=True)
def in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CANDIDATE_RETENTION_DAYS = 365


def member(username, *groups):
    user = UserFactory(username=username)
    for name in ("committee member", *groups):
        user.groups.add(Group.objects.get(name=name))
    return user


@dataclass
class World:
    subject: Candidate
    """Rejected by the committee; every kind of row mentions them."""
    other: Candidate
    """Rejected too; their texts must stay as they are."""
    interviewing: Candidate
    """Still in their loop."""
    chair: object


def person(small_rubric, *, slug, name, email, phone, committee_members, rating, evidence):
    """An application through the real services: loop planned and assigned, feedback submitted.
    The builder names every candidate Ada Lovelace, so each gets its own name and address the way
    a recruiter would correct them, and its loop the title application_create gives that name."""
    setup = open_application(
        small_rubric, email=f"{slug}@builder.test", committee=committee_members
    )
    candidate = candidate_update(
        candidate=setup.application.candidate, name=name, email=email, phone=phone
    )
    Loop.objects.filter(pk=setup.application.loop_id).update(title=f"{name}: Senior MLE, Search")
    for position in range(1, len(setup.interviews) + 1):
        submit(setup, position, rating=rating(position), evidence=evidence)
    return setup, candidate


def decide(packet, chair, members, *, rationale):
    packet.refresh_from_db()
    for voter in members:
        committee.vote_cast(
            packet=packet,
            user=voter,
            choice="no_hire",
            level=packet.application.requisition.level,
            rationale=rationale,
        )
    return committee.decision_record(
        packet=packet,
        user=chair,
        outcome="no_hire",
        level=packet.application.requisition.level,
        rationale=rationale,
    )


def self_identified_applicants(requisition, gender, statuses):
    for n, status in enumerate(statuses):
        candidate = CandidateFactory(name=f"Applicant {gender} {n}")
        self_identification_record(candidate=candidate, gender=gender)
        ApplicationFactory(candidate=candidate, requisition=requisition, loop=None, status=status)


@pytest.fixture
def world(small_rubric, django_capture_on_commit_callbacks):
    from tests.conftest import roles_present

    roles_present()
    cm, chair = member("cm"), member("chair", "committee chair")
    with django_capture_on_commit_callbacks(execute=True):
        subject_setup, subject = person(
            small_rubric,
            slug="subject",
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            committee_members=[cm, chair],
            rating=lambda position: 2 + position % 2,
            evidence=f"Zephyrine sketched the ranking system; {EMAIL} sent the notebook after.",
        )
        _, other = person(
            small_rubric,
            slug="other",
            name="Bartholomew Ostrander",
            email="b.ostrander@example.org",
            phone="+44 20 7946 0001",
            committee_members=[cm, chair],
            rating=lambda position: 1 + position % 3,
            evidence="Bartholomew reasoned about recall with numbers.",
        )
        interviewing_setup, interviewing = person(
            small_rubric,
            slug="interviewing",
            name="Cordelia Fenwright",
            email="c.fenwright@example.org",
            phone="+44 20 7946 0002",
            committee_members=[cm, chair],
            rating=lambda position: 3 + position % 2,
            evidence="Cordelia asked sharp questions.",
        )
        first = subject_setup.interviews[0]
        card = Scorecard.objects.get(interview=first)
        scorecard_amend(
            scorecard=card,
            user=subject_setup.interviewer_user(1),
            version=card.version,
            reason="Quillfeather's second answer was about latency, not recall.",
            data=ScorecardInput(
                summary="zephyrine QUILLFEATHER: solid on design, thin on evaluation.",
                fields_given=frozenset({"summary"}),
            ),
        )
        calibration_refit()
    for candidate in (subject, other):
        decide(
            Packet.objects.get(application__candidate=candidate),
            chair,
            [cm],
            rationale=f"{candidate.name.split()[0]} is not at IC3 yet on evaluation.",
        )
    # Their interviewer conflict, recorded later, under another spelling of the address.
    InterviewerConflictFactory(
        interviewer=interviewing_setup.interviews[0].interviewer, email=EMAIL.upper()
    )
    candidate_update(candidate=subject, resume_url=RESUME)
    LogEntry.objects.create(
        user=chair,
        content_type=ContentType.objects.get_for_model(Candidate),
        object_id=str(subject.pk),
        object_repr=str(subject),
        action_flag=CHANGE,
        change_message=f"Changed email to {EMAIL}.",
    )
    requisition = subject_setup.application.requisition
    self_identification_record(candidate=subject, gender="woman")
    self_identified_applicants(
        requisition, "woman", ["offer", "offer", "hired", "rejected", "rejected"]
    )
    self_identified_applicants(requisition, "man", ["offer", "rejected", "rejected", "rejected"])
    self_identification_record(candidate=other, gender="man")
    self_identification_record(candidate=interviewing, gender="man")
    return World(subject=subject, other=other, interviewing=interviewing, chair=chair)


NOW = timezone.now() + timedelta(days=1)


def statistics():
    """Every number built on the ratings: the packets and the five reports."""
    return {
        "packets": list(
            Packet.objects.order_by("pk").values_list(
                "pk", "result", "p_above_bar", "inputs_hash", "computations", "status"
            )
        ),
        "calibration": interviewer_calibration_report(now=NOW),
        "reliability": reliability_report(),
        "exposure": question_exposure_report(now=NOW),
        "funnel": funnel_report(),
        "impact": adverse_impact_report(),
    }


def refit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        calibration = calibration_refit()
    leniencies = sorted(
        InterviewerCalibration.objects.filter(calibration=calibration).values_list(
            "interviewer_id", "leniency", "leniency_lower", "leniency_upper", "noise_sd"
        )
    )
    return calibration.parameters, leniencies


def database_dump():
    """Every row of every table, as `dumpdata` writes them."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def ratings_of(candidate):
    return sorted(
        CompetencyRating.objects.filter(
            scorecard__interview__loop__application__candidate=candidate
        ).values_list("pk", "rating", "no_signal")
    )


def texts_of(candidate):
    return sorted(
        CompetencyRating.objects.filter(
            scorecard__interview__loop__application__candidate=candidate
        ).values_list("evidence", flat=True)
    )


# --- finding the person in text -------------------------------------------------------------------


def test_the_scrub_finds_the_name_parts_and_the_address_as_whole_words():
    pattern = candidate_pattern(name="Zephyrine  Quillfeather", email="Zephyrine.Q@example.org")

    text = (
        "ZEPHYRINE's design was clear; zephyrine.q@EXAMPLE.org sent it. Zephyrine Quillfeather "
        "and Zephyrine   Quillfeather; zephyrinesque stays."
    )

    assert scrub_text(text, pattern) == (
        "[candidate]'s design was clear; [candidate] sent it. [candidate] and [candidate]; "
        "zephyrinesque stays."
    )


def test_name_parts_under_three_letters_are_left_in_the_text():
    pattern = candidate_pattern(name="Li Quillfeather", email="lq@example.org")

    assert (
        scrub_text("Li said Quillfeather argued well", pattern) == "Li said [candidate] argued well"
    )


# --- anonymisation --------------------------------------------------------------------------------


def test_anonymising_removes_the_person_from_every_row_and_keeps_every_statistic(
    world, django_capture_on_commit_callbacks
):
    dump = database_dump()
    assert PII.search(dump)  # the test data does mention them everywhere
    assert PHONE in dump
    assert RESUME in dump
    parameters, leniencies = refit(django_capture_on_commit_callbacks)
    before = statistics()
    ratings = ratings_of(world.subject)
    other_texts = texts_of(world.other)

    result = candidate_anonymise(candidate=world.subject, reason="retention")

    dump = database_dump()
    assert not PII.search(dump), PII.search(dump)
    assert EMAIL not in dump.lower()
    assert PHONE not in dump
    assert RESUME not in dump
    subject = Candidate.objects.get(pk=world.subject.pk)
    assert subject.name == f"Anonymised candidate #{subject.pk}"
    assert subject.email == f"anonymised-{subject.pk}@anonymised.invalid"
    assert (subject.phone, subject.resume_url) == ("", "")
    assert subject.anonymised_at is not None
    assert result.texts_scrubbed > 0
    assert result.conflicts_deleted == 1
    assert not InterviewerConflict.objects.filter(email__iexact=EMAIL).exists()
    assert set(texts_of(world.subject)) == {
        "[candidate] sketched the ranking system; [candidate] sent the notebook after."
    }
    assert texts_of(world.other) == other_texts
    assert SelfIdentification.objects.get(candidate=subject).gender == "woman"
    # Everything computed from the ratings is as it was, and a new fit finds the same people.
    assert ratings_of(subject) == ratings
    after = statistics()
    for key, value in before.items():
        assert after[key] == value, key
    assert refit(django_capture_on_commit_callbacks) == (parameters, leniencies)
    assert [row[1] for row in statistics()["packets"]] == [row[1] for row in before["packets"]]
    event = AuditEvent.objects.get(action="candidate_anonymised")
    assert event.object_id == str(subject.pk)
    assert event.detail["reason"] == "retention"


def test_anonymising_again_changes_nothing_and_erasing_afterwards_completes_the_job(world):
    candidate_anonymise(candidate=world.subject, reason="retention")
    dump = database_dump()

    again = candidate_anonymise(candidate=world.subject, reason="retention")

    assert again.anonymised_now is False
    assert database_dump() == dump
    assert AuditEvent.objects.filter(action="candidate_anonymised").count() == 1

    erased = candidate_erase(candidate=world.subject)

    assert erased.anonymised_now is False
    assert erased.self_identification_deleted
    assert set(texts_of(world.subject)) == {"[erased]"}
    assert candidate_erase(candidate=world.subject).texts_erased == 0


# --- erasure --------------------------------------------------------------------------------------


def test_erasing_removes_the_person_and_their_assessment_text_but_keeps_the_ratings(
    world, django_capture_on_commit_callbacks
):
    parameters, leniencies = refit(django_capture_on_commit_callbacks)
    before = statistics()
    ratings = ratings_of(world.subject)
    impact_before = {
        line.group: (line.applications, line.selected)
        for line in before["impact"].dimensions[0].groups
    }

    result = candidate_erase(candidate=world.subject)

    dump = database_dump()
    assert not PII.search(dump)
    assert PHONE not in dump
    assert not SelfIdentification.objects.filter(candidate=world.subject).exists()
    assert result.self_identification_deleted
    assert set(texts_of(world.subject)) == {"[erased]"}
    assert set(
        Scorecard.objects.filter(interview__loop__application__candidate=world.subject).values_list(
            "summary", flat=True
        )
    ) == {"[erased]"}
    assert set(
        Vote.objects.filter(packet__application__candidate=world.subject).values_list(
            "rationale", flat=True
        )
    ) == {"[erased]"}
    assert set(
        Decision.objects.filter(packet__application__candidate=world.subject).values_list(
            "rationale", flat=True
        )
    ) == {"[erased]"}
    for revision in ScorecardRevision.objects.filter(
        scorecard__interview__loop__application__candidate=world.subject
    ):
        assert {r["evidence"] for r in revision.snapshot["ratings"]} <= {"[erased]", ""}
    assert ratings_of(world.subject) == ratings
    after = statistics()
    for key in ("packets", "calibration", "reliability", "exposure", "funnel"):
        assert after[key] == before[key], key
    assert refit(django_capture_on_commit_callbacks) == (parameters, leniencies)
    # The adverse-impact report no longer counts them: their one rejection leaves "woman".
    impact_after = {
        line.group: (line.applications, line.selected)
        for line in after["impact"].dimensions[0].groups
    }
    assert impact_before["woman"] == (6, 3)
    assert impact_after == {**impact_before, "woman": (5, 3)}
    assert AuditEvent.objects.get(action="candidate_erased").detail["texts_erased"] > 0


def test_erasing_an_application_in_progress_needs_force_which_withdraws_it(world):
    with pytest.raises(ValidationError, match="still in progress"):
        candidate_erase(candidate=world.interviewing)

    kept = Candidate.objects.get(pk=world.interviewing.pk)
    assert kept.name == "Cordelia Fenwright"
    assert kept.anonymised_at is None
    assert not AuditEvent.objects.filter(action="candidate_erased").exists()

    result = candidate_erase(candidate=world.interviewing, force=True)

    assert result.applications_withdrawn == 1
    application = Application.objects.get(candidate=world.interviewing)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert "Cordelia" not in database_dump()


# --- export ---------------------------------------------------------------------------------------


def test_the_export_holds_the_persons_data_and_names_no_interviewer(world, tmp_path):
    path = tmp_path / "subject.json"
    out = io.StringIO()

    call_command("export_candidate", EMAIL.upper(), "--output", str(path), stdout=out)

    assert str(path) in out.getvalue()
    assert os.stat(path).st_mode & 0o777 == 0o600  # personal data: its owner's eyes only
    data = json.loads(path.read_text())

    assert data["candidate"]["name"] == NAME
    assert data["candidate"]["email"] == EMAIL
    assert data["candidate"]["phone"] == PHONE
    assert data["self_identification"]["gender"] == "woman"
    (application,) = data["applications"]
    assert application["status"] == "rejected"
    assert application["requisition"]["title"] == "Senior MLE, Search"
    interviews = Loop.objects.get(application__candidate=world.subject).interviews.count()
    assert len(application["interviews"]) == interviews
    assert len(application["scorecards"]) == interviews
    evidence = {r["evidence"] for card in application["scorecards"] for r in card["ratings"]}
    assert any("ranking system" in text for text in evidence)
    packet = Packet.objects.get(application__candidate=world.subject)
    assert application["packet"]["result"]["p_above_bar"] == packet.p_above_bar
    assert application["packet"]["decisions"][0]["outcome"] == "no_hire"
    assert application["packet"]["decisions"][0]["in_force"] is True
    assert application["packet"]["votes"][0]["rationale"].startswith("Zephyrine")
    text = json.dumps(data)
    for card in Scorecard.objects.filter(interview__loop__application__candidate=world.subject):
        assert card.interviewer.user.username not in text
    assert "chair" not in text
    assert AuditEvent.objects.filter(
        action="candidate_exported", object_id=str(world.subject.pk)
    ).exists()
    stdout = io.StringIO()
    call_command("export_candidate", str(world.subject.pk), stdout=stdout)
    assert json.loads(stdout.getvalue())["applications"] == data["applications"]


# --- the retention period -------------------------------------------------------------------------


def aged(candidate, *, days, statuses=(), decided_days=None, requisition):
    """A candidate with applications in these statuses, last changed `days` ago."""
    then = timezone.now() - timedelta(days=days)
    Candidate.objects.filter(pk=candidate.pk).update(created_at=then - timedelta(days=1))
    for status in statuses:
        application = ApplicationFactory(
            candidate=candidate, requisition=requisition(), loop=None, status=status
        )
        Application.objects.filter(pk=application.pk).update(updated_at=then)
        if decided_days is not None:
            decision = DecisionFactory(packet=PacketFactory(application=application))
            Decision.objects.filter(pk=decision.pk).update(
                decided_at=timezone.now() - timedelta(days=decided_days)
            )
    return candidate


def test_only_candidates_past_the_period_with_every_application_closed_are_anonymised(settings):
    shared = RequisitionFactory()

    def requisition():
        return RequisitionFactory(role_profile=shared.role_profile, level=shared.level)

    def make(name, **kwargs):
        return aged(CandidateFactory(name=name), requisition=requisition, **kwargs)

    due = [
        make("Old Rejected", days=400, statuses=["rejected"], decided_days=400),
        make("Old Withdrawn", days=400, statuses=["withdrawn", "rejected"]),
        make("Never Applied", days=400),
    ]
    kept = [
        make("Recent Rejected", days=30, statuses=["rejected"]),
        make("Decision Amended Lately", days=400, statuses=["rejected"], decided_days=5),
        make("Still Interviewing", days=400, statuses=["rejected", "interviewing"]),
        make("Offer Pending", days=400, statuses=["offer"]),
        make("Hired", days=400, statuses=["hired"]),
        make("Just Created", days=5),
    ]

    assert candidates_anonymise_due() == 3

    anonymised = set(
        Candidate.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {c.pk for c in due}
    assert not any(Candidate.objects.get(pk=c.pk).name.startswith("Anonymised") for c in kept)
    assert candidates_anonymise_due() == 0
    assert AuditEvent.objects.filter(action="candidate_anonymised").count() == 3

    # A shorter period reaches the rejection of a month ago, not the decision of five days ago.
    settings.CANDIDATE_RETENTION_DAYS = 20
    assert retention_anonymise_task.apply().get() == 1
    assert Candidate.objects.get(pk=kept[0].pk).anonymised_at is not None


def test_a_retention_of_zero_days_anonymises_nobody(settings):
    settings.CANDIDATE_RETENTION_DAYS = 0
    aged(CandidateFactory(), days=4000, requisition=RequisitionFactory)

    assert candidates_anonymise_due() == 0
    assert not Candidate.objects.filter(anonymised_at__isnull=False).exists()


def test_the_nightly_schedule_is_installed():
    task = PeriodicTask.objects.get(task="hiring.retention_anonymise")

    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "15")


# --- commands -------------------------------------------------------------------------------------


def test_erase_command_asks_first_and_reports_what_it_did(world, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("erase_candidate", EMAIL, stdout=io.StringIO())
    assert Candidate.objects.get(pk=world.subject.pk).name == NAME

    with pytest.raises(CommandError, match="still in progress"):
        call_command("erase_candidate", "c.fenwright@example.org", "--yes", stdout=io.StringIO())

    out = io.StringIO()
    call_command("erase_candidate", str(world.subject.pk), "--yes", stdout=out)

    report = out.getvalue()
    assert f"Erased candidate #{world.subject.pk}" in report
    assert "self-identification deleted" in report
    assert "1 interviewer conflict(s) deleted" in report
    assert Candidate.objects.get(pk=world.subject.pk).anonymised_at is not None


def test_commands_refuse_an_unknown_candidate(db):
    with pytest.raises(CommandError, match="No candidate"):
        call_command("export_candidate", "nobody@example.org")
    with pytest.raises(CommandError, match="No candidate"):
        call_command("erase_candidate", "404", "--yes")


def test_anonymise_due_command_lists_then_anonymises(settings):
    candidate = aged(
        CandidateFactory(name="Old Rejected"),
        days=400,
        statuses=["rejected"],
        requisition=RequisitionFactory,
    )
    out = io.StringIO()

    call_command("anonymise_due", "--dry-run", stdout=out)
    assert f"1 candidate(s) due after 365 days: #{candidate.pk}." in out.getvalue()
    assert Candidate.objects.get(pk=candidate.pk).anonymised_at is None

    out = io.StringIO()
    call_command("anonymise_due", stdout=out)
    assert "Anonymised 1 candidate(s)" in out.getvalue()
    assert Candidate.objects.get(pk=candidate.pk).anonymised_at is not None
