"""Demo content for `make run`: the logins a newcomer needs and a hiring world to look around in.

`demo_world_ensure` builds, once, three requisitions over the shipped role profiles with about forty
candidates at every stage. Everything goes through the services a recruiter, an interviewer and the
committee would use (planning and assigning loops, scheduling, scorecards, packets, calibration,
votes, decisions), so the demo shows what the product really computes. The ratings come from the
aggregation engine's simulation: each candidate has a true ability, each interviewer a leniency and
a noise level, and three interviewers have a planted leniency that the calibration then recovers.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone
from numpy.typing import NDArray

from hiring.aggregation import SimulationConfig, simulate_loops
from hiring.models import (
    Application,
    ApplicationStatus,
    Calibration,
    Candidate,
    Decision,
    InterviewerCalibration,
    LevelAssessment,
    Packet,
    PacketStatus,
    Requisition,
    RevisionAction,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    Vote,
    VoteChoice,
)
from loops.models import Interview, Interviewer, InterviewStatus
from loops.services import loop_schedule_day
from rubrics.models import Competency, InterviewKind, Level, RoleProfile

ROLE_ADMIN = "admin"
ROLE_RECRUITER = "recruiter"
ROLE_INTERVIEWER = "interviewer"
ROLE_COMMITTEE = "committee member"
ROLE_CHAIR = "committee chair"

ROLE_GROUPS: dict[str, tuple[str, ...]] = {
    ROLE_ADMIN: (),
    ROLE_RECRUITER: (ROLE_RECRUITER,),
    ROLE_INTERVIEWER: (ROLE_INTERVIEWER,),
    ROLE_COMMITTEE: (ROLE_COMMITTEE,),
    # The chair votes like any member and also records the committee's decision.
    ROLE_CHAIR: (ROLE_COMMITTEE, ROLE_CHAIR),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("admin", "debrief-admin", ROLE_ADMIN),
    DemoLogin("riley.recruiter", "debrief-demo", ROLE_RECRUITER),
    DemoLogin("ivan.interviewer", "debrief-demo", ROLE_INTERVIEWER),
    DemoLogin("casey.committee", "debrief-demo", ROLE_COMMITTEE),
    DemoLogin("morgan.chair", "debrief-demo", ROLE_CHAIR),
)


@transaction.atomic
def demo_logins_ensure() -> list[DemoLogin]:
    """Create the demo users once; running it again changes nothing (not even a changed
    password), so a newcomer's edits survive `make run`."""
    user_model = get_user_model()
    for login in DEMO_LOGINS:
        first, _, last = login.username.partition(".")
        user, created = user_model.objects.get_or_create(
            username=login.username,
            defaults={
                "first_name": first.title(),
                "last_name": last.title(),
                "email": f"{login.username}@example.com",
                "is_staff": login.role in (ROLE_ADMIN, ROLE_RECRUITER),
                "is_superuser": login.role == ROLE_ADMIN,
            },
        )
        if created:
            user.set_password(login.password)
            user.save(update_fields=["password"])
        for name in ROLE_GROUPS[login.role]:
            group, _ = Group.objects.get_or_create(name=name)
            user.groups.add(group)
        if login.role == ROLE_INTERVIEWER:
            _demo_interviewer_ensure(user)
    return list(DEMO_LOGINS)


def _demo_interviewer_ensure(user: AbstractBaseUser) -> None:
    """The demo interviewer may run every kind of interview at every level, so a newcomer can
    assign a loop straight away."""
    top = Level.objects.order_by("-rank").first()
    if top is None or Interviewer.objects.filter(user_id=user.pk).exists():
        return
    interviewer = Interviewer.objects.create(user_id=user.pk, max_level=top, weekly_cap=10)
    interviewer.kinds.set(InterviewKind.objects.filter(ladder_id=top.ladder_id))


# --- the people of the demo -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    username: str
    first_name: str
    last_name: str
    role: str


# Committee members without a demo login: they make the vote counts on a packet look real.
# Arjun and Nadia are also the hiring managers.
_COMMITTEE_PEOPLE = (
    _Person("arjun.mehta", "Arjun", "Mehta", ROLE_COMMITTEE),
    _Person("nadia.haddad", "Nadia", "Haddad", ROLE_COMMITTEE),
    _Person("grace.oyelaran", "Grace", "Oyelaran", ROLE_COMMITTEE),
)


@dataclass(frozen=True)
class _InterviewerSpec:
    username: str
    first_name: str
    last_name: str
    max_level: str
    kinds: tuple[str, ...]
    weekly_cap: int
    leniency: float | None = None
    """Planted leniency on the simulation's latent scale (None: drawn near zero)."""
    late_share: float = 0.1
    """How often their feedback arrives after the 24-hour deadline."""


# Twelve interviewers besides the demo interviewer (who runs every kind). Together they cover every
# shipped interview kind at every level; three have a planted leniency the calibration should find.
_INTERVIEWERS = (
    _InterviewerSpec(
        username="jordan.okafor",
        first_name="Jordan",
        last_name="Okafor",
        max_level="IC5",
        kinds=(
            "coding",
            "applied-ml-coding",
            "ml-system-design",
            "project-deep-dive",
            "leadership-collaboration",
            "ml-fluency-deep-dive",
        ),
        weekly_cap=7,
        leniency=0.9,
    ),
    _InterviewerSpec(
        username="priya.raman",
        first_name="Priya",
        last_name="Raman",
        max_level="IC5",
        kinds=(
            "ml-system-design",
            "architecture-review",
            "design-review-feedback",
            "project-deep-dive",
            "ml-fluency-deep-dive",
            "coding",
        ),
        weekly_cap=7,
        leniency=-0.9,
        late_share=0.2,
    ),
    _InterviewerSpec(
        username="wes.hollander",
        first_name="Wes",
        last_name="Hollander",
        max_level="M1",
        kinds=(
            "people-management",
            "delivery-leadership",
            "hiring-manager",
            "leadership-collaboration",
            "design-review-feedback",
        ),
        weekly_cap=6,
        leniency=0.8,
    ),
    _InterviewerSpec(
        username="aisha.bello",
        first_name="Aisha",
        last_name="Bello",
        max_level="IC4",
        kinds=("coding", "applied-ml-coding", "ml-system-design", "leadership-collaboration"),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="diego.marin",
        first_name="Diego",
        last_name="Marín",
        max_level="IC5",
        kinds=(
            "ml-system-design",
            "architecture-review",
            "design-review-feedback",
            "project-deep-dive",
        ),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="hannah.kowalczyk",
        first_name="Hannah",
        last_name="Kowalczyk",
        max_level="M1",
        kinds=(
            "leadership-collaboration",
            "hiring-manager",
            "people-management",
            "delivery-leadership",
        ),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="kenji.watanabe",
        first_name="Kenji",
        last_name="Watanabe",
        max_level="IC5",
        kinds=("coding", "ml-fluency-deep-dive", "project-deep-dive", "architecture-review"),
        weekly_cap=6,
        late_share=0.45,
    ),
    _InterviewerSpec(
        username="lucia.fernandez",
        first_name="Lucía",
        last_name="Fernández",
        max_level="IC4",
        kinds=(
            "applied-ml-coding",
            "ml-system-design",
            "project-deep-dive",
            "ml-fluency-deep-dive",
        ),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="meilin.tan",
        first_name="Mei Lin",
        last_name="Tan",
        max_level="IC5",
        kinds=(
            "design-review-feedback",
            "architecture-review",
            "leadership-collaboration",
            "ml-system-design",
        ),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="seun.adeyemi",
        first_name="Oluwaseun",
        last_name="Adeyemi",
        max_level="M1",
        kinds=(
            "delivery-leadership",
            "project-deep-dive",
            "people-management",
            "design-review-feedback",
        ),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="rafael.costa",
        first_name="Rafael",
        last_name="Costa",
        max_level="IC3",
        kinds=("coding", "applied-ml-coding", "leadership-collaboration", "project-deep-dive"),
        weekly_cap=6,
    ),
    _InterviewerSpec(
        username="sofia.lindqvist",
        first_name="Sofia",
        last_name="Lindqvist",
        max_level="M1",
        kinds=(
            "hiring-manager",
            "delivery-leadership",
            "leadership-collaboration",
            "project-deep-dive",
        ),
        weekly_cap=6,
    ),
)

PLANTED_LENIENT = "jordan.okafor"
PLANTED_HARSH = "priya.raman"


# --- requisitions and candidates ------------------------------------------------------------------

COMPLETE = "complete"
"""Every interview's feedback is in: the packet is ready for the committee."""
PARTIAL = "partial"
"""The loop ran in the last few days; some feedback is still to come."""
UPCOMING = "upcoming"
"""The loop is scheduled in the coming days."""
PLANNED = "planned"
"""The loop is planned and interviewers are assigned, but it is not scheduled yet."""
REJECTED = "rejected"
"""Screened out before the loop was scheduled."""
WITHDRAWN = "withdrawn"
"""Withdrew before the loop was scheduled."""

DEMO_REQUISITION = "Machine Learning Engineer, Search (demo)"


@dataclass(frozen=True)
class _RequisitionSpec:
    title: str
    profile: str
    level: str
    hiring_manager: str
    committee: tuple[str, ...]
    candidates: tuple[tuple[str, str, int], ...]
    """(name, stage, business days from today for partial and upcoming loops)."""


_REQUISITIONS = (
    _RequisitionSpec(
        DEMO_REQUISITION,
        "machine-learning-engineer",
        "IC3",
        "arjun.mehta",
        ("casey.committee", "morgan.chair", "arjun.mehta"),
        (
            ("Beatriz Almeida", COMPLETE, 0),
            ("Callum Fraser", COMPLETE, 0),
            ("Daniela Ionescu", COMPLETE, 0),
            ("Emeka Nwosu", COMPLETE, 0),
            ("Farah Siddiqui", COMPLETE, 0),
            ("Gustavo Pereira", COMPLETE, 0),
            ("Hyejin Park", COMPLETE, 0),
            ("Inès Moreau", COMPLETE, 0),
            ("Jakub Novák", COMPLETE, 0),
            ("Kavya Iyer", COMPLETE, 0),
            ("Liam O'Sullivan", COMPLETE, 0),
            ("Malika Yusupova", PARTIAL, -2),
            ("Niko Virtanen", UPCOMING, 2),
            ("Olivia Brandt", PLANNED, 0),
            ("Pedro Salgado", REJECTED, 0),
        ),
    ),
    _RequisitionSpec(
        "Staff Machine Learning Engineer, Ranking Platform (demo)",
        "staff-machine-learning-engineer",
        "IC5",
        "nadia.haddad",
        ("casey.committee", "morgan.chair", "nadia.haddad", "grace.oyelaran"),
        (
            ("Qing Zhao", COMPLETE, 0),
            ("Rhea Kapoor", COMPLETE, 0),
            ("Stefan Petrov", COMPLETE, 0),
            ("Tamsin Hale", COMPLETE, 0),
            ("Umar Farouk", COMPLETE, 0),
            ("Valentina Russo", COMPLETE, 0),
            ("Wen Li", COMPLETE, 0),
            ("Ximena Ortega", COMPLETE, 0),
            ("Yaw Mensah", PARTIAL, -1),
            ("Zofia Wójcik", UPCOMING, 3),
            ("Anders Holm", PLANNED, 0),
            ("Bilal Qureshi", WITHDRAWN, 0),
        ),
    ),
    _RequisitionSpec(
        "Engineering Manager, ML Platform (demo)",
        "machine-learning-engineering-manager",
        "M1",
        "nadia.haddad",
        ("casey.committee", "morgan.chair", "nadia.haddad", "grace.oyelaran"),
        (
            ("Chiara Bianchi", COMPLETE, 0),
            ("Dmitri Volkov", COMPLETE, 0),
            ("Esther Oduya", COMPLETE, 0),
            ("Felix Wagner", COMPLETE, 0),
            ("Gabriela Soto", COMPLETE, 0),
            ("Haruto Sato", COMPLETE, 0),
            ("Ifeoma Eze", COMPLETE, 0),
            ("Jonas Berg", COMPLETE, 0),
            ("Keiko Mori", COMPLETE, 0),
            ("Lars Nilsen", COMPLETE, 0),
            ("Maya Goldberg", PARTIAL, -3),
            ("Nasser Aziz", UPCOMING, 4),
        ),
    ),
)
DEMO_REQUISITION_TITLES = tuple(spec.title for spec in _REQUISITIONS)

COMPLETE_DAYS_AGO = (3, 18)
"""Complete loops ran between these many business days ago: the last three to four weeks."""

SOURCES = ("inbound", "inbound", "referral", "sourced", "agency")


# --- evidence text --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    """What an interviewer saw, as note fragments: what the candidate did, and what was good and
    what was missing about it (subjectless verb phrases, as interview notes are written)."""

    did: tuple[str, ...]
    plus: tuple[str, ...]
    minus: tuple[str, ...]


EVIDENCE: dict[str, _Evidence] = {
    "ml-fluency": _Evidence(
        did=(
            "Walked through training a churn model on heavily imbalanced labels",
            "Explained how they would fine-tune a pretrained text encoder for query classification",
            "Debugged a retrieval model whose validation loss plateaued early",
            "Compared logistic regression and gradient-boosted trees as a first baseline",
        ),
        plus=(
            "reasoned clearly about the loss and what it rewards",
            "read the learning curves correctly and said what to try next",
            "connected the model choice to the data size and the label noise",
            "argued for a simple baseline first and said what would justify more",
        ),
        minus=(
            "could not explain why validation loss diverged from training loss",
            "reached for a bigger model before looking at the data",
            "mixed up regularisation strength and learning rate while tuning",
            "stayed vague on what the loss was actually optimising",
        ),
    ),
    "ml-evaluation": _Evidence(
        did=(
            "Designed the offline evaluation for a ranking change",
            "Planned the A/B test for a new recommendation model",
            "Proposed metrics for a fraud classifier with a 0.3% positive rate",
            "Reviewed an experiment readout claiming a 2% CTR lift",
        ),
        plus=(
            "tied the offline metric to the product outcome it stands for",
            "kept the evaluation data strictly out of training and tuning",
            "sized the effect worth detecting before choosing the method",
            "looked at segments, not only the headline number",
        ),
        minus=(
            "reported one headline number with no uncertainty around it",
            "did not size the experiment or think about statistical power",
            "optimised a metric without tying it to the product outcome",
            "missed a leak between the evaluation and the training data",
        ),
    ),
    "data-infrastructure": _Evidence(
        did=(
            "Designed a feature store with point-in-time joins",
            "Built the ingestion of clickstream events into training tables",
            "Sketched a backfill of a new embedding feature over 18 months of logs",
            "Cleaned a transactions extract with duplicated and late-arriving rows",
        ),
        plus=(
            "handled late-arriving events with watermarks",
            "added data validation before training without being asked",
            "kept training and serving on one feature definition",
            "deduplicated on the right key and explained why",
        ),
        minus=(
            "missed training/serving skew until prompted",
            "let nulls silently become zeros in the features",
            "had no plan for checking that the output data was right",
            "leaked the label through an aggregate computed after the event",
        ),
    ),
    "code-fluency": _Evidence(
        did=(
            "Implemented a streaming top-k aggregator in Python",
            "Wrote an LRU cache for embedding lookups",
            "Solved interval merging and extended it to weighted intervals",
            "Implemented batched cosine similarity in NumPy",
        ),
        plus=(
            "had working code on the first run and tested the edge cases",
            "stated time and memory complexity precisely",
            "picked the right data structure without hesitation",
            "kept functions small and names clear under time pressure",
        ),
        minus=(
            "needed several hints to reach a working solution",
            "did not test empty input or duplicates",
            "claimed O(n) for an O(n log n) solution",
            "spent most of the time chasing an off-by-one error",
        ),
    ),
    "software-design": _Evidence(
        did=(
            "Extended the solution to take pluggable scoring functions",
            "Refactored the exercise into a module with an interface for feature transforms",
            "Designed the API of a batch inference client",
            "Split a monolithic training script into data, model and evaluation parts",
        ),
        plus=(
            "separated I/O from pure logic so it could be unit-tested",
            "chose sensible abstractions without over-engineering",
            "thought about backward compatibility for existing callers",
            "added types and a clear error path",
        ),
        minus=(
            "coupled the model code to the file layout",
            "introduced an abstraction layer nothing needed",
            "left global state that made testing hard",
            "did not consider how callers would handle failures",
        ),
    ),
    "ml-design": _Evidence(
        did=(
            "Designed a home-feed ranking system end to end",
            "Framed query understanding for search as retrieve-then-rank",
            "Designed near-real-time fraud scoring for card payments",
            "Proposed a cold-start strategy for new items in a recommender",
        ),
        plus=(
            "started from the product metric and worked back to the training objective",
            "let the latency budget shape the model and serving choices",
            "planned a heuristic baseline before the deep model",
            "named how the model's own decisions would bias its future training data",
        ),
        minus=(
            "jumped to a transformer before framing the problem",
            "never defined what success meant for the product",
            "ignored the latency budget until the last five minutes",
            "took the labels at face value without asking how they were produced",
        ),
    ),
    "production-ml": _Evidence(
        did=(
            "Described rolling out a ranking model behind a shadow deployment",
            "Walked through monitoring a credit-risk model in production",
            "Explained how they handled a regression found a week after a release",
            "Planned the retraining cadence for a demand forecast",
        ),
        plus=(
            "alerted on input-feature drift as well as on predictions",
            "used a canary with automatic rollback on guardrail metrics",
            "versioned data, code and model together so any prediction is reproducible",
            "had a clear runbook for stale features",
        ),
        minus=(
            "had no way to detect silent model degradation",
            "deployed by copying model files by hand",
            "could not say how a bad model would be rolled back",
            "treated retraining as a manual, ad hoc chore",
        ),
    ),
    "architecture-design": _Evidence(
        did=(
            "Reviewed the architecture of an embedding platform shared by five teams",
            "Designed one serving layer for several ranking models",
            "Proposed moving nightly batch scoring to streaming inference",
            "Sketched multi-region feature serving",
        ),
        plus=(
            "found the single point of failure and proposed how to isolate it",
            "made cost per prediction explicit and traded it against latency",
            "planned the migration in reversible steps",
            "drew clean ownership lines between platform and product teams",
        ),
        minus=(
            "designed for 100x the current scale with no evidence it was needed",
            "missed the consistency gap between the online and offline stores",
            "left out how teams would migrate off the old path",
            "left capacity and cost out of the design entirely",
        ),
    ),
    "technical-strategy": _Evidence(
        did=(
            "Laid out a two-year direction for the ranking platform",
            "Described consolidating three feature pipelines into one",
            "Argued buy versus build for vector search",
            "Explained a multi-quarter move of teams onto a shared training stack",
        ),
        plus=(
            "tied the roadmap to business priorities and said what they would not do",
            "anticipated the organisational obstacles, not only the technical ones",
            "won over sceptical teams with evidence from a small pilot",
            "sequenced the work so every quarter shipped value on its own",
        ),
        minus=(
            "described a vision with no path from today's systems",
            "could not say how other teams would come to adopt it",
            "offered a strategy that was mostly a list of technologies",
            "never revisited the plan when its assumptions changed",
        ),
    ),
    "impact": _Evidence(
        did=(
            "Walked through a relevance project that lifted search conversion",
            "Described cutting GPU training cost for the recommendation models",
            "Talked about a cross-team effort to reduce fraud losses",
            "Discussed a forecasting project that changed inventory planning",
        ),
        plus=(
            "quantified the outcome and how it was measured",
            "picked the project by the size of the result, not the technical interest",
            "stopped a workstream that was not moving the metric",
            "separated their own contribution from the team's",
        ),
        minus=(
            "described activity rather than outcomes",
            "could not say how the result was measured",
            "kept the scope inside their own team where this level asks for more",
            "took credit for results that were largely another team's",
        ),
    ),
    "ownership": _Evidence(
        did=(
            "Described owning a batch scoring job that failed silently for a week",
            "Talked through an on-call incident caused by a stale feature",
            "Followed a model launch through to its first retraining",
            "Explained handling a flaky data dependency owned by another team",
        ),
        plus=(
            "wrote the postmortem and drove the fixes to completion",
            "added the monitoring that would have caught it, unprompted",
            "fixed the upstream contract although it was not their task",
            "kept stakeholders informed without being asked",
        ),
        minus=(
            "handed the problem off once their part was done",
            "blamed the upstream team and did not follow up",
            "waited to be assigned the fix",
            "could not name anything they changed afterwards",
        ),
    ),
    "decision-making": _Evidence(
        did=(
            "Described choosing between a heuristic and a learned model under a deadline",
            "Talked about shipping a model with a known weakness in one segment",
            "Explained picking a serving framework from incomplete benchmarks",
            "Walked through delaying a launch after an evaluation gap",
        ),
        plus=(
            "laid out the trade-offs and the evidence behind the call",
            "decided on partial data and set a checkpoint to revisit",
            "sought out dissenting views before deciding",
            "owned the decision when it turned out partly wrong",
        ),
        minus=(
            "deferred to whoever was most senior in the room",
            "could not say what would have changed the decision",
            "spent weeks gathering data on an easily reversible call",
            "framed the decision only from their own team's side",
        ),
    ),
    "communication": _Evidence(
        did=(
            "Explained a ranking design to the interviewer playing the product manager",
            "Summarised an evaluation result for a non-technical audience",
            "Presented their critique of the design document",
            "Walked through their project with a diagram",
        ),
        plus=(
            "structured the answer top-down and checked for understanding",
            "adjusted the detail to the audience",
            "was concise and precise about uncertainty",
            "listened and built on the interviewer's pushback",
        ),
        minus=(
            "dived into details before giving the big picture",
            "used jargon the audience could not follow",
            "talked past the interviewer's questions",
            "became hard to follow once the discussion left the script",
        ),
    ),
    "collaboration": _Evidence(
        did=(
            "Described working with data engineering on a shared pipeline",
            "Talked about a disagreement with a product manager over the launch metric",
            "Explained negotiating GPU quota with the infrastructure team",
            "Walked through shipping a ranking change with a frontend team",
        ),
        plus=(
            "found the shared goal and a compromise both teams used",
            "gave partners credit generously",
            "built the relationship before it was needed",
            "disagreed openly and then committed",
        ),
        minus=(
            "described partners mainly as obstacles",
            "escalated before trying to resolve it directly",
            "worked around the other team rather than with it",
            "could not describe the other side's point of view",
        ),
    ),
    "talent-development": _Evidence(
        did=(
            "Described mentoring a junior engineer through a first model launch",
            "Wrote feedback on the flawed design document",
            "Talked about growing an engineer into a workstream's tech lead",
            "Explained how they run design reviews for the team",
        ),
        plus=(
            "gave feedback that was specific, kind and actionable",
            "let the mentee own the decisions and coached from the side",
            "adapted their approach to the person's level",
            "created stretch opportunities deliberately",
        ),
        minus=(
            "rewrote the design instead of helping the author improve it",
            'gave generic feedback ("add more detail")',
            "mentored only ad hoc, when asked",
            "put their own output ahead of the team's growth",
        ),
    ),
    "people-management": _Evidence(
        did=(
            "Walked through handling an underperforming engineer",
            "Described career conversations for a team of eight",
            "Talked about supporting a burnt-out senior engineer during a launch crunch",
            "Explained setting goals for a newly formed ML team",
        ),
        plus=(
            "acted early with clear expectations and a written plan",
            "balanced the person's wellbeing with the team's commitments",
            "tailored their style to each report",
            "tracked outcomes and followed up",
        ),
        minus=(
            "waited months before addressing the performance problem",
            "had no structure for one-to-ones or growth plans",
            "described managing as assigning tickets",
            "avoided the hard conversation and moved the person instead",
        ),
    ),
    "delivery-management": _Evidence(
        did=(
            "Described running the roadmap of an ML platform team",
            "Walked through a launch that slipped by a quarter",
            "Explained planning ML work whose research outcome is uncertain",
            "Talked about cutting scope to meet a regulatory deadline",
        ),
        plus=(
            "time-boxed the research phase with go/no-go criteria",
            "made risks visible to stakeholders early",
            "tracked delivery with a few meaningful measures",
            "shielded the team from thrash while adapting the plan",
        ),
        minus=(
            "committed to dates before the data work was understood",
            "could not say how progress was tracked",
            "let the project drift without a decision point",
            "heard about the slip from stakeholders first",
        ),
    ),
    "hiring": _Evidence(
        did=(
            "Described growing an ML team from three to nine engineers",
            "Walked through how they design an interview loop",
            "Talked about closing a senior candidate with a competing offer",
            "Explained how they calibrate their interviewers",
        ),
        plus=(
            "used structured criteria and evidence rather than gut feeling",
            "widened the pipeline at the sourcing stage on purpose",
            "held the bar when the team was under pressure to hire",
            "trained interviewers and reviewed their written feedback",
        ),
        minus=(
            "relied on culture-fit impressions",
            "had no view on assessing ML skills fairly",
            "lowered the bar to fill headcount",
            "left hiring entirely to recruiting",
        ),
    ),
    "organizational-health": _Evidence(
        did=(
            "Described improving on-call health for an ML team",
            "Talked about introducing blameless postmortems",
            "Explained reworking the team's onboarding",
            "Walked through fixing a code-review bottleneck",
        ),
        plus=(
            "measured the problem before fixing it",
            "made the change stick with lightweight process",
            "involved the team in designing the change",
            "followed up on the engagement survey",
        ),
        minus=(
            "treated morale as someone else's job",
            "added process without removing any",
            "gave no example beyond their own team",
            "had no way to tell whether things improved",
        ),
    ),
    "strategy": _Evidence(
        did=(
            "Described setting the vision for a personalisation team",
            "Talked about aligning the ML roadmap with company priorities",
            "Explained how they choose which ML bets to fund",
            "Walked through a pivot of the team's roadmap",
        ),
        plus=(
            "connected the roadmap to the company's goals",
            "said plainly what the team would stop doing",
            "brought product and engineering partners behind the plan",
            "anticipated what existing systems could not support",
        ),
        minus=(
            "presented a vision that was a list of projects",
            "could not say why this direction over the alternatives",
            "ignored what existing systems could support",
            "had no way to tell whether the strategy was working",
        ),
    ),
    "agility": _Evidence(
        did=(
            "Described a reorg that changed the team's charter mid-quarter",
            "Talked about adding LLM-based features as priorities shifted",
            "Explained handling the deprecation of a major data source",
            "Walked through adapting to a sudden budget cut",
        ),
        plus=(
            "kept momentum while re-planning",
            "helped the team see why the change mattered",
            "tested the new approach cheaply before committing",
            "re-prioritised the backlog within days",
        ),
        minus=(
            "resisted the change until it was forced",
            "lost the team's momentum for weeks",
            "did not explain the change to the team",
            "kept both the old and the new plan running",
        ),
    ),
    "innovation": _Evidence(
        did=(
            "Described introducing a new training technique to the team",
            "Talked about prototyping an LLM-based feature in a hack week",
            "Explained an experiment with synthetic data for rare classes",
        ),
        plus=(
            "ran a cheap experiment before asking for investment",
            "turned the prototype into a shipped result",
            "encouraged others to try ideas fast",
        ),
        minus=(
            "stopped at the prototype",
            "chose novelty over the problem at hand",
            "had no example of testing an idea cheaply",
        ),
    ),
    "personal-growth": _Evidence(
        did=(
            "Talked about feedback that was hard to hear",
            "Described closing a gap in experiment statistics",
            "Explained where they want to go deep next",
        ),
        plus=(
            "made a visible change and checked back with the person",
            "practised on real work and can show the progress",
            "has a deliberate plan and recent concrete steps",
        ),
        minus=(
            "picked flattering feedback",
            "stayed vague about what they actually did",
            "listed fashionable topics without any action",
        ),
    ),
}

_GENERIC = _Evidence(
    did=("Talked through a recent project in this area", "Answered the prepared question"),
    plus=("gave a concrete, well-reasoned example", "showed depth under follow-up questions"),
    minus=("stayed general under follow-up questions", "gave an example without an outcome"),
)

_TEMPLATES: dict[int, tuple[str, ...]] = {
    4: ("{did}; {p1} and {p2}.", "{did}. {P1}; also {p2}."),
    3: ("{did}; {p1}. Minor gap: {m1}.", "{did}. {P1}. Small miss: {m1}."),
    2: ("{did}, but {m1}. Partly offset: {p1}.", "{did}; {m1}. Better on one point: {p1}."),
    1: ("{did}; {m1}, and {m2}.", "{did}. {M1}; {m2}."),
}

_NO_SIGNAL_REASONS = (
    "Ran out of time before we got to {name}.",
    "The exercise never touched {name}; no evidence either way.",
    "The candidate's examples stayed on other areas; could not probe {name} without leading.",
)

_HEADLINES: dict[int, tuple[str, ...]] = {
    4: ("Strong yes at {level}.", "Clear hire at {level}; one of the stronger loops lately."),
    3: ("Yes at {level}.", "Lean hire at {level}."),
    2: ("Lean no at {level}.", "Not yet at {level}."),
    1: ("Strong no at {level}.", "Clear no at {level}."),
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Writer:
    """Composes the texts of the demo from the fragments above, never repeating a quote."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def pick(self, options: Sequence[str], count: int = 1) -> list[str]:
        chosen = self.rng.choice(len(options), size=min(count, len(options)), replace=False)
        return [options[int(index)] for index in chosen]

    def evidence(self, competency: str, rating: int) -> str:
        bank = EVIDENCE.get(competency, _GENERIC)
        text = ""
        for _ in range(12):  # a handful of draws always finds an unused combination
            did = self.pick(bank.did)[0]
            p1, p2 = self.pick(bank.plus, 2)
            m1, m2 = self.pick(bank.minus, 2)
            template = self.pick(_TEMPLATES[rating])[0]
            text = template.format(did=did, p1=p1, p2=p2, m1=m1, m2=m2, P1=_cap(p1), M1=_cap(m1))
            if text not in self.seen:
                break
        self.seen.add(text)
        return text

    def no_signal_reason(self, name: str) -> str:
        return self.pick(_NO_SIGNAL_REASONS)[0].format(name=name)

    def summary(self, recommendation: int, level: str, best: str, worst: str, above: bool) -> str:
        parts = [self.pick(_HEADLINES[recommendation])[0].format(level=level)]
        if best:
            parts.append(f"Best signal on {best}.")
        if worst and worst != best:
            parts.append(f"Weakest on {worst}.")
        if above:
            parts.append(f"Operated above {level} in this interview.")
        return " ".join(parts)


# --- the world ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantedLeniency:
    name: str
    username: str
    leniency: float
    lean: str
    """lenient, harsh, or blank when the fitted interval includes zero."""


@dataclass(frozen=True)
class DemoSummary:
    """What the demo world holds, counted from the database (never from the plan)."""

    created: bool
    requisitions: int
    candidates: int
    interviewers: int
    scorecards: int
    packets_ready: int
    decided: int
    votes: int
    planted: tuple[PlantedLeniency, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        return (
            f"{self.requisitions} requisitions, {self.candidates} candidates, "
            f"{self.packets_ready} packets ready for review, {self.decided} decided"
        )


@contextlib.contextmanager
def _quiet_load() -> Iterator[None]:
    """Settings for the bulk load only.

    * One calibration at the end instead of one every CALIBRATION_REFIT_EVERY scorecards: the
      intermediate fits would be replaced at once and each one re-scores every packet.
    * "Packet ready" emails go to an in-memory outbox, and the in-process tasks log only
      warnings: the load completes a few dozen packets at once, and a newcomer's console (where
      the default mail backend writes) would drown the printed logins.
    """
    loggers = [logging.getLogger(name) for name in ("celery", "hiring")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        with override_settings(
            CALIBRATION_REFIT_EVERY=10**9,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def demo_world_ensure(seed: int = 7) -> DemoSummary | None:
    """Build the demo hiring world once (None when the role profiles are not imported yet).

    Idempotent: the demo requisitions' titles mark a world already built, and then nothing is
    created. The build is one transaction, so a failure leaves no half world behind."""
    demo_logins_ensure()
    if not _rubric_ready():
        return None
    if Requisition.objects.filter(title__in=DEMO_REQUISITION_TITLES[1:]).exists():
        return demo_summary(created=False)
    with _quiet_load():
        with transaction.atomic():
            problems = _World(seed).build()
        return demo_summary(created=True, problems=problems)


def _rubric_ready() -> bool:
    profiles = set(
        RoleProfile.objects.filter(
            key__in={spec.profile for spec in _REQUISITIONS}, is_current=True
        ).values_list("key", flat=True)
    )
    return len(profiles) == len({spec.profile for spec in _REQUISITIONS})


def demo_summary(*, created: bool = False, problems: Sequence[str] = ()) -> DemoSummary:
    requisitions = Requisition.objects.filter(title__in=DEMO_REQUISITION_TITLES)
    applications = Application.objects.filter(requisition__in=requisitions)
    packets = Packet.objects.filter(application__in=applications)
    return DemoSummary(
        created=created,
        requisitions=requisitions.count(),
        candidates=Candidate.objects.filter(applications__in=applications).distinct().count(),
        interviewers=Interviewer.objects.filter(interviews__loop__application__in=applications)
        .distinct()
        .count(),
        scorecards=Scorecard.objects.filter(
            interview__loop__application__in=applications, status=ScorecardStatus.SUBMITTED
        ).count(),
        packets_ready=packets.filter(status=PacketStatus.READY).count(),
        decided=packets.filter(status=PacketStatus.DECIDED).count(),
        votes=Vote.objects.filter(packet__in=packets).count(),
        planted=_planted_fitted(),
        problems=tuple(problems),
    )


def _planted_fitted() -> tuple[PlantedLeniency, ...]:
    """The planted interviewers' leniency as the latest calibration fitted it."""
    calibration = Calibration.objects.order_by("-fitted_at", "-pk").first()
    if calibration is None:
        return ()
    planted = [spec.username for spec in _INTERVIEWERS if spec.leniency is not None]
    rows = InterviewerCalibration.objects.filter(
        calibration=calibration, interviewer__user__username__in=planted
    ).select_related("interviewer__user")
    found = []
    for row in rows:
        lean = ""
        if row.leniency_lower > 0:
            lean = "lenient"
        elif row.leniency_upper < 0:
            lean = "harsh"
        found.append(
            PlantedLeniency(
                name=str(row.interviewer),
                username=row.interviewer.user.username,
                leniency=row.leniency,
                lean=lean,
            )
        )
    return tuple(sorted(found, key=lambda p: planted.index(p.username)))


@dataclass
class _Entry:
    """One candidate of the world and where their application stands."""

    name: str
    stage: str
    requisition: Requisition
    index: int
    """The candidate's row in the simulation."""
    day: date | None = None
    starts_at: time = time(9, 0)
    application: Application | None = None
    waits_for: str = ""
    """A partial loop waiting for this interviewer (by username) rather than a random one."""
    pending: set[int] = field(default_factory=set)
    """Interview pks whose feedback is still to come."""


def _business_day(start: date, offset: int) -> date:
    """`offset` working days after (or, negative, before) `start`."""
    day, step, remaining = start, (1 if offset > 0 else -1), abs(offset)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def _business_days_between(start: datetime, end: datetime) -> int:
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    return sum((first + timedelta(days=n)).weekday() < 5 for n in range(1, (last - first).days + 1))


def _aware(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    first, *rest = ascii_name.lower().replace("'", "").split()
    return f"{first}.{''.join(rest)}@example.com"


def _iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


class _World:
    """Builds the demo world; `build` runs inside one transaction."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.writer = _Writer(np.random.default_rng(seed + 1))
        self.today = timezone.localdate()
        self.users: dict[str, User] = {}
        self.problems: list[str] = []

    # -- people --

    def _user(self, username: str, first: str, last: str, groups: Sequence[str]) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
            },
        )
        if created:
            user.set_unusable_password()  # a person in the story, not a login
            user.save(update_fields=["password"])
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    def people_ensure(self) -> None:
        for login in DEMO_LOGINS:
            self.users[login.username] = User.objects.get(username=login.username)
        for person in _COMMITTEE_PEOPLE:
            self.users[person.username] = self._user(
                person.username, person.first_name, person.last_name, (ROLE_COMMITTEE,)
            )

    def interviewers_ensure(self) -> None:
        levels = {level.code: level for level in Level.objects.all()}
        kinds = {kind.key: kind for kind in InterviewKind.objects.all()}
        for spec in _INTERVIEWERS:
            user = self._user(spec.username, spec.first_name, spec.last_name, (ROLE_INTERVIEWER,))
            if Interviewer.objects.filter(user=user).exists():
                continue
            interviewer = Interviewer.objects.create(
                user=user, max_level=levels[spec.max_level], weekly_cap=spec.weekly_cap
            )
            interviewer.kinds.set([kinds[key] for key in spec.kinds if key in kinds])

    # -- requisitions and applications --

    def requisitions_ensure(self) -> list[Requisition]:
        from hiring.services import requisition_create

        requisitions = []
        for spec in _REQUISITIONS:
            committee = [self.users[name] for name in spec.committee]
            existing = Requisition.objects.filter(title=spec.title).first()
            if existing is not None:
                # Made by an earlier `load_demo` with a smaller committee (no service edits a
                # committee; the admin sets the same relation).
                existing.committee_members.add(*committee)
                requisitions.append(existing)
                continue
            requisitions.append(
                requisition_create(
                    title=spec.title,
                    role_profile=RoleProfile.objects.get(key=spec.profile, is_current=True),
                    level=Level.objects.get(code=spec.level),
                    hiring_manager=self.users[spec.hiring_manager],
                    recruiter=self.users["riley.recruiter"],
                    committee_members=committee,
                )
            )
        return requisitions

    def entries_plan(
        self, requisitions: list[Requisition], ada: Application | None
    ) -> list[_Entry]:
        entries: list[_Entry] = []
        if ada is not None:
            entries.append(
                _Entry(
                    name=ada.candidate.name,
                    stage=PARTIAL,
                    requisition=ada.requisition,
                    index=0,
                    application=ada,
                    waits_for="ivan.interviewer",
                )
            )
        low, high = COMPLETE_DAYS_AGO
        for spec, requisition in zip(_REQUISITIONS, requisitions, strict=True):
            for name, stage, offset in spec.candidates:
                entry = _Entry(name=name, stage=stage, requisition=requisition, index=len(entries))
                if stage == COMPLETE:
                    entry.day = _business_day(self.today, -int(self.rng.integers(low, high + 1)))
                elif stage in (PARTIAL, UPCOMING):
                    entry.day = _business_day(self.today, offset)
                entry.starts_at = (time(9, 0), time(9, 30), time(10, 0))[int(self.rng.integers(3))]
                entries.append(entry)
        return entries

    def applications_create(self, entries: list[_Entry]) -> None:
        """Open every application in the order its week came round.

        The assignment balances interviewers' load in the week of the interview, and an
        unscheduled loop counts in the current week; so each week's loops are created (and thus
        assigned) together and then moved to their days, which keeps weekly caps meaningful and
        spreads the work across the pool as a real month of hiring would."""
        current = _iso_week(self.today)

        def order(entry: _Entry) -> tuple[int, tuple[int, int]]:
            if entry.day is None:
                return 2, current
            week = _iso_week(entry.day)
            return (1 if week == current else 0), week

        weeks: dict[tuple[int, tuple[int, int]], list[_Entry]] = defaultdict(list)
        for entry in entries:
            if entry.application is None:
                weeks[order(entry)].append(entry)
        for week in sorted(weeks):
            opened = [(entry, self._application_open(entry)) for entry in weeks[week]]
            for entry, problems in opened:
                application = entry.application
                assert application is not None
                assert application.loop is not None
                if entry.day is None:
                    self.problems.extend(f"{entry.name}: {p}" for p in problems)
                    continue
                start = _aware(entry.day, entry.starts_at)
                loop_schedule_day(loop=application.loop, starts_at=start)
                if problems:  # a second chance in the loop's own week
                    self._assign_rest(application)

    def _application_open(self, entry: _Entry) -> list[str]:
        """Open the application (the service plans the loop and assigns interviewers); return
        the interviews nobody could take."""
        from hiring.services import application_create, application_move, candidate_create

        candidate = candidate_create(
            name=entry.name,
            email=_email(entry.name),
            source=SOURCES[int(self.rng.integers(len(SOURCES)))],
        )
        created = application_create(candidate=candidate, requisition=entry.requisition)
        entry.application = created.application
        if entry.stage in (REJECTED, WITHDRAWN):
            application_move(application=created.application, status=entry.stage)
        return created.assignment_problems

    def _assign_rest(self, application: Application) -> None:
        from loops.services import loop_assign_interviewers

        assert application.loop is not None
        problems = loop_assign_interviewers(
            loop=application.loop, candidate_email=application.candidate.email
        )
        self.problems.extend(f"{application.candidate.name}: {p}" for p in problems)

    # -- feedback --

    def feedback_write(self, entries: list[_Entry]) -> None:
        """Every interview that has ended gets its scorecard; a partial loop leaves its last
        interview or two (Ada's: the demo interviewer's) without feedback yet.

        The simulation draws the truth for as many candidates and interviewers as the world has
        (abilities per competency, noise levels; leniencies near zero except the planted ones);
        the ratings are then drawn with the simulation's own rule, cut at its thresholds, for the
        interviews the planner and the assignment actually produced."""
        competencies = tuple(sorted(Competency.objects.values_list("key", flat=True)))
        names = dict(Competency.objects.values_list("key", "name"))
        pool = list(Interviewer.objects.select_related("user").order_by("pk"))
        position = {person.pk: index for index, person in enumerate(pool)}
        truth_config = SimulationConfig(
            n_candidates=len(entries),
            n_interviewers=len(pool),
            competencies=competencies,
            seed=self.seed,
            # Candidates who reach the loop passed a screen: centred a little under the bar.
            ability_mean=0.5,
            ability_sd=0.7,
            leniency_sd=0.05,  # everyone not planted is close to neutral
            noise_sd_median=0.6,
            noise_sd_log_spread=0.2,
        )
        truth = simulate_loops(truth_config).truth
        leniency = truth.leniency.copy()
        planted = {spec.username: spec for spec in _INTERVIEWERS}
        late_share = np.full(len(pool), 0.1)
        for person in pool:
            spec = planted.get(person.user.username)
            if spec is not None:
                late_share[position[person.pk]] = spec.late_share
                if spec.leniency is not None:
                    leniency[position[person.pk]] = spec.leniency
        cuts = np.asarray(truth_config.thresholds)
        now = timezone.now()
        stamps: list[tuple[Scorecard, datetime]] = []
        for entry in entries:
            if entry.stage not in (COMPLETE, PARTIAL) or entry.application is None:
                continue
            loop = entry.application.loop
            assert loop is not None
            interviews = list(
                loop.interviews.select_related("interviewer__user")
                .prefetch_related("focus_rows__competency")
                .exclude(status=InterviewStatus.CANCELLED)
                .order_by("position")
            )
            if entry.stage == PARTIAL:
                entry.pending = self._pending_choose(interviews, entry.waits_for)
            for interview in interviews:
                if interview.pk in entry.pending or interview.interviewer is None:
                    continue
                if interview.ends_at is None or interview.ends_at > now:
                    continue
                j = position[interview.interviewer.pk]
                card = self._scorecard_submit(
                    interview,
                    entry,
                    ability=truth.competency_ability[entry.index],
                    competency_index={key: n for n, key in enumerate(competencies)},
                    leniency=float(leniency[j]),
                    noise_sd=float(truth.noise_sd[j]),
                    bar_latent=truth.bar_latent,
                    cuts=cuts,
                    names=names,
                )
                submitted_at = self._submitted_at(interview.ends_at, late_share[j])
                stamps.append((card, min(submitted_at, now - timedelta(minutes=30))))
        self._backdate(stamps)

    def _submitted_at(self, ended: datetime, late_share: float) -> datetime:
        """When the feedback came in, in working hours: the same evening or the next morning, or
        for the late ones two or three working days on (past the 24-hour deadline)."""
        local = timezone.localtime(ended)
        if self.rng.random() < late_share:
            day = _business_day(local.date(), 2 + int(self.rng.integers(2)))
            return _aware(day, time(9, 0)) + timedelta(hours=float(self.rng.uniform(0, 8)))
        if self.rng.random() < 0.6:
            return ended + timedelta(hours=float(self.rng.uniform(0.2, 2.5)))
        day = _business_day(local.date(), 1)  # after a Friday loop this is late too
        return _aware(day, time(8, 30)) + timedelta(hours=float(self.rng.uniform(0, 3)))

    def _pending_choose(self, interviews: list[Interview], waits_for: str) -> set[int]:
        """Ada's loop waits for the demo interviewer; the others for their last one or two."""
        if waits_for:
            return {
                i.pk
                for i in interviews
                if i.interviewer is not None and i.interviewer.user.username == waits_for
            }
        count = 1 + int(self.rng.integers(2))
        return {i.pk for i in interviews[-count:]}

    def _scorecard_submit(
        self,
        interview: Interview,
        entry: _Entry,
        *,
        ability: NDArray[np.float64],
        competency_index: dict[str, int],
        leniency: float,
        noise_sd: float,
        bar_latent: float,
        cuts: NDArray[np.float64],
        names: dict[str, str],
    ) -> Scorecard:
        """One interviewer's feedback: latent = ability + leniency + noise per focus competency,
        cut into 1-4 exactly as the simulation does; sometimes no signal, with a reason."""
        from hiring.services import RatingInput, ScorecardInput, scorecard_start, scorecard_submit

        assert interview.interviewer is not None
        user = interview.interviewer.user
        keys = [row.competency.key for row in interview.focus_rows.all()]
        latents = {
            key: float(ability[competency_index[key]])
            + leniency
            + noise_sd * float(self.rng.standard_normal())
            for key in keys
        }
        missing = {key for key in keys if self.rng.random() < 0.06}
        if missing == set(keys):
            missing.discard(keys[0])
        ratings = []
        rated: dict[str, int] = {}
        for key in keys:
            if key in missing:
                ratings.append(
                    RatingInput(
                        competency=key,
                        no_signal=True,
                        no_signal_reason=self.writer.no_signal_reason(names[key]),
                    )
                )
                continue
            value = 1 + int((latents[key] > cuts).sum())
            rated[key] = value
            ratings.append(
                RatingInput(competency=key, rating=value, evidence=self.writer.evidence(key, value))
            )
        # The overall view follows the interviewer's own ratings, with a little judgement on top.
        overall_latent = float(np.mean([latents[key] for key in rated])) + 0.3 * noise_sd * float(
            self.rng.standard_normal()
        )
        recommendation = 1 + int((overall_latent > cuts).sum())
        if recommendation >= 3:
            above = recommendation == 4 and overall_latent > bar_latent + 1.2
            assessment = LevelAssessment.ABOVE if above else LevelAssessment.AT
        else:
            assessment = LevelAssessment.BELOW
        best = max(rated, key=lambda k: rated[k])
        worst = min(rated, key=lambda k: rated[k])
        summary = self.writer.summary(
            recommendation,
            entry.requisition.level.code,
            names[best] if rated[best] >= 3 else "",
            names[worst] if rated[worst] <= 2 else "",
            assessment == LevelAssessment.ABOVE,
        )
        card = scorecard_start(interview=interview, user=user)
        return scorecard_submit(
            scorecard=card,
            user=user,
            version=card.version,
            data=ScorecardInput(
                ratings=tuple(ratings),
                overall_recommendation=recommendation,
                level_assessment=assessment,
                summary=summary,
                fields_given=frozenset({"overall_recommendation", "level_assessment", "summary"}),
            ),
        )

    def _backdate(self, stamps: list[tuple[Scorecard, datetime]]) -> None:
        """The services stamp a submission with the current time, but the demo's feedback was
        written over the last weeks, some of it after the 24-hour deadline: set the times the
        story needs (submission and its history), so late rates and days waiting are real."""
        for card, submitted_at in stamps:
            Scorecard.objects.filter(pk=card.pk).update(submitted_at=submitted_at)
            revisions = ScorecardRevision.objects.filter(scorecard_id=card.pk)
            revisions.filter(action=RevisionAction.SUBMITTED).update(changed_at=submitted_at)
            opened = card.interview.starts_at or submitted_at
            revisions.exclude(action=RevisionAction.SUBMITTED).update(changed_at=opened)

    # -- the committee --

    def packets_settle(self) -> list[Packet]:
        """Fit the calibration once, then bring every packet up to date in this transaction (the
        refresh tasks queued by the submissions run only after the commit, and then change
        nothing), and date each one ready when its last feedback came in."""
        from hiring.packets import calibration_refit, packet_refresh

        calibration_refit()
        packets = []
        for packet_id in Packet.objects.order_by("pk").values_list("pk", flat=True):
            packet = packet_refresh(packet_id=packet_id)
            if packet.status == PacketStatus.READY:
                last = Scorecard.objects.filter(
                    interview__loop__application=packet.application_id,
                    status=ScorecardStatus.SUBMITTED,
                    is_shadow=False,
                ).aggregate(last=Max("submitted_at"))["last"]
                Packet.objects.filter(pk=packet.pk).update(ready_at=last)
                packets.append(packet)
        return packets

    def committee_act(self, entries: list[_Entry], ready: list[Packet]) -> None:
        """Move complete applications to committee review, then a few votes and decisions."""
        from hiring.services import application_move

        by_application = {packet.application_id: packet for packet in ready}
        for entry in entries:
            if entry.stage == COMPLETE and entry.application is not None:
                application_move(application=entry.application, status=ApplicationStatus.DEBRIEF)
        scored = [
            packet
            for entry in entries
            if entry.stage == COMPLETE
            and entry.application is not None
            and (packet := by_application.get(entry.application.pk)) is not None
            and packet.p_above_bar is not None
        ]
        chosen: dict[int, str] = {}
        titles = [spec.title for spec in _REQUISITIONS]

        def of(title: str) -> list[Packet]:
            rows = [p for p in scored if p.application.requisition.title == title]
            return sorted((p for p in rows if p.pk not in chosen), key=_p)

        # A clear hire and a clear no hire on each of the first two requisitions.
        for title in titles[:2]:
            rows = of(title)
            if rows and _p(rows[-1]) >= 0.5:
                chosen[rows[-1].pk] = "hire"
            if rows and _p(rows[0]) < 0.5 and rows[0].pk not in chosen:
                chosen[rows[0].pk] = "no_hire"
        # A hire against the evidence, with the rationale the service insists on.
        rows = [p for p in of(titles[2]) if 0.15 <= _p(p) < 0.5]
        if rows:
            chosen[rows[-1].pk] = "diverging_hire"
        # A hold asking for a follow-up: the packet closest to the fence.
        rest = [p for p in scored if p.pk not in chosen]
        if rest:
            chosen[min(rest, key=lambda p: abs(_p(p) - 0.5)).pk] = "hold"

        first_hire = True
        for packet in scored:
            plan = chosen.get(packet.pk)
            if plan is None:
                continue
            self._votes_cast(packet, plan)
            hired = self._decide(packet, plan, accept_offer=first_hire and plan == "hire")
            first_hire = first_hire and not hired
        # Early votes on a few packets still under review: the non-login members got there first,
        # so the demo committee logins still have their own votes to cast.
        early = [p for p in scored if p.pk not in chosen][:: max(len(scored) // 5, 1)]
        for packet in early:
            members = [
                user
                for user in packet.application.requisition.committee_members.all()
                if user.username not in ("casey.committee", "morgan.chair")
            ]
            if members:
                member = members[int(self.rng.integers(len(members)))]
                self._vote(packet, member, None, int(self.rng.integers(4)))
        self._committee_backdate()

    def _committee_backdate(self) -> None:
        """As with the feedback, the services stamp votes and decisions with the current time;
        in the story the committee met a few working days after each packet was ready, so the
        packet pages show a believable history and "days waiting" means something."""
        now = timezone.now()
        packets = Packet.objects.filter(votes__isnull=False, ready_at__isnull=False).distinct()
        for packet in packets.select_related("current_decision"):
            assert packet.ready_at is not None
            ready = packet.ready_at
            latest = now - timedelta(minutes=float(self.rng.uniform(20, 120)))
            if packet.current_decision is not None:
                days = 1 + int(self.rng.integers(4))
                latest = min(self._office_moment(ready, days), latest)
                Decision.objects.filter(packet=packet).update(decided_at=latest)
                latest -= timedelta(minutes=float(self.rng.uniform(20, 90)))
            else:
                days = max(_business_days_between(ready, now), 1)
            votes = list(packet.votes.order_by("cast_at", "pk").values_list("pk", flat=True))
            moments = sorted(
                min(self._office_moment(ready, int(self.rng.integers(days + 1))), latest)
                for _ in votes
            )
            for vote_id, moment in zip(votes, moments, strict=True):
                Vote.objects.filter(pk=vote_id).update(cast_at=moment)

    def _office_moment(self, after: datetime, working_days: int) -> datetime:
        """A time in office hours `working_days` after `after` (later that day when 0)."""
        day = _business_day(timezone.localtime(after).date(), working_days)
        moment = _aware(day, time(9, 0)) + timedelta(hours=float(self.rng.uniform(0, 9)))
        if moment <= after:
            moment = after + timedelta(hours=float(self.rng.uniform(0.5, 3)))
        return moment

    def _votes_cast(self, packet: Packet, plan: str) -> None:
        members = list(packet.application.requisition.committee_members.order_by("username"))
        first = int(self.rng.integers(4))  # members word their rationales differently
        for n, member in enumerate(members):
            against = plan == "diverging_hire" and member.username == "morgan.chair"
            self._vote(packet, member, "hire" if against else None, first + n)

    def _vote(self, packet: Packet, member: User, forced: str | None, variant: int) -> None:
        from hiring.committee import vote_cast

        p = _p(packet)
        choice = forced or (
            VoteChoice.HIRE if p >= 0.6 else VoteChoice.NO_HIRE if p < 0.35 else VoteChoice.HOLD
        )
        if forced is None and 0.2 < p < 0.8 and self.rng.random() < 0.25:
            choice = VoteChoice.HOLD  # the odd cautious member, when the evidence is not clear-cut
        requisition = packet.application.requisition
        level = requisition.level if choice != VoteChoice.NO_HIRE else _level_below(requisition)
        best, worst = _best_worst(packet)
        template = _VOTE_RATIONALES[VoteChoice(choice)][variant % 4]
        if forced:
            template = _VOTE_AGAINST_EVIDENCE
        rationale = template.format(level=requisition.level.code, p=p, best=best, worst=worst)
        vote_cast(packet=packet, user=member, choice=choice, level=level, rationale=rationale)

    def _decide(self, packet: Packet, plan: str, *, accept_offer: bool) -> bool:
        """Record the chair's decision; True when the candidate also accepted the offer."""
        from hiring.committee import decision_record, follow_up_propose
        from hiring.services import application_move

        chair = self.users["morgan.chair"]
        requisition = packet.application.requisition
        level = requisition.level
        p = _p(packet)
        best, worst = _best_worst(packet)
        votes = list(packet.votes.values_list("choice", flat=True))
        tally = f"{votes.count('hire')} of {len(votes)} votes to hire"
        if plan == "hire":
            decision_record(
                packet=packet,
                user=chair,
                outcome=VoteChoice.HIRE,
                level=level,
                rationale=f"Hire at {level.code}: consistent evidence above the bar (P = {p:.2f}), "
                f"strongest on {best}; {tally}.",
            )
            if accept_offer:
                application_move(application=packet.application, status=ApplicationStatus.HIRED)
                return True
        elif plan == "no_hire":
            decision_record(
                packet=packet,
                user=chair,
                outcome=VoteChoice.NO_HIRE,
                level=None,
                rationale=f"No hire: {worst} is well below the {level.code} bar and the committee "
                "agreed. Encourage them to reapply in a year.",
            )
        elif plan == "diverging_hire":
            decision_record(
                packet=packet,
                user=chair,
                outcome=VoteChoice.HIRE,
                level=level,
                rationale=f"Hire at {level.code} although P(above the bar) is {p:.2f}: the low "
                f"ratings concentrate on {worst}, which we can coach, while {best} is exactly the "
                "gap on the team. Offer with a 90-day plan and a mentor; revisit at the first "
                "review.",
            )
        else:
            try:
                follow_up = bool(follow_up_propose(packet=packet).plan.interviews)
            except ValidationError:  # nothing on the packet calls for one: a plain hold
                follow_up = False
            decision_record(
                packet=packet,
                user=chair,
                outcome=VoteChoice.HOLD,
                level=level,
                rationale=f"Hold: the evidence on {worst} spans the bar. One short follow-up "
                "interview on it before we decide.",
                follow_up=follow_up,
            )
        return False

    # -- all of it --

    def build(self) -> list[str]:
        self.people_ensure()
        requisitions = self.requisitions_ensure()
        # Ada's loop is planned while the demo interviewer is the whole pool, so he leads one of
        # its interviews; the rest of the pool, created next, takes the others.
        ada = demo_application_ensure()
        if ada is None:
            ada = Application.objects.filter(
                requisition__title=DEMO_REQUISITION, candidate__email="ada.demo@example.com"
            ).first()
        self.interviewers_ensure()
        if ada is not None:
            self._assign_rest(ada)
        entries = self.entries_plan(requisitions, ada)
        self.applications_create(entries)
        self.feedback_write(entries)
        ready = self.packets_settle()
        self.committee_act(entries, ready)
        return self.problems


_VOTE_RATIONALES: dict[VoteChoice, tuple[str, ...]] = {
    VoteChoice.HIRE: (
        "Clears the {level} bar (P = {p:.2f}). Strongest on {best}; {worst} is the one to coach.",
        "Hire. {best} stood out in more than one interview, and nothing on the must-haves is a "
        "real worry.",
        "Consistent signal across the loop; {best} is what this team needs. {worst} is fine to "
        "grow on the job.",
        "Yes at {level}: the calibrated evidence is above the bar and the interviewers agree.",
    ),
    VoteChoice.NO_HIRE: (
        "Below the {level} bar (P = {p:.2f}). {worst} came in low across interviewers, and {best} "
        "alone does not carry it.",
        "No hire at {level}. The gap on {worst} is too wide for this role today.",
        "Not yet: {worst} is well short of what {level} needs; worth another look in a year.",
        "The evidence is clear and consistent: below the bar, mostly on {worst}.",
    ),
    VoteChoice.HOLD: (
        "On the fence (P = {p:.2f}). I would like one more signal on {worst} before deciding.",
        "Hold: strong on {best}, but {worst} rests on a single interview.",
        "Not convinced either way; a short follow-up on {worst} would settle it.",
        "The interval straddles the bar. Hold until we know more about {worst}.",
    ),
}

_VOTE_AGAINST_EVIDENCE = (
    "The low ratings sit on {worst}, which this team can coach; {best} is exactly what the team "
    "lacks. I would hire with a mentor for the first quarter."
)


def _p(packet: Packet) -> float:
    return float(packet.p_above_bar) if packet.p_above_bar is not None else 0.0


def _level_below(requisition: Requisition) -> Level:
    """The level a no-hire vote would consider instead: one rank down on the same track."""
    level = requisition.level
    lower = (
        Level.objects.filter(ladder_id=level.ladder_id, track=level.track, rank__lt=level.rank)
        .order_by("-rank")
        .first()
    )
    return lower or level


def _best_worst(packet: Packet) -> tuple[str, str]:
    """The packet's strongest and weakest competency by calibrated mean, by name."""
    rows = [c for c in (packet.result or {}).get("competencies", []) if c.get("mean") is not None]
    if not rows:
        return "the loop overall", "the loop overall"
    names = dict(Competency.objects.values_list("key", "name"))
    best = max(rows, key=lambda c: c["mean"])["competency"]
    worst = min(rows, key=lambda c: c["mean"])["competency"]
    return names.get(best, best), names.get(worst, worst)


# --- the demo interviewer's feedback to write -----------------------------------------------------


def _last_business_day() -> date:
    return _business_day(timezone.localdate(), -1)


@transaction.atomic
def demo_application_ensure() -> Application | None:
    """One application whose loop ran on the last working day, so the demo interviewer has
    feedback to write. Created once; nothing happens when the rubric is not imported yet."""
    from hiring.services import application_create, candidate_create, requisition_create

    if Requisition.objects.filter(title=DEMO_REQUISITION).exists():
        requisition = Requisition.objects.get(title=DEMO_REQUISITION)
        if Application.objects.filter(
            requisition=requisition, candidate__email="ada.demo@example.com"
        ).exists():
            return None
    else:
        requisition = None
    profile = RoleProfile.objects.filter(key="machine-learning-engineer", is_current=True).first()
    level = Level.objects.filter(code="IC3").first()
    users = get_user_model().objects
    recruiter = users.filter(username="riley.recruiter").first()
    committee = users.filter(username="casey.committee").first()
    if profile is None or level is None or recruiter is None or committee is None:
        return None
    if requisition is None:
        requisition = requisition_create(
            title=DEMO_REQUISITION,
            role_profile=profile,
            level=level,
            hiring_manager=committee,
            recruiter=recruiter,
            committee_members=[committee],
        )
    candidate = Candidate.objects.filter(email="ada.demo@example.com").first() or candidate_create(
        name="Ada Demo", email="ada.demo@example.com", source="referral"
    )
    application = application_create(candidate=candidate, requisition=requisition).application
    if application.loop is not None:
        loop_schedule_day(loop=application.loop, starts_at=_aware(_last_business_day(), time(9, 0)))
    return application
