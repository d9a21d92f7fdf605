"""Writes for hiring: candidates, requisitions, applications and scorecards.

Every rule about a scorecard (who may write it, when it may be submitted, what a complete one
holds, that a submitted one changes only through an amendment) lives here, and the pages, the API
and the admin all call these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hiring.errors import ConflictError
from hiring.models import (
    Application,
    ApplicationStatus,
    Candidate,
    CompetencyRating,
    LevelAssessment,
    Requisition,
    RevisionAction,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    SelfIdentification,
)
from hiring.packets import calibration_refit_if_due, packet_mark_stale
from loops.models import Interview, InterviewQuestion, InterviewStatus
from loops.services import loop_assign_interviewers, loop_generate
from rubrics.models import Level, RoleProfile
from rubrics.services import role_profile_level_require

# --- candidates, requisitions, applications -------------------------------------------------------


def candidate_create(
    *, name: str, email: str, phone: str = "", resume_url: str = "", source: str = "inbound"
) -> Candidate:
    candidate = Candidate(
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        resume_url=resume_url.strip(),
        source=source,
    )
    candidate.full_clean(validate_constraints=False)
    if Candidate.objects.filter(email__iexact=candidate.email).exists():
        raise ValidationError({"email": "A candidate with this email already exists."})
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:  # a concurrent create with the same email
        raise ValidationError({"email": "A candidate with this email already exists."}) from exc
    return candidate


def candidate_update(*, candidate: Candidate, **changes: Any) -> Candidate:
    allowed = {"name", "email", "phone", "resume_url", "source"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    for name, value in changes.items():
        setattr(candidate, name, value.strip().lower() if name == "email" else value)
    candidate.full_clean()
    candidate.save(update_fields=list(changes))
    return candidate


def requisition_create(
    *,
    title: str,
    role_profile: RoleProfile,
    level: Level,
    hiring_manager: User,
    recruiter: User,
    committee_members: Iterable[User] = (),
) -> Requisition:
    role_profile_level_require(role_profile=role_profile, level=level)
    with transaction.atomic():
        requisition = Requisition(
            title=title.strip(),
            role_profile=role_profile,
            level=level,
            hiring_manager=hiring_manager,
            recruiter=recruiter,
        )
        requisition.full_clean()
        requisition.save()
        requisition.committee_members.set(list(committee_members))
    return requisition


@dataclass(frozen=True)
class ApplicationCreated:
    application: Application
    assignment_problems: list[str] = field(default_factory=list)


def questions_asked_to(*, candidate: Candidate) -> frozenset[str]:
    return frozenset(
        InterviewQuestion.objects.filter(
            interview__loop__application__candidate=candidate
        ).values_list("question__key", flat=True)
    )


@transaction.atomic
def application_create(
    *, candidate: Candidate, requisition: Requisition, created_by: User | None = None
) -> ApplicationCreated:
    """Open the application, plan its loop (never repeating a question this candidate was asked
    in an earlier loop) and assign interviewers where the pool allows."""
    if Application.objects.filter(candidate=candidate, requisition=requisition).exists():
        raise ValidationError({"candidate": "This candidate already applied to this requisition."})
    loop = loop_generate(
        role_profile=requisition.role_profile,
        level=requisition.level,
        title=f"{candidate.name}: {requisition.title}",
        used_question_keys=questions_asked_to(candidate=candidate),
        created_by=created_by,
    )
    application = Application(
        candidate=candidate,
        requisition=requisition,
        loop=loop,
        status=ApplicationStatus.INTERVIEWING,
    )
    application.full_clean()
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # a concurrent create won the unique constraint
        raise ValidationError(
            {"candidate": "This candidate already applied to this requisition."}
        ) from exc
    problems = loop_assign_interviewers(loop=loop, candidate_email=candidate.email)
    return ApplicationCreated(application=application, assignment_problems=problems)


ALLOWED_MOVES: Mapping[str, set[str]] = {
    ApplicationStatus.APPLIED: {
        ApplicationStatus.INTERVIEWING,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.INTERVIEWING: {
        ApplicationStatus.DEBRIEF,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.DEBRIEF: {
        ApplicationStatus.OFFER,
        ApplicationStatus.REJECTED,
        ApplicationStatus.INTERVIEWING,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.OFFER: {
        ApplicationStatus.HIRED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.HIRED: set(),
    ApplicationStatus.REJECTED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}


@transaction.atomic
def application_move(*, application: Application, status: str) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if status not in ALLOWED_MOVES.get(application.status, set()):
        raise ValidationError(
            {
                "status": f"An application cannot move from {application.get_status_display()} "
                f"to {status}."
            }
        )
    application.status = status
    application.save(update_fields=["status", "updated_at"])
    if status in CLOSED_STATUSES and application.loop_id is not None:
        _interviews_not_held_cancel(loop_id=application.loop_id)
    return application


CLOSED_STATUSES = (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)


def _interviews_not_held_cancel(*, loop_id: int) -> int:
    """A closed application's interviews that have not happened are cancelled, so they leave
    the interviewers' lists and calendars; held ones (and their feedback) stay."""
    return (
        Interview.objects.filter(loop_id=loop_id)
        .exclude(status=InterviewStatus.CANCELLED)
        .exclude(scorecards__status=ScorecardStatus.SUBMITTED)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__gt=timezone.now()))
        .update(status=InterviewStatus.CANCELLED)
    )


# --- scorecards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    competency: str
    rating: int | None = None
    no_signal: bool = False
    no_signal_reason: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class ScorecardInput:
    """What an interviewer writes; missing parts of a draft are simply left as they were."""

    ratings: tuple[RatingInput, ...] = ()
    overall_recommendation: int | None = None
    level_assessment: str = ""
    summary: str = ""
    fields_given: frozenset[str] = frozenset()


def _interviewer_role(interview: Interview, user: User) -> tuple[Any, bool]:
    """(the interviewer record, is_shadow) for a user on this interview, or PermissionDenied."""
    for person, shadow in ((interview.interviewer, False), (interview.shadow, True)):
        if person is not None and person.user_id == user.pk:
            return person, shadow
    raise PermissionDenied("Only this interview's interviewers write its scorecard.")


@transaction.atomic
def scorecard_start(*, interview: Interview, user: User) -> Scorecard:
    """The user's scorecard for this interview, created as an empty draft on first use."""
    person, is_shadow = _interviewer_role(interview, user)
    scorecard, created = Scorecard.objects.get_or_create(
        interview=interview, interviewer=person, defaults={"is_shadow": is_shadow}
    )
    if created:
        CompetencyRating.objects.bulk_create(
            [
                CompetencyRating(scorecard=scorecard, competency_id=row.competency_id)
                for row in interview.focus_rows.all()
            ]
        )
        _revision_write(scorecard, RevisionAction.DRAFT_SAVED, user, reason="started")
    return scorecard


def _locked_for_author(scorecard: Scorecard, user: User, version: int | None) -> Scorecard:
    # of=self: joined rows stay unlocked, so one interviewer's scorecards do not queue behind
    # each other on their shared Interviewer row.
    locked = (
        Scorecard.objects.select_for_update(of=("self",))
        .select_related("interview", "interviewer")
        .get(pk=scorecard.pk)
    )
    if locked.interviewer.user_id != user.pk:
        raise PermissionDenied("Only the scorecard's author may change it.")
    if version is not None and version != locked.version:
        raise ConflictError(
            f"This scorecard changed since you opened it (version {locked.version}, "
            f"yours {version}). Reload it; nothing was saved."
        )
    return locked


def _ratings_of(scorecard: Scorecard) -> list[CompetencyRating]:
    """Read once per write: applying, checking and the revision snapshot share these rows."""
    return list(scorecard.ratings.select_related("competency").order_by("competency__key"))


def _ratings_apply(ratings: list[CompetencyRating], data: ScorecardInput) -> None:
    rows = {r.competency.key: r for r in ratings}
    errors: dict[str, list[str]] = {}
    changed: dict[int, CompetencyRating] = {}
    for given in data.ratings:
        row = rows.get(given.competency)
        if row is None:
            errors.setdefault(f"{given.competency}.competency", []).append(
                "This competency is not a focus of this interview."
            )
            continue
        if given.rating is not None and (
            isinstance(given.rating, bool) or given.rating not in (1, 2, 3, 4)
        ):
            errors.setdefault(f"{given.competency}.rating", []).append(
                "A rating is 1 (Strong no), 2 (No), 3 (Yes) or 4 (Strong yes)."
            )
            continue
        if given.no_signal and given.rating is not None:
            errors.setdefault(f"{given.competency}.rating", []).append(
                "Give a rating or mark no signal, not both."
            )
            continue
        values = (
            given.rating,
            given.no_signal,
            given.no_signal_reason.strip(),
            given.evidence.strip(),
        )
        if values != (row.rating, row.no_signal, row.no_signal_reason, row.evidence):
            row.rating, row.no_signal, row.no_signal_reason, row.evidence = values
            changed[row.pk] = row
    if errors:
        raise ValidationError(errors)
    if changed:  # an autosave usually changes one rating, or none
        CompetencyRating.objects.bulk_update(
            list(changed.values()), ["rating", "no_signal", "no_signal_reason", "evidence"]
        )


def _fields_apply(scorecard: Scorecard, data: ScorecardInput) -> None:
    given = data.fields_given
    if "overall_recommendation" in given:
        value = data.overall_recommendation
        if value is not None and (isinstance(value, bool) or value not in (1, 2, 3, 4)):
            raise ValidationError({"overall_recommendation": "A recommendation is 1, 2, 3 or 4."})
        scorecard.overall_recommendation = value
    if "level_assessment" in given:
        if data.level_assessment and data.level_assessment not in LevelAssessment.values:
            raise ValidationError({"level_assessment": "Choose below, at or above."})
        scorecard.level_assessment = data.level_assessment
    if "summary" in given:
        scorecard.summary = data.summary.strip()


def scorecard_completeness_errors(
    scorecard: Scorecard, ratings: list[CompetencyRating] | None = None
) -> dict[str, list[str]]:
    """What a scorecard still lacks before it can be submitted, by field."""
    errors: dict[str, list[str]] = {}
    for row in _ratings_of(scorecard) if ratings is None else ratings:
        key = row.competency.key
        if row.no_signal:
            if not row.no_signal_reason:
                errors[f"{key}.no_signal_reason"] = ["Say why there was no signal."]
        elif row.rating is None:
            errors[f"{key}.rating"] = ["Rate this competency or mark no signal."]
        elif not row.evidence:
            errors[f"{key}.evidence"] = ["Write the evidence behind this rating."]
    if scorecard.overall_recommendation is None:
        errors["overall_recommendation"] = ["Give your overall recommendation."]
    if not scorecard.level_assessment:
        errors["level_assessment"] = ["Say whether the candidate is below, at or above the level."]
    if not scorecard.summary:
        errors["summary"] = ["Write a short summary."]
    return errors


def _snapshot(scorecard: Scorecard, ratings: list[CompetencyRating]) -> dict[str, Any]:
    return {
        "status": scorecard.status,
        "overall_recommendation": scorecard.overall_recommendation,
        "level_assessment": scorecard.level_assessment,
        "summary": scorecard.summary,
        "ratings": [
            {
                "competency": row.competency.key,
                "rating": row.rating,
                "no_signal": row.no_signal,
                "no_signal_reason": row.no_signal_reason,
                "evidence": row.evidence,
            }
            for row in ratings
        ],
    }


def _revision_write(
    scorecard: Scorecard,
    action: str,
    user: User,
    reason: str = "",
    ratings: list[CompetencyRating] | None = None,
) -> None:
    ScorecardRevision.objects.create(
        scorecard=scorecard,
        version=scorecard.version,
        action=action,
        snapshot=_snapshot(scorecard, _ratings_of(scorecard) if ratings is None else ratings),
        reason=reason,
        changed_by=user,
    )


def _packet_inputs_changed(scorecard: Scorecard) -> None:
    """In the submitting transaction: the packet goes stale with the scorecard, and its refresh
    (and a refit, when enough feedback arrived) is enqueued only once both are committed."""
    if scorecard.is_shadow:
        return
    application = Application.objects.filter(loop_id=scorecard.interview.loop_id).first()
    if application is None:
        return
    packet_mark_stale(application=application)
    calibration_refit_if_due()


SCORECARD_WRITABLE_FIELDS = [
    "status",
    "overall_recommendation",
    "level_assessment",
    "summary",
    "version",
    "submitted_at",
    "updated_at",
]


def _scorecard_save(scorecard: Scorecard) -> None:
    """Field checks in Python, without full_clean's queries: the interview and interviewer are
    never written here (they came with the locked row), and the rating-range and completeness
    rules are constraints the database checks on this very UPDATE."""
    scorecard.clean_fields(exclude=["interview", "interviewer"])
    scorecard.save(update_fields=SCORECARD_WRITABLE_FIELDS)


@transaction.atomic
def scorecard_save_draft(
    *, scorecard: Scorecard, user: User, version: int, data: ScorecardInput
) -> Scorecard:
    """Save what the interviewer has so far. A stale version raises ConflictError and writes
    nothing, so two tabs cannot silently overwrite each other."""
    scorecard = _locked_for_author(scorecard, user, version)
    if scorecard.status == ScorecardStatus.SUBMITTED:
        raise ConflictError("This scorecard is already submitted; amend it with a reason instead.")
    ratings = _ratings_of(scorecard)
    _ratings_apply(ratings, data)
    _fields_apply(scorecard, data)
    scorecard.version += 1
    _scorecard_save(scorecard)
    _revision_write(scorecard, RevisionAction.DRAFT_SAVED, user, ratings=ratings)
    return scorecard


@transaction.atomic
def scorecard_submit(
    *, scorecard: Scorecard, user: User, version: int, data: ScorecardInput | None = None
) -> Scorecard:
    """Submit exactly once, complete, and not before the interview has started."""
    scorecard = _locked_for_author(scorecard, user, None)
    if scorecard.status == ScorecardStatus.SUBMITTED:
        raise ConflictError("This scorecard was already submitted.")
    if version != scorecard.version:
        raise ConflictError(
            f"This scorecard changed since you opened it (version {scorecard.version}, "
            f"yours {version}). Reload it; nothing was saved."
        )
    starts_at = scorecard.interview.starts_at
    if starts_at is None or starts_at > timezone.now():
        raise ValidationError("Feedback can be submitted once the interview has started.")
    ratings = _ratings_of(scorecard)
    if data is not None:
        _ratings_apply(ratings, data)
        _fields_apply(scorecard, data)
    errors = scorecard_completeness_errors(scorecard, ratings)
    if errors:
        raise ValidationError(errors)
    scorecard.status = ScorecardStatus.SUBMITTED
    scorecard.submitted_at = timezone.now()
    scorecard.version += 1
    _scorecard_save(scorecard)
    _revision_write(scorecard, RevisionAction.SUBMITTED, user, ratings=ratings)
    _packet_inputs_changed(scorecard)
    return scorecard


@transaction.atomic
def scorecard_amend(
    *, scorecard: Scorecard, user: User, version: int, reason: str, data: ScorecardInput
) -> Scorecard:
    """Change a submitted scorecard. The reason and the before/after are kept in the history."""
    scorecard = _locked_for_author(scorecard, user, version)
    if scorecard.status != ScorecardStatus.SUBMITTED:
        raise ValidationError("Only a submitted scorecard is amended; save the draft instead.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the submitted feedback changes."})
    ratings = _ratings_of(scorecard)
    _ratings_apply(ratings, data)
    _fields_apply(scorecard, data)
    errors = scorecard_completeness_errors(scorecard, ratings)
    if errors:
        raise ValidationError(errors)
    scorecard.version += 1
    _scorecard_save(scorecard)
    _revision_write(scorecard, RevisionAction.AMENDED, user, reason=reason.strip(), ratings=ratings)
    _packet_inputs_changed(scorecard)
    return scorecard


# --- self-identification --------------------------------------------------------------------------


def _self_identified(value: str) -> str:
    """One spelling per answer: surrounding and repeated spaces would split a group in two."""
    return " ".join(value.split())


@transaction.atomic
def self_identification_record(
    *, candidate: Candidate, gender: str = "", ethnicity: str = ""
) -> SelfIdentification:
    """Record a candidate's voluntary self-identification, replacing any earlier answers. A
    blank answer is a question the candidate chose not to answer. Kept apart from the
    application: only the adverse-impact report reads it, and only as counts."""
    answers = {"gender": _self_identified(gender), "ethnicity": _self_identified(ethnicity)}
    SelfIdentification(candidate=candidate, **answers).full_clean(
        exclude=["candidate"], validate_unique=False, validate_constraints=False
    )
    record, _ = SelfIdentification.objects.update_or_create(
        candidate=candidate, defaults={**answers, "recorded_at": timezone.now()}
    )
    return record
