"""The hiring reports: the numbers on each page, the CSV exports, who may see them, the
self-identification API, and a fixed number of queries per page however much data there is."""

import csv
import io
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from scipy import stats

from hiring import reports
from hiring.aggregation import krippendorff_alpha
from hiring.aggregation.fairness import MIN_GROUP_SIZE
from hiring.models import (
    ApplicationStatus,
    Calibration,
    Decision,
    InterviewerCalibration,
    Packet,
    SelfIdentification,
)
from hiring.packets import calibration_refit
from hiring.services import self_identification_record
from loops.models import InterviewStatus
from rubrics.models import QuestionStatus
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    CompetencyRatingFactory,
    InterviewerFactory,
    InterviewFactory,
    InterviewKindFactory,
    InterviewQuestionFactory,
    LoopFactory,
    QuestionFactory,
    RequisitionFactory,
    ScorecardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOURS = 24
PAGES = [
    "/reports/",
    "/reports/interviewer-calibration/",
    "/reports/reliability/",
    "/reports/question-exposure/",
    "/reports/funnel/",
    "/reports/adverse-impact/",
]
CSVS = [
    "/reports/interviewer-calibration.csv",
    "/reports/reliability.csv",
    "/reports/question-exposure.csv",
    "/reports/funnel.csv",
    "/reports/adverse-impact.csv",
]
APIS = [
    "/api/reports/interviewer-calibration/",
    "/api/reports/reliability/",
    "/api/reports/question-exposure/",
    "/api/reports/funnel/",
    "/api/reports/adverse-impact/",
]


@pytest.fixture(autouse=True)
def reminder_hours(settings):
    settings.SCORECARD_REMINDER_HOURS = HOURS


@pytest.fixture
def recruiter_client(user_in_role):
    client = Client()
    client.force_login(user_in_role("recruiter"))
    return client


@pytest.fixture
def requisition(db):
    return RequisitionFactory(title="Search MLE")


@pytest.fixture
def kind(requisition):
    return InterviewKindFactory(ladder=requisition.role_profile.ladder)


# --- building blocks ------------------------------------------------------------------------------


def person(name):
    return InterviewerFactory(user=UserFactory(username=name, first_name=name, last_name="Test"))


def application(requisition, **kwargs):
    return ApplicationFactory(requisition=requisition, **kwargs)


def interview(app, lead, kind, *, ended_ago=timedelta(days=5), **kwargs):
    ends_at = timezone.now() - ended_ago
    return InterviewFactory(
        loop=app.loop,
        kind=kind,
        interviewer=lead,
        starts_at=ends_at - timedelta(hours=1),
        ends_at=ends_at,
        status=kwargs.pop("status", InterviewStatus.COMPLETED),
        **kwargs,
    )


def scorecard(an_interview, by, ratings=None, *, overall=3, after=timedelta(hours=2), shadow=False):
    """A submitted scorecard, `after` the interview ended, rating each competency given (None is
    "no signal")."""
    card = ScorecardFactory(
        interview=an_interview,
        interviewer=by,
        is_shadow=shadow,
        submitted=True,
        submitted_at=an_interview.ends_at + after,
        overall_recommendation=overall,
    )
    for competency, rating in (ratings or {}).items():
        CompetencyRatingFactory(
            scorecard=card,
            competency=competency,
            rating=rating,
            no_signal=rating is None,
            no_signal_reason="Did not come up." if rating is None else "",
        )
    return card


def calibration_with(*entries):
    """A calibration holding (interviewer, leniency, lower, upper) rows, without fitting."""
    calibration = Calibration.objects.create(
        model_version="test",
        method="rater_effects",
        n_scorecards=10,
        n_ratings=30,
        parameters={},
    )
    for interviewer, leniency, lower, upper in entries:
        InterviewerCalibration.objects.create(
            calibration=calibration,
            interviewer=interviewer,
            leniency=leniency,
            leniency_lower=lower,
            leniency_upper=upper,
            noise_sd=0.5,
            n_interviews=4,
        )
    return calibration


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- interviewer calibration ----------------------------------------------------------------------


def test_calibration_page_says_when_there_is_no_calibration_yet(recruiter_client):
    page = recruiter_client.get("/reports/interviewer-calibration/")

    assert page.status_code == 200
    assert page.context["report"].calibration is None
    assert "No calibration yet" in page.content.decode()
    header, rows = read_csv(recruiter_client.get("/reports/interviewer-calibration.csv"))
    assert "leniency" in header
    assert rows == []


def test_a_planted_lenient_interviewer_shows_positive_leniency(recruiter_client, requisition):
    """Twelve candidates, three interviews each among four interviewers; one interviewer rates
    every candidate a point above what the others give the same candidate."""
    ml, design = CompetencyFactory(key="ml"), CompetencyFactory(key="design")
    kind = InterviewKindFactory(ladder=requisition.role_profile.ladder)
    panel = [person("Lenient"), person("Bea"), person("Cal"), person("Dee")]
    abilities = [2, 3, 2, 1, 3, 2, 3, 2, 1, 2, 3, 2]
    wobble = [0, 1, 0, -1, 0, 0, 1, -1, 0, 0, -1, 1]
    for n, ability in enumerate(abilities):
        app = application(requisition)
        for k in range(3):
            who = (n + k) % len(panel)
            shift = 1 if who == 0 else 0
            rating = min(4, max(1, ability + shift + wobble[(n + 2 * k + who) % len(wobble)]))
            other = min(4, max(1, ability + shift))
            an_interview = interview(app, panel[who], kind)
            scorecard(an_interview, panel[who], {ml: rating, design: other}, overall=rating)

    calibration = calibration_refit()
    page = recruiter_client.get("/reports/interviewer-calibration/")

    assert calibration.method == "rater_effects", calibration.reason
    report = page.context["report"]
    by_name = {row.name: row for row in report.rows}
    lenient = by_name["Lenient Test"]
    assert lenient.leniency > 0
    assert lenient.leniency == max(row.leniency for row in report.rows)
    assert lenient.leniency_lower < lenient.leniency < lenient.leniency_upper
    assert lenient.lean == "lenient"  # its whole interval is above zero
    assert report.rows[0] is lenient  # most lenient first
    assert lenient.volume == 9  # three interviews of each candidate it met
    content = page.content.decode()
    assert "<svg" in content
    assert "Lenient Test" in content


def test_volume_and_late_feedback_count_what_was_due(recruiter_client, requisition, kind):
    late_one, idle, outsider, other_lead = (
        person("Late"),
        person("Idle"),
        person("Outsider"),
        person("Lead"),
    )
    calibration_with((late_one, 0.4, 0.1, 0.7), (idle, -0.2, -0.6, 0.2))
    app = application(requisition)
    scorecard(interview(app, late_one, kind), late_one, after=timedelta(hours=2))  # on time
    scorecard(interview(app, late_one, kind), late_one, after=timedelta(hours=HOURS + 6))  # late
    interview(app, late_one, kind, ended_ago=timedelta(days=3))  # missing: late
    drafted = interview(app, late_one, kind, ended_ago=timedelta(days=3))
    ScorecardFactory(interview=drafted, interviewer=late_one)  # only a draft: late
    interview(app, late_one, kind, ended_ago=timedelta(hours=2))  # not due yet
    interview(
        app, late_one, kind, ended_ago=timedelta(days=3), status=InterviewStatus.CANCELLED
    )  # cancelled: nothing due
    shadowed = interview(app, other_lead, kind, shadow=late_one)
    scorecard(shadowed, late_one, shadow=True, after=timedelta(days=4))  # shadowing: not counted
    scorecard(interview(app, outsider, kind), outsider)  # not in the calibration

    page = recruiter_client.get("/reports/interviewer-calibration/")

    report = page.context["report"]
    assert [row.name for row in report.rows] == ["Late Test", "Idle Test"]
    late_row, idle_row = report.rows
    assert (late_row.volume, late_row.feedback_due, late_row.late) == (2, 4, 3)
    assert late_row.late_rate == pytest.approx(0.75)
    assert late_row.lean == "lenient"
    assert (idle_row.volume, idle_row.feedback_due, idle_row.late_rate) == (0, 0, None)
    assert idle_row.lean == ""
    content = page.content.decode()
    assert '75% <small class="muted">(3 of 4)</small>' in content
    assert "nothing due yet" in content
    _, rows = read_csv(recruiter_client.get("/reports/interviewer-calibration.csv"))
    assert rows[0]["interviewer"] == "Late Test"
    assert float(rows[0]["leniency"]) == pytest.approx(late_row.leniency)
    assert int(rows[0]["submitted_scorecards"]) == late_row.volume
    assert int(rows[0]["late"]) == late_row.late
    assert float(rows[0]["late_rate"]) == pytest.approx(late_row.late_rate)
    assert rows[1]["late_rate"] == ""


# --- reliability ----------------------------------------------------------------------------------


def rate_units(requisition, kind, competency, units, *, raters=None):
    """One application per unit; each value a different interviewer's submitted rating."""
    raters = raters or [
        person(f"{competency.key}-rater{n}") for n in range(max(len(unit) for unit in units))
    ]
    for unit in units:
        app = application(requisition)
        for rater, value in zip(raters, unit, strict=False):
            scorecard(interview(app, rater, kind), rater, {competency: value})
    return raters


def test_alpha_is_one_on_perfect_agreement(recruiter_client, requisition, kind):
    coding = CompetencyFactory(key="coding", name="Coding")
    raters = rate_units(requisition, kind, coding, [(3, 3), (2, 2), (4, 4), (1, 1)])
    noisy_app = application(requisition)  # neither shadows, drafts nor "no signal" count
    shadowed = interview(noisy_app, raters[0], kind)
    scorecard(shadowed, raters[1], {coding: 1}, shadow=True)
    drafted = interview(noisy_app, raters[1], kind)
    draft = ScorecardFactory(interview=drafted, interviewer=raters[1])
    CompetencyRatingFactory(scorecard=draft, competency=coding, rating=4)
    scorecard(interview(noisy_app, raters[0], kind), raters[0], {coding: None})

    page = recruiter_client.get("/reports/reliability/")

    (row,) = page.context["report"].rows
    assert row.alpha == pytest.approx(1.0)
    assert (row.units, row.pairable_units, row.pairable_ratings) == (4, 4, 8)
    assert row.verdict == "reliable"
    assert "1.00" in page.content.decode()


def test_alpha_groups_ratings_by_candidate_and_competency(requisition, kind):
    coding = CompetencyFactory(key="coding", name="Coding")
    rate_units(requisition, kind, coding, [(1, 2, 2), (3, 4), (2, 2), (4,)])

    (row,) = reports.reliability_report().rows

    expected = krippendorff_alpha(
        [[1, 2, 2], [3, 4, np.nan], [2, 2, np.nan]], "ordinal"
    )  # the single rating of the fourth candidate pairs with nothing
    assert row.alpha == pytest.approx(expected)
    assert row.alpha < 1.0
    assert (row.units, row.pairable_units, row.pairable_ratings) == (4, 3, 7)


def test_alpha_needs_two_pairable_units_and_some_variation(recruiter_client, requisition, kind):
    thin = CompetencyFactory(key="thin", name="Thin")
    flat = CompetencyFactory(key="flat", name="Flat")
    rate_units(requisition, kind, thin, [(3, 2), (4,)])
    rate_units(requisition, kind, flat, [(3, 3), (3, 3)])

    page = recruiter_client.get("/reports/reliability/")

    rows = {row.competency_key: row for row in page.context["report"].rows}
    assert rows["thin"].alpha is None
    assert rows["thin"].note == "not enough data"
    assert rows["flat"].alpha is None
    assert rows["flat"].note == "ratings do not vary"
    content = page.content.decode()
    assert "not enough data" in content
    _, csv_rows = read_csv(recruiter_client.get("/reports/reliability.csv"))
    by_key = {row["competency"]: row for row in csv_rows}
    assert by_key["thin"]["alpha"] == ""
    assert by_key["thin"]["note"] == "not enough data"
    assert int(by_key["flat"]["pairable_ratings"]) == 4


# --- question bank --------------------------------------------------------------------------------


def ask(app, kind, *questions, status=InterviewStatus.COMPLETED):
    an_interview = InterviewFactory(loop=app.loop, kind=kind, status=status)
    for question in questions:
        InterviewQuestionFactory(interview=an_interview, question=question)
    return an_interview


def test_a_question_asked_in_every_loop_is_over_exposed(recruiter_client, requisition, kind):
    probing = CompetencyFactory(key="probing", name="Probing")
    everywhere, once, never = (
        QuestionFactory(key=f"probing-{name}", competency=probing)
        for name in ("everywhere", "once", "never")
    )
    QuestionFactory(key="probing-retired", competency=probing, status="retired")
    repeat_candidate = CandidateFactory()
    apps = [application(requisition, candidate=repeat_candidate)]
    apps.append(application(RequisitionFactory(), candidate=repeat_candidate))
    apps += [application(requisition) for _ in range(2)]
    for app in apps:
        ask(app, kind, everywhere)
    ask(apps[0], kind, once)
    ask(apps[1], kind, never, status=InterviewStatus.CANCELLED)  # cancelled: never asked
    designer_loop = LoopFactory()  # planned in the designer, no candidate: exposes nobody
    InterviewQuestionFactory(interview=InterviewFactory(loop=designer_loop), question=never)

    page = recruiter_client.get("/reports/question-exposure/")

    report = page.context["report"]
    rows = {row.key: row for row in report.rows}
    assert report.total_loops == 4
    assert (rows["probing-everywhere"].times_used, rows["probing-everywhere"].candidates) == (4, 3)
    assert rows["probing-everywhere"].share_of_loops == pytest.approx(1.0)
    assert rows["probing-everywhere"].over_exposed
    assert rows["probing-once"].share_of_competency_loops == pytest.approx(0.25)
    assert not rows["probing-once"].over_exposed  # a quarter is not more than a quarter
    assert rows["probing-never"].times_used == 0
    assert rows["probing-never"].unused
    assert not rows["probing-retired"].unused  # retired questions are not expected to be used
    assert rows["probing-retired"].status == QuestionStatus.RETIRED
    assert rows["probing-everywhere"].last_used is not None
    assert (report.over_exposed, report.unused) == (1, 1)
    content = page.content.decode()
    assert "over-exposed</span>" in content
    _, csv_rows = read_csv(recruiter_client.get("/reports/question-exposure.csv"))
    by_key = {row["question"]: row for row in csv_rows}
    assert by_key["probing-everywhere"]["over_exposed"] == "yes"
    assert int(by_key["probing-everywhere"]["times_used"]) == 4
    assert int(by_key["probing-everywhere"]["candidates"]) == 3
    assert float(by_key["probing-once"]["share_of_loops"]) == pytest.approx(0.25)
    assert by_key["probing-never"]["unused"] == "yes"


def test_few_loops_flag_nothing_and_the_period_leaves_old_loops_out(
    recruiter_client, requisition, kind
):
    question = QuestionFactory(key="only-one")
    apps = [application(requisition) for _ in range(reports.OVER_EXPOSURE_MIN_LOOPS - 1)]
    for app in apps:
        ask(app, kind, question)
    old = apps[0].loop
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))

    everything = reports.question_exposure_report()
    last_year = recruiter_client.get("/reports/question-exposure/?days=365").context["report"]

    assert everything.rows[0].share_of_competency_loops == pytest.approx(1.0)
    assert not everything.rows[0].over_exposed  # too few loops to tell
    assert (everything.total_loops, last_year.total_loops) == (3, 2)
    assert last_year.rows[0].times_used == 2
    assert recruiter_client.get("/reports/question-exposure/?days=7").status_code == 400
    assert recruiter_client.get("/reports/question-exposure/?days=x").status_code == 400


# --- funnel ---------------------------------------------------------------------------------------


@pytest.fixture
def funnel_data(requisition):
    """Alpha: 10 applications at every stage; Beta: 2 interviewing."""
    status = ApplicationStatus
    application(requisition, loop=None, status=status.APPLIED)
    for current in (
        status.INTERVIEWING,
        status.INTERVIEWING,
        status.DEBRIEF,
        status.OFFER,
        status.HIRED,
        status.REJECTED,  # rejected with a loop: reached interviews
    ):
        application(requisition, status=current)
    application(requisition, loop=None, status=status.REJECTED)  # rejected before interviews
    ready = application(requisition, status=status.REJECTED)
    Packet.objects.create(application=ready, ready_at=timezone.now())  # reached committee review
    offered = application(requisition, status=status.WITHDRAWN)
    packet = Packet.objects.create(application=offered, ready_at=timezone.now())
    packet.current_decision = Decision.objects.create(
        packet=packet, version=1, outcome="hire", level=requisition.level, decided_by=UserFactory()
    )
    packet.save()  # withdrew after the hire decision: reached the offer
    beta = RequisitionFactory(title="Beta team")
    for _ in range(2):
        application(beta, status=status.INTERVIEWING)
    return requisition, beta


def test_funnel_counts_stages_and_conversions(recruiter_client, funnel_data):
    alpha, beta = funnel_data

    page = recruiter_client.get("/reports/funnel/")

    report = page.context["report"]
    rows = {row.requisition_id: row for row in report.rows}
    alpha_row = rows[alpha.pk]
    assert [stage.current for stage in alpha_row.stages] == [1, 2, 1, 1, 1]
    assert [stage.reached for stage in alpha_row.stages] == [10, 8, 5, 3, 1]
    assert [stage.conversion for stage in alpha_row.stages] == [
        None,
        pytest.approx(0.8),
        pytest.approx(5 / 8),
        pytest.approx(3 / 5),
        pytest.approx(1 / 3),
    ]
    assert (alpha_row.rejected, alpha_row.withdrawn, alpha_row.total) == (3, 1, 10)
    assert [stage.reached for stage in rows[beta.pk].stages] == [2, 2, 0, 0, 0]
    assert [stage.reached for stage in report.total.stages] == [12, 10, 5, 3, 1]
    assert report.total.overall_conversion == pytest.approx(1 / 12)
    content = page.content.decode()
    assert "Search MLE" in content
    assert '<td class="num">80%</td>' in content  # 8 of 10 went on to interviews

    header, csv_rows = read_csv(recruiter_client.get("/reports/funnel.csv"))
    assert header[:3] == ["requisition_id", "requisition", "stage"]
    alpha_csv = {row["stage"]: row for row in csv_rows if row["requisition_id"] == str(alpha.pk)}
    for stage in alpha_row.stages:
        assert int(alpha_csv[stage.status]["reached"]) == stage.reached
        assert int(alpha_csv[stage.status]["current"]) == stage.current
    assert float(alpha_csv["debrief"]["conversion"]) == pytest.approx(5 / 8, abs=1e-4)
    assert int(alpha_csv["rejected"]["current"]) == 3
    total_csv = [row for row in csv_rows if row["requisition_id"] == ""]
    assert int(total_csv[0]["reached"]) == 12


def test_funnel_filters_by_requisition(recruiter_client, funnel_data):
    _, beta = funnel_data

    page = recruiter_client.get(f"/reports/funnel/?requisition={beta.pk}")

    report = page.context["report"]
    assert [row.requisition_id for row in report.rows] == [beta.pk]
    assert report.total.total == 2
    assert f"/reports/funnel.csv?requisition={beta.pk}" in page.content.decode()
    _, csv_rows = read_csv(recruiter_client.get(f"/reports/funnel.csv?requisition={beta.pk}"))
    assert {row["requisition_id"] for row in csv_rows} == {str(beta.pk), ""}
    assert recruiter_client.get("/reports/funnel/?requisition=999999").status_code == 404
    assert recruiter_client.get("/reports/funnel/?requisition=abc").status_code == 400


# --- adverse impact -------------------------------------------------------------------------------


def applicants(requisition, *, gender, ethnicity="", selected, rejected, undecided=0):
    """Applications of self-identified candidates: `selected` reach an offer (half hired),
    `rejected` are turned down, `undecided` are still interviewing or withdrew."""
    statuses = (
        [ApplicationStatus.OFFER if n % 2 else ApplicationStatus.HIRED for n in range(selected)]
        + [ApplicationStatus.REJECTED] * rejected
        + [ApplicationStatus.WITHDRAWN, ApplicationStatus.INTERVIEWING][:undecided]
    )
    for status in statuses:
        candidate = CandidateFactory()
        self_identification_record(candidate=candidate, gender=gender, ethnicity=ethnicity)
        application(requisition, candidate=candidate, loop=None, status=status)


def test_adverse_impact_is_hidden_without_self_identification(recruiter_client, requisition):
    application(requisition, status=ApplicationStatus.REJECTED)
    self_identification_record(candidate=CandidateFactory())  # declined to answer both

    page = recruiter_client.get("/reports/adverse-impact/")

    assert page.context["report"].has_data is False
    content = page.content.decode()
    assert "No self-identification data" in content
    assert "<table" not in content
    header, rows = read_csv(recruiter_client.get("/reports/adverse-impact.csv"))
    assert "impact_ratio" in header
    assert rows == []


def test_adverse_impact_flags_four_fifths_and_suppresses_small_groups(
    recruiter_client, requisition
):
    applicants(requisition, gender="Man", ethnicity="Group X", selected=6, rejected=4, undecided=2)
    applicants(requisition, gender="Woman", ethnicity="Group X", selected=2, rejected=8)
    applicants(requisition, gender="Nonbinary", ethnicity="Group Y", selected=1, rejected=2)

    page = recruiter_client.get("/reports/adverse-impact/")

    report = page.context["report"]
    dimensions = {dimension.key: dimension for dimension in report.dimensions}
    gender = {line.group: line for line in dimensions["gender"].groups}
    assert dimensions["gender"].reference_group == "Man"
    assert (gender["Man"].applications, gender["Man"].selected) == (10, 6)  # undecided left out
    assert gender["Woman"].rate == pytest.approx(0.2)
    assert gender["Woman"].impact_ratio == pytest.approx(0.2 / 0.6)
    assert gender["Woman"].four_fifths_flag is True
    assert gender["Woman"].fisher_p == pytest.approx(
        stats.fisher_exact([[2, 8], [6, 4]], alternative="two-sided").pvalue
    )
    assert gender["Nonbinary"].suppressed
    assert gender["Nonbinary"].applications is None
    assert gender["Nonbinary"].rate is None
    ethnicity = {line.group: line for line in dimensions["ethnicity"].groups}
    assert ethnicity["Group X"].reference
    assert ethnicity["Group Y"].suppressed
    content = page.content.decode()
    assert f"Suppressed: fewer than {MIN_GROUP_SIZE} applications" in content
    assert "below four fifths" in content
    _, rows = read_csv(recruiter_client.get("/reports/adverse-impact.csv"))
    by_group = {(row["dimension"], row["group"]): row for row in rows}
    woman = by_group[("gender", "Woman")]
    assert (int(woman["applications"]), int(woman["selected"])) == (10, 2)
    assert float(woman["impact_ratio"]) == pytest.approx(gender["Woman"].impact_ratio, abs=1e-4)
    assert woman["below_four_fifths"] == "yes"
    suppressed = by_group[("gender", "Nonbinary")]
    assert suppressed["suppressed"] == "yes"
    assert (
        suppressed["applications"] == suppressed["selected"] == suppressed["selection_rate"] == ""
    )


def test_adverse_impact_never_shows_who_is_in_a_group(recruiter_client, requisition):
    applicants(requisition, gender="Woman", selected=3, rejected=3)
    names = list(SelfIdentification.objects.values_list("candidate__name", flat=True))

    content = recruiter_client.get("/reports/adverse-impact/").content.decode()
    exported = recruiter_client.get("/reports/adverse-impact.csv").content.decode()

    assert "Woman" in content
    for name in names:
        assert name not in content
        assert name not in exported


def test_csv_quotes_text_a_spreadsheet_would_run(recruiter_client, requisition):
    applicants(requisition, gender="=HYPERLINK(1)", selected=3, rejected=3)

    _, rows = read_csv(recruiter_client.get("/reports/adverse-impact.csv"))

    assert rows[0]["group"] == "'=HYPERLINK(1)"


# --- self-identification API ----------------------------------------------------------------------


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_recording_self_identification_echoes_nothing_and_replaces(user_in_role):
    candidate = CandidateFactory()
    client = api_as(user_in_role("recruiter"))
    url = f"/api/candidates/{candidate.pk}/self-identification/"

    first = client.post(url, {"gender": "  Woman ", "ethnicity": "Group  X"}, format="json")
    second = client.post(url, {"gender": "Prefer to self-describe"}, format="json")

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() == {"recorded": True}
    record = SelfIdentification.objects.get()
    assert (record.candidate_id, record.gender, record.ethnicity) == (
        candidate.pk,
        "Prefer to self-describe",
        "",
    )


def test_self_identification_input_errors(user_in_role):
    candidate = CandidateFactory()
    client = api_as(user_in_role("recruiter"))

    too_long = client.post(
        f"/api/candidates/{candidate.pk}/self-identification/", {"gender": "x" * 61}, format="json"
    )
    not_text = client.post(
        f"/api/candidates/{candidate.pk}/self-identification/",
        {"ethnicity": ["a", "b"]},
        format="json",
    )
    missing = client.post("/api/candidates/999999/self-identification/", {}, format="json")

    assert too_long.status_code == 400
    assert "gender" in too_long.json()
    assert not_text.status_code == 400
    assert "ethnicity" in not_text.json()
    assert missing.status_code == 404
    assert not SelfIdentification.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anon", 403), ("interviewer", 403), ("committee member", 403), ("admin", 201)],
)
def test_who_may_record_self_identification(user_in_role, role, expected):
    candidate = CandidateFactory()
    client = APIClient() if role == "anon" else api_as(user_in_role(role))

    response = client.post(
        f"/api/candidates/{candidate.pk}/self-identification/", {"gender": "Man"}, format="json"
    )

    assert response.status_code == expected
    assert SelfIdentification.objects.exists() is (expected == 201)


def test_self_identification_admin_is_for_superusers_only(user_in_role):
    self_identification_record(candidate=CandidateFactory(), gender="Man")
    recruiter = user_in_role("recruiter")
    recruiter.is_staff = True
    recruiter.save()
    staff, admin = Client(), Client()
    staff.force_login(recruiter)
    admin.force_login(user_in_role("admin"))

    assert staff.get("/admin/hiring/selfidentification/").status_code == 403
    assert admin.get("/admin/hiring/selfidentification/").status_code == 200
    assert "selfidentification" not in staff.get("/admin/").content.decode()


# --- who sees the reports -------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES + CSVS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anon", 302),
        ("interviewer", 403),
        ("committee member", 403),
        ("recruiter", 200),
        ("admin", 200),
    ],
)
def test_report_pages_are_for_recruiters_and_admins(user_in_role, url, role, expected):
    client = Client()
    if role != "anon":
        client.force_login(user_in_role(role))

    response = client.get(url)

    assert response.status_code == expected
    if role == "anon":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", APIS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anon", 403),
        ("interviewer", 403),
        ("committee member", 403),
        ("recruiter", 200),
        ("admin", 200),
    ],
)
def test_report_api_is_for_recruiters_and_admins(user_in_role, url, role, expected):
    client = APIClient() if role == "anon" else api_as(user_in_role(role))

    assert client.get(url).status_code == expected


def test_reports_link_in_the_nav_only_for_those_who_may_see_them(user_in_role):
    recruiter, interviewer = Client(), Client()
    recruiter.force_login(user_in_role("recruiter"))
    interviewer.force_login(user_in_role("interviewer"))

    assert 'href="/reports/"' in recruiter.get("/").content.decode()
    assert 'href="/reports/"' not in interviewer.get("/").content.decode()


def test_report_api_serves_the_page_numbers(user_in_role, funnel_data):
    alpha, _ = funnel_data
    client = api_as(user_in_role("recruiter"))

    body = client.get(f"/api/reports/funnel/?requisition={alpha.pk}").json()

    assert [stage["reached"] for stage in body["rows"][0]["stages"]] == [10, 8, 5, 3, 1]
    assert client.get("/api/reports/funnel/?requisition=999999").status_code == 404
    assert client.get("/api/reports/question-exposure/?days=7").status_code == 400
    assert client.get("/api/reports/adverse-impact/").json()["has_data"] is False


def test_every_report_api_serves_the_selectors_numbers(user_in_role, requisition, kind):
    calibration_with()
    grow(requisition, kind, 6, "api")
    client = api_as(user_in_role("recruiter"))

    calibration = client.get("/api/reports/interviewer-calibration/").json()
    reliability = client.get("/api/reports/reliability/").json()
    questions = client.get("/api/reports/question-exposure/?days=30").json()
    impact = client.get("/api/reports/adverse-impact/").json()

    expected = reports.interviewer_calibration_report()
    assert [row["late_rate"] for row in calibration["rows"]] == [
        row.late_rate for row in expected.rows
    ]
    assert calibration["rows"][0]["lean"] == expected.rows[0].lean
    (alpha,) = reports.reliability_report().rows
    assert reliability["rows"][0]["alpha"] == pytest.approx(alpha.alpha)
    assert reliability["rows"][0]["verdict"] == alpha.verdict
    assert questions["days"] == 30
    assert questions["total_loops"] == 6
    assert {row["times_used"] for row in questions["rows"]} == {2}
    assert impact["has_data"] is True
    (gender,) = (d for d in impact["dimensions"] if d["key"] == "gender")
    assert {line["group"]: line["applications"] for line in gender["groups"]} == {
        "G0": None,
        "G1": None,
    }  # three each: below the minimum size, so suppressed


# --- a fixed number of queries --------------------------------------------------------------------


def grow(requisition, kind, n, tag):
    """n more of everything every report reads."""
    competency = CompetencyFactory(key="grown")
    for k in range(n):
        lead, second = person(f"{tag}-lead-{k}"), person(f"{tag}-second-{k}")
        calibration = Calibration.objects.order_by("-pk").first()
        for who in (lead, second):
            InterviewerCalibration.objects.create(
                calibration=calibration,
                interviewer=who,
                leniency=0.1,
                leniency_lower=-0.2,
                leniency_upper=0.4,
                noise_sd=0.5,
                n_interviews=3,
            )
        app = application(
            requisition if k % 2 else RequisitionFactory(),
            status=ApplicationStatus.REJECTED if k % 2 else ApplicationStatus.OFFER,
        )
        self_identification_record(candidate=app.candidate, gender=f"G{k % 2}", ethnicity="E")
        question = QuestionFactory(key=f"{tag}-q-{k}", competency=competency)
        for who in (lead, second):
            an_interview = interview(app, who, kind)
            InterviewQuestionFactory(interview=an_interview, question=question)
            scorecard(an_interview, who, {competency: 1 + k % 4})
        interview(app, lead, kind, ended_ago=timedelta(days=2))  # overdue feedback


@pytest.mark.parametrize("url", [*PAGES[1:], "/reports/funnel/?requisition={requisition}"])
def test_each_report_page_reads_a_fixed_number_of_queries(
    recruiter_client, requisition, kind, url, django_assert_num_queries
):
    calibration_with()
    url = url.format(requisition=requisition.pk)
    grow(requisition, kind, 1, "small")
    with CaptureQueriesContext(connection) as small:
        assert recruiter_client.get(url).status_code == 200

    grow(requisition, kind, 6, "large")

    with django_assert_num_queries(len(small.captured_queries)):
        response = recruiter_client.get(url)
    assert response.status_code == 200
