"""The Django side of the HTTP benchmark, run by tests/bench/bench_http.py in subprocesses whose
environment points at the bench database (DJANGO_SETTINGS_MODULE=tests.bench.settings).

    python -m tests.bench.http_tasks seed --bulk 10000 --out seed.json
    python -m tests.bench.http_tasks queries --seed seed.json --out queries.json
    python -m tests.bench.http_tasks refresh --seed seed.json --out refresh.json

`seed` builds the data. Applications whose scorecards the benchmark writes go through the
services a recruiter and an interviewer would use (requisition_create, candidate_create,
application_create with loop planning and assignment, loop_schedule_day in the past,
scorecard_start, scorecard_submit). The 10,000 dashboard rows do not: planning and assigning 10,000
loops through the services would take most of an hour, and the dashboard reads only the
candidate, the application, the packet, its votes and its decision, so those rows are written with
bulk_create (candidates, applications without a loop, packets with a result, votes, decisions).
`queries` counts the queries per request and times requests in-process (Django's test client,
no HTTP server). `refresh` times packet_refresh and calibration_refit.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

BULK_CANDIDATE_DOMAIN = "bulk.bench.example"
EVIDENCE = (
    "Walked through the trade-offs of the offline and online metrics, named the failure mode "
    "of the proposed sampling and fixed it without a hint."
)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    django.setup()


def _median_ms(durations: list[float]) -> float:
    return statistics.median(durations) * 1000


# --- seed -----------------------------------------------------------------------------------------


def _user(username: str, *groups: str, superuser: bool = False) -> Any:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username=username,
        email=f"{username}@bench.example",
        password=None,
        is_superuser=superuser,
        is_staff=superuser,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def _token(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return str(Token.objects.get_or_create(user=user)[0].key)


def _session(user: Any) -> str:
    """A real session in the database, as a sign-in leaves it, without the sign-in page."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _card_description(card: Any, application_id: int, token: str) -> dict[str, Any]:
    return {
        "id": card.pk,
        "version": card.version,
        "application": application_id,
        "token": token,
        "competencies": [row.competency.key for row in card.ratings.select_related("competency")],
    }


def _full_input(card: Any, rating: int) -> Any:
    from hiring.services import RatingInput, ScorecardInput

    return ScorecardInput(
        ratings=tuple(
            RatingInput(competency=row.competency.key, rating=rating, evidence=EVIDENCE)
            for row in card.ratings.select_related("competency")
        ),
        overall_recommendation=rating,
        level_assessment="at",
        summary="Solid on the focus competencies; see the evidence.",
        fields_given=frozenset({"overall_recommendation", "level_assessment", "summary"}),
    )


def seed(arguments: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from hiring.models import (
        Application,
        ApplicationStatus,
        Candidate,
        Decision,
        Packet,
        PacketStatus,
        Vote,
        VoteChoice,
    )
    from hiring.services import (
        application_create,
        candidate_create,
        requisition_create,
        scorecard_start,
        scorecard_submit,
    )
    from loops.models import Interviewer
    from loops.services import loop_schedule_day
    from rubrics.models import Expectation, InterviewKind, Level, RoleProfile

    started = time.perf_counter()
    rng = random.Random(20261123)
    now = timezone.now()

    recruiter = _user("bench.recruiter", "recruiter")
    manager = _user("bench.manager")
    member = _user("bench.committee", "committee member")
    others = [_user(f"bench.member{n}", "committee member") for n in range(2)]
    chair = _user("bench.chair", "committee member", "committee chair")
    committee = [member, *others, chair]

    # Interviewers who may run every kind at every level. Weekly caps are lifted: the bench
    # plans a few hundred loops in one week, which real caps (4 a week) would refuse.
    top = Level.objects.order_by("-rank").first()
    assert top is not None, "import the role profiles first"
    kinds = list(InterviewKind.objects.filter(ladder_id=top.ladder_id))
    tokens: dict[int, str] = {}
    for n in range(arguments.interviewers):
        user = _user(f"bench.interviewer{n:02d}", "interviewer")
        person = Interviewer.objects.create(user=user, max_level=top, weekly_cap=1000)
        person.kinds.set(kinds)
        tokens[user.pk] = _token(user)

    cases = sorted(
        {
            (row["role_profile_id"], row["level_id"])
            for row in Expectation.objects.filter(role_profile__is_current=True).values(
                "role_profile_id", "level_id"
            )
        }
    )
    requisitions = []
    for copy in range(2):
        for profile_id, level_id in cases:
            profile = RoleProfile.objects.get(pk=profile_id)
            level = Level.objects.get(pk=level_id)
            requisitions.append(
                requisition_create(
                    title=f"{profile.name} {level.code} #{copy + 1}",
                    role_profile=profile,
                    level=level,
                    hiring_manager=manager,
                    recruiter=recruiter,
                    committee_members=committee,
                )
            )

    # Applications through the services, with their loops planned, assigned and held in the past.
    pools = {"draft": arguments.draft_apps, "submit": arguments.submit_apps}
    pools["refresh"] = arguments.refresh_apps
    pools["profile"] = 4
    create_seconds: list[float] = []
    described: dict[str, list[dict[str, Any]]] = {name: [] for name in pools}
    refresh_packets: list[int] = []
    serial = 0
    for pool, count in pools.items():
        for _ in range(count):
            serial += 1
            requisition = requisitions[serial % len(requisitions)]
            candidate = candidate_create(
                name=f"Bench Candidate {serial:04d}", email=f"candidate{serial}@bench.example"
            )
            before = time.perf_counter()
            created = application_create(
                candidate=candidate, requisition=requisition, created_by=recruiter
            )
            create_seconds.append(time.perf_counter() - before)
            if created.assignment_problems:
                raise SystemExit(f"assignment problems: {created.assignment_problems}")
            application = created.application
            loop = application.loop
            assert loop is not None
            loop_schedule_day(loop=loop, starts_at=now - timedelta(days=2, minutes=serial))
            interviews = list(
                loop.interviews.select_related("interviewer__user").order_by("position")
            )
            for interview in interviews:
                assert interview.interviewer is not None
                user = interview.interviewer.user
                card = scorecard_start(interview=interview, user=user)
                if pool == "refresh":
                    scorecard_submit(
                        scorecard=card,
                        user=user,
                        version=card.version,
                        data=_full_input(card, rng.choice((2, 3, 3, 4))),
                    )
                else:
                    described[pool].append(_card_description(card, application.pk, tokens[user.pk]))
            if pool == "refresh":
                refresh_packets.append(Packet.objects.get(application=application).pk)

    # The dashboard's bulk: candidates, applications and packets in every state, with votes
    # and decisions, spread over the requisitions.
    bulk_started = time.perf_counter()
    statuses = [PacketStatus.COLLECTING] * 3 + [PacketStatus.READY] * 4 + [PacketStatus.DECIDED] * 3
    with transaction.atomic():
        candidates = Candidate.objects.bulk_create(
            [
                Candidate(name=f"Candidate {n:05d}", email=f"c{n}@{BULK_CANDIDATE_DOMAIN}")
                for n in range(arguments.bulk)
            ],
            batch_size=2000,
        )
        applications = Application.objects.bulk_create(
            [
                Application(
                    candidate=candidate,
                    requisition=requisitions[n % len(requisitions)],
                    status=ApplicationStatus.DEBRIEF,
                )
                for n, candidate in enumerate(candidates)
            ],
            batch_size=2000,
        )
        packets = []
        for application in applications:
            status = rng.choice(statuses)
            p_above = rng.random() if status != PacketStatus.COLLECTING else None
            score = 1.5 + 2 * rng.random()
            packets.append(
                Packet(
                    application=application,
                    status=status,
                    stale=False,
                    result={
                        "method": "rater_effects",
                        "score": score,
                        "lower": score - 0.4,
                        "upper": score + 0.4,
                        "p_above_bar": p_above,
                    }
                    if p_above is not None
                    else {"method": "none", "n_interviews": 0},
                    inputs_hash="bulk",
                    model_version="bulk",
                    computed_at=now,
                    computations=1,
                    marked_stale_at=now - timedelta(days=rng.randint(0, 60)),
                    p_above_bar=p_above,
                    ready_at=None
                    if status == PacketStatus.COLLECTING
                    else now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440)),
                )
            )
        packets = Packet.objects.bulk_create(packets, batch_size=2000)
        level_of = {requisition.pk: requisition.level_id for requisition in requisitions}
        votes = []
        decisions = []
        for packet, application in zip(packets, applications, strict=True):
            if packet.status == PacketStatus.COLLECTING:
                continue
            level_id = level_of[application.requisition_id]
            for person in rng.sample(committee, rng.randint(0, len(committee))):
                votes.append(
                    Vote(
                        packet=packet,
                        member=person,
                        choice=rng.choice(list(VoteChoice.values)),
                        level_id=level_id,
                        rationale="Bench vote.",
                        p_above_bar_seen=packet.p_above_bar,
                    )
                )
            if packet.status == PacketStatus.DECIDED:
                p_above = packet.p_above_bar or 0.0
                decisions.append(
                    Decision(
                        packet=packet,
                        version=1,
                        outcome=VoteChoice.HIRE if p_above >= 0.5 else VoteChoice.NO_HIRE,
                        level_id=level_id,
                        rationale="Bench decision.",
                        p_above_bar=p_above,
                        decided_by=chair,
                    )
                )
        Vote.objects.bulk_create(votes, batch_size=5000)
        decisions = Decision.objects.bulk_create(decisions, batch_size=5000)
        by_packet = {decision.packet_id: decision for decision in decisions}
        decided = [packet for packet in packets if packet.pk in by_packet]
        for packet in decided:
            packet.current_decision = by_packet[packet.pk]
        Packet.objects.bulk_update(decided, ["current_decision"], batch_size=2000)
    bulk_seconds = time.perf_counter() - bulk_started

    return {
        "committee_session": _session(member),
        "committee_token": _token(member),
        "committee_user": member.pk,
        "cards": described,
        "refresh_packets": refresh_packets,
        "requisitions": len(requisitions),
        "interviewers": arguments.interviewers,
        "bulk": {
            "candidates": len(candidates),
            "applications": len(applications),
            "packets": len(packets),
            "votes": len(votes),
            "decisions": len(decisions),
            "seconds": bulk_seconds,
        },
        "application_create": {
            "count": len(create_seconds),
            "median_ms": _median_ms(create_seconds),
            "max_ms": max(create_seconds) * 1000,
        },
        "packets_total": Packet.objects.count(),
        "seconds": time.perf_counter() - started,
    }


# --- in-process query counts and server times -----------------------------------------------------


def _measure(
    call: Callable[[], Any], *, repeats: int, check: Callable[[Any], None]
) -> dict[str, Any]:
    """Query count and SQL of one call, then the median wall time of `repeats` more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        check(call())
    # Read now: the property slices the connection's log, which the next request clears.
    sql = [query["sql"] for query in captured.captured_queries]
    durations = []
    for _ in range(repeats):
        before = time.perf_counter()
        check(call())
        durations.append(time.perf_counter() - before)
    return {
        "queries": len(sql),
        "sql": sql,
        "median_ms": _median_ms(durations) if durations else None,
        "repeats": repeats,
    }


def _ok(response: Any) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")


def _body(card: dict[str, Any], version: int, rating: int) -> str:
    return json.dumps(
        {
            "version": version,
            "ratings": [
                {"competency": key, "rating": rating, "evidence": EVIDENCE}
                for key in card["competencies"]
            ],
            "overall_recommendation": rating,
            "level_assessment": "at",
            "summary": "Solid on the focus competencies; see the evidence.",
        }
    )


def queries(arguments: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from hiring.models import Scorecard

    seeded = json.loads(Path(arguments.seed).read_text())
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = seeded["committee_session"]
    results: dict[str, Any] = {}
    for name, path in (
        ("floor", "/bench/floor/"),
        ("page", "/packets/"),
        ("api", "/api/packets/?limit=25"),
        ("raw_page", "/bench/raw-dashboard/"),
        ("raw_json", "/bench/raw-dashboard.json"),
    ):
        results[name] = _measure(
            functools.partial(client.get, path), repeats=arguments.repeats, check=_ok
        )

    # Draft saves on one scorecard kept aside for this, then submits of the other spare
    # scorecards (each can be submitted once): the first is counted, the rest timed.
    draft_card, *spare = seeded["cards"]["profile"]
    api = Client()
    auth = {"Authorization": f"Token {draft_card['token']}"}
    state = {"version": Scorecard.objects.get(pk=draft_card["id"]).version}

    def draft() -> Any:
        response = api.put(
            f"/api/scorecards/{draft_card['id']}/draft/",
            data=_body(draft_card, state["version"], 1 + state["version"] % 4),
            content_type="application/json",
            headers=auth,
        )
        if response.status_code == 200:
            state["version"] = response.json()["version"]
        return response

    results["draft"] = _measure(draft, repeats=arguments.repeats, check=_ok)
    drafts = dict(
        Scorecard.objects.filter(pk__in=[card["id"] for card in spare], status="draft").values_list(
            "pk", "version"
        )
    )
    pending = [card for card in spare if card["id"] in drafts]
    if len(pending) < 2:
        raise SystemExit("no spare draft scorecards left to submit: seed again")

    def submit() -> Any:
        card = pending.pop()
        return api.post(
            f"/api/scorecards/{card['id']}/submit/",
            data=_body(card, drafts[card["id"]], 3),
            content_type="application/json",
            headers={"Authorization": f"Token {card['token']}"},
        )

    results["submit"] = _measure(submit, repeats=len(pending) - 1, check=_ok)
    return results


# --- packet refresh and calibration refit ---------------------------------------------------------


def refresh(arguments: argparse.Namespace) -> dict[str, Any]:
    from hiring.models import CompetencyRating, Packet, Scorecard, ScorecardStatus
    from hiring.packets import calibration_refit, packet_refresh

    seeded = json.loads(Path(arguments.seed).read_text())
    ids = seeded["refresh_packets"]

    def timed_refreshes() -> list[float]:
        durations = []
        for packet_id in ids:
            before = time.perf_counter()
            packet = packet_refresh(packet_id=packet_id)
            durations.append(time.perf_counter() - before)
            assert packet.computed_at is not None
            assert not packet.stale
        return durations

    # 1. No calibration yet: each refresh fits the model on the packet's own ratings.
    first = timed_refreshes()
    # 2. Unchanged inputs: the hash matches and nothing is recomputed.
    noop = timed_refreshes()
    # 3. The refit over every submitted scorecard in the database, then each packet scored
    #    against that calibration (what the sweep does after the nightly refit).
    submitted = Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED, is_shadow=False)
    ratings = CompetencyRating.objects.filter(scorecard__in=submitted, rating__isnull=False)
    before = time.perf_counter()
    calibration = calibration_refit()
    refit_seconds = time.perf_counter() - before
    calibrated = timed_refreshes()
    computations = list(Packet.objects.filter(pk__in=ids).values_list("computations", flat=True))
    return {
        "packets": len(ids),
        "first_median_ms": _median_ms(first),
        "first_max_ms": max(first) * 1000,
        "noop_median_ms": _median_ms(noop),
        "calibrated_median_ms": _median_ms(calibrated),
        "calibrated_max_ms": max(calibrated) * 1000,
        "computations": sorted(set(computations)),
        "refit": {
            "seconds": refit_seconds,
            "scorecards": calibration.n_scorecards,
            "ratings": calibration.n_ratings,
            "competency_ratings": ratings.count(),
            "method": calibration.method,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("--bulk", type=int, default=10_000)
    seeding.add_argument("--interviewers", type=int, default=16)
    seeding.add_argument("--draft-apps", type=int, default=8)
    seeding.add_argument("--submit-apps", type=int, default=120)
    seeding.add_argument("--refresh-apps", type=int, default=50)
    seeding.add_argument("--out", required=True)
    counting = commands.add_parser("queries")
    counting.add_argument("--seed", required=True)
    counting.add_argument("--repeats", type=int, default=30)
    counting.add_argument("--out", required=True)
    refreshing = commands.add_parser("refresh")
    refreshing.add_argument("--seed", required=True)
    refreshing.add_argument("--out", required=True)
    arguments = parser.parse_args(argv)
    _setup()
    run = {"seed": seed, "queries": queries, "refresh": refresh}[arguments.command]
    result = run(arguments)
    Path(arguments.out).write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
