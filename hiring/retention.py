"""Data retention: a candidate's personal data is anonymised some time after the final decision,
and exported or erased on request, while the ratings and every statistic built on them stay.

Why the ratings stay. Interviewer calibration (each interviewer's leniency and noise), the
reliability of each competency and the packets' scores are fitted on every submitted rating; an
interviewer's calibration is only unbiased if it sees all of their ratings, not just those of
candidates who were hired or are recent. Once the name, email, phone, CV link and every mention of
the person in the free text are gone, a rating is a number attached to an interview, which no longer
identifies anyone, and keeping it serves a legitimate interest (fair, calibrated interviews for
later candidates). The rows keep their ids and versions, so packet results and the calibration
computed from them are identical before and after.

Three operations, each one transaction, each leaving an AuditEvent without personal data:

- `candidate_anonymise`: placeholders for the profile, the person's name and email scrubbed out of
  the free text about their applications, their interviewer conflicts deleted. Used by the nightly
  retention task (`candidates_anonymise_due`) and by erasure.
- `candidate_erase`: on request (right to erasure). Anonymises, deletes the self-identification,
  and replaces all free-text assessment of the person (evidence, summaries, rationales) with
  "[erased]": only the numbers remain.
- `candidate_export`: everything held about the person, for a subject-access request.

See docs/operations.md ("Data retention") for the policy these implement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from hiring.audit import audit_record
from hiring.models import (
    Application,
    ApplicationStatus,
    AuditAction,
    Candidate,
    CompetencyRating,
    Decision,
    Packet,
    PacketNotification,
    Scorecard,
    ScorecardRevision,
    SelfIdentification,
    Vote,
    WebhookDelivery,
)
from loops.models import Interview, InterviewerConflict, Loop

ANONYMISED_NAME = "Anonymised candidate #{pk}"
# RFC 2606 reserves .invalid: the address can never reach anyone, and the id keeps it unique.
ANONYMISED_EMAIL = "anonymised-{pk}@anonymised.invalid"
SCRUBBED = "[candidate]"
ERASED = "[erased]"
# Name parts shorter than this are left in the text: "Li" or "Al" would blank too many words.
MIN_TOKEN_LENGTH = 3

# Still moving: erasing would pull the person out of a live process (see candidate_erase).
IN_PROGRESS: tuple[str, ...] = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.INTERVIEWING,
    ApplicationStatus.DEBRIEF,
    ApplicationStatus.OFFER,
)
# Closed without an employment: the only applications the retention period counts from. An offer
# waits for the candidate's answer, and a hire makes the record employee data, kept under the
# employer's own retention rules, so either keeps the candidate out of automatic anonymisation.
CLOSED: tuple[str, ...] = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)

# The free-text keys of a ScorecardRevision snapshot (hiring.services._snapshot).
SNAPSHOT_TEXT_KEYS = frozenset({"summary", "evidence", "no_signal_reason"})

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class RetentionResult:
    """What one anonymisation or erasure changed: counts only, so it can go in the audit log."""

    candidate_id: int
    anonymised_now: bool
    """False when the profile had already been anonymised (nothing to scrub by name)."""
    texts_scrubbed: int = 0
    """Rows whose free text mentioned the person by name or email."""
    conflicts_deleted: int = 0
    texts_erased: int = 0
    """Rows whose free-text assessment was replaced (erasure only)."""
    self_identification_deleted: bool = False
    applications_withdrawn: int = 0

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


# --- finding the person in free text --------------------------------------------------------------


def candidate_pattern(*, name: str, email: str) -> re.Pattern[str] | None:
    """The whole words that name the person: the email and its local part, the full name, and
    each part of the name of MIN_TOKEN_LENGTH letters or more; case-insensitive, longest first."""
    terms: set[str] = set()
    full_name = " ".join(name.split())
    if full_name:
        terms.add(full_name)
    terms.update(token for token in re.findall(r"\w+", full_name) if len(token) >= MIN_TOKEN_LENGTH)
    email = email.strip()
    if email:
        terms.add(email)
        local = email.split("@", 1)[0]
        if len(local) >= MIN_TOKEN_LENGTH:
            terms.add(local)
    if not terms:
        return None
    alternation = "|".join(re.escape(term) for term in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


_REPEATED = re.compile(rf"{re.escape(SCRUBBED)}(?:\s+{re.escape(SCRUBBED)})+")


def scrub_text(text: str, pattern: re.Pattern[str] | None) -> str:
    """Replace every mention of the person with "[candidate]" ("Ada  Lovelace" -> one mark)."""
    if not text or pattern is None:
        return text
    return _REPEATED.sub(SCRUBBED, pattern.sub(SCRUBBED, text))


def _erase_text(text: str) -> str:
    return ERASED if text.strip() else text


def _edit_snapshot(value: Any, edit: Callable[[str], str]) -> Any:
    """Apply `edit` to the free-text fields of a revision snapshot, at any depth; the structural
    strings (status, competency keys, level assessment) are left alone."""
    if isinstance(value, dict):
        return {
            key: edit(item)
            if key in SNAPSHOT_TEXT_KEYS and isinstance(item, str)
            else _edit_snapshot(item, edit)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_edit_snapshot(item, edit) for item in value]
    return value


def _edit_rows(queryset: QuerySet[_M], fields: Iterable[str], edit: Callable[[str], str]) -> int:
    """Rewrite text fields row by row and save only the rows that changed. bulk_update writes
    the named fields alone: auto_now timestamps and versions stay as they were."""
    names = list(fields)
    changed = []
    for row in queryset.only("pk", *names).order_by("pk"):
        dirty = False
        for name in names:
            old = getattr(row, name)
            new = edit(old)
            if new != old:
                setattr(row, name, new)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        queryset.model._default_manager.bulk_update(changed, names, batch_size=500)
    return len(changed)


def _edit_revisions(queryset: QuerySet[ScorecardRevision], edit: Callable[[str], str]) -> int:
    changed = []
    for revision in queryset.only("pk", "snapshot", "reason").order_by("pk"):
        snapshot = _edit_snapshot(revision.snapshot, edit)
        reason = edit(revision.reason)
        if snapshot != revision.snapshot or reason != revision.reason:
            revision.snapshot, revision.reason = snapshot, reason
            changed.append(revision)
    if changed:
        ScorecardRevision.objects.bulk_update(changed, ["snapshot", "reason"], batch_size=500)
    return len(changed)


# --- what belongs to the person -------------------------------------------------------------------


@dataclass(frozen=True)
class _Footprint:
    """The ids of every row tied to the candidate's applications."""

    applications: list[int]
    loops: list[int]
    packets: list[int]

    @classmethod
    def of(cls, candidate: Candidate) -> _Footprint:
        rows = list(Application.objects.filter(candidate=candidate).values_list("pk", "loop_id"))
        return cls(
            applications=[pk for pk, _ in rows],
            loops=[loop for _, loop in rows if loop is not None],
            packets=list(
                Packet.objects.filter(application__candidate=candidate).values_list("pk", flat=True)
            ),
        )

    def scorecards(self) -> QuerySet[Scorecard]:
        return Scorecard.objects.filter(interview__loop_id__in=self.loops)

    def assessment_texts(self, edit: Callable[[str], str]) -> int:
        """Every free text written about the person: ratings' evidence and no-signal reasons,
        scorecard summaries, their revisions, votes' and decisions' rationales and amendment
        reasons. Decision.divergence is generated from the numbers and stays."""
        scorecards = self.scorecards()
        return (
            _edit_rows(
                CompetencyRating.objects.filter(scorecard__in=scorecards),
                ["evidence", "no_signal_reason"],
                edit,
            )
            + _edit_rows(scorecards, ["summary"], edit)
            + _edit_revisions(ScorecardRevision.objects.filter(scorecard__in=scorecards), edit)
            + _edit_rows(Vote.objects.filter(packet_id__in=self.packets), ["rationale"], edit)
            + _edit_rows(
                Decision.objects.filter(packet_id__in=self.packets),
                ["rationale", "amendment_reason"],
                edit,
            )
        )

    def admin_log(self, candidate: Candidate, conflicts: list[int]) -> QuerySet[LogEntry]:
        """Admin history entries about these rows: their object_repr is the row's str(), which
        for a candidate, application, packet, vote or decision names the person."""
        decisions = Decision.objects.filter(packet_id__in=self.packets)
        related: dict[type[models.Model], Iterable[int]] = {
            Candidate: [candidate.pk],
            Application: self.applications,
            Loop: self.loops,
            Interview: Interview.objects.filter(loop_id__in=self.loops).values_list(
                "pk", flat=True
            ),
            Scorecard: self.scorecards().values_list("pk", flat=True),
            Packet: self.packets,
            Vote: Vote.objects.filter(packet_id__in=self.packets).values_list("pk", flat=True),
            Decision: decisions.values_list("pk", flat=True),
            WebhookDelivery: WebhookDelivery.objects.filter(decision__in=decisions).values_list(
                "pk", flat=True
            ),
            PacketNotification: PacketNotification.objects.filter(
                packet_id__in=self.packets
            ).values_list("pk", flat=True),
            SelfIdentification: SelfIdentification.objects.filter(candidate=candidate).values_list(
                "pk", flat=True
            ),
            InterviewerConflict: conflicts,
        }
        types = ContentType.objects.get_for_models(*related)
        match = Q(pk__in=[])
        for model, ids in related.items():
            keys = [str(pk) for pk in ids]
            if keys:
                match |= Q(content_type=types[model], object_id__in=keys)
        return LogEntry.objects.filter(match)


def candidate_find(key: str) -> Candidate | None:
    """A candidate by id (all digits) or by email, as an operator would name them."""
    key = key.strip()
    if key.isdigit():
        return Candidate.objects.filter(pk=int(key)).first()
    return Candidate.objects.filter(email__iexact=key).first() if key else None


# --- services -------------------------------------------------------------------------------------


def _audit(action: str, *, candidate_id: int, actor: User | None, detail: dict[str, Any]) -> None:
    """Names the candidate by id only: the audit log never holds personal data."""
    audit_record(
        action=action,
        actor=actor,
        object_type="candidate",
        object_id=str(candidate_id),
        detail=detail,
    )


def _anonymise(candidate: Candidate) -> RetentionResult:
    """The anonymisation itself, inside the caller's transaction, on a locked candidate row."""
    if candidate.anonymised_at is not None:
        # The name is a placeholder now: scrubbing by it again would blank innocent words.
        return RetentionResult(candidate_id=candidate.pk, anonymised_now=False)
    footprint = _Footprint.of(candidate)
    pattern = candidate_pattern(name=candidate.name, email=candidate.email)

    def scrub(text: str) -> str:
        return scrub_text(text, pattern)

    conflicts = InterviewerConflict.objects.filter(email__iexact=candidate.email.strip())
    conflict_ids = list(conflicts.values_list("pk", flat=True))
    scrubbed = (
        footprint.assessment_texts(scrub)
        + _edit_rows(Loop.objects.filter(pk__in=footprint.loops), ["title"], scrub)
        + _edit_rows(
            WebhookDelivery.objects.filter(decision__packet_id__in=footprint.packets),
            ["last_error"],
            scrub,
        )
        + _edit_rows(
            footprint.admin_log(candidate, conflict_ids), ["object_repr", "change_message"], scrub
        )
    )
    deleted, _ = InterviewerConflict.objects.filter(pk__in=conflict_ids).delete()
    Candidate.objects.filter(pk=candidate.pk).update(
        name=ANONYMISED_NAME.format(pk=candidate.pk),
        email=ANONYMISED_EMAIL.format(pk=candidate.pk),
        phone="",
        resume_url="",
        anonymised_at=timezone.now(),
    )
    candidate.refresh_from_db()
    return RetentionResult(
        candidate_id=candidate.pk,
        anonymised_now=True,
        texts_scrubbed=scrubbed,
        conflicts_deleted=deleted,
    )


def _locked(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().get(pk=candidate.pk)


@transaction.atomic
def candidate_anonymise(
    *, candidate: Candidate, reason: str, actor: User | None = None
) -> RetentionResult:
    """Replace the person's profile with placeholders and scrub their name and email out of the
    free text about their applications; keep every rating, recommendation, packet, vote and
    decision, so statistics are unchanged. Idempotent: an anonymised candidate is left alone.

    The text is scrubbed by whole words, case-insensitively: the email, its local part, the full
    name and each name part of three letters or more. That errs towards blanking too much (a
    candidate called Will blanks "will"), never too little, for the spellings it knows; a
    nickname or a misspelling is not found, which is why erasure removes the text outright."""
    candidate = _locked(candidate)
    result = _anonymise(candidate)
    if result.anonymised_now:
        _audit(
            AuditAction.CANDIDATE_ANONYMISED,
            candidate_id=candidate.pk,
            actor=actor,
            detail={"reason": reason, **result.as_dict()},
        )
    return result


def candidates_due_for_anonymisation(*, now: datetime | None = None) -> QuerySet[Candidate]:
    """Candidates whose retention period is over: not yet anonymised, every application closed
    (rejected or withdrawn) and nothing about any of them changed or decided in the last
    CANDIDATE_RETENTION_DAYS days; a candidate with no application at all counts from when the
    profile was created. Offers and hires keep a candidate (see CLOSED). None when the setting
    is 0 (retention disabled)."""
    days = settings.CANDIDATE_RETENTION_DAYS
    if days <= 0:
        return Candidate.objects.none()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    open_statuses = [status for status in ApplicationStatus.values if status not in CLOSED]
    return (
        Candidate.objects.filter(anonymised_at__isnull=True, created_at__lt=cutoff)
        .exclude(applications__status__in=open_statuses)
        .exclude(applications__updated_at__gte=cutoff)
        .exclude(applications__packet__decisions__decided_at__gte=cutoff)
        .order_by("pk")
    )


def candidates_anonymise_due(*, now: datetime | None = None) -> int:
    """Anonymise every candidate whose retention period is over; return how many. Each one is
    its own transaction and is checked again under its row lock, so a run that dies half-way,
    or two runs at once, anonymise nobody twice and nobody who just applied again."""
    count = 0
    for pk in list(candidates_due_for_anonymisation(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            candidate = Candidate.objects.select_for_update().filter(pk=pk).first()
            if candidate is None:
                continue
            if not candidates_due_for_anonymisation(now=now).filter(pk=pk).exists():
                continue
            candidate_anonymise(
                candidate=candidate,
                reason=f"retention: {settings.CANDIDATE_RETENTION_DAYS} days after the decision",
            )
            count += 1
    return count


@transaction.atomic
def candidate_erase(
    *, candidate: Candidate, force: bool = False, actor: User | None = None
) -> RetentionResult:
    """Erase a person's data on their request: anonymise, delete their self-identification, and
    replace every free-text assessment of them with "[erased]". The ratings, recommendations,
    votes' and decisions' outcomes stay, de-identified, so interviewer calibration stays valid
    (see the module docstring); the adverse-impact report no longer counts the person, since
    their group was theirs to withdraw.

    An application still in progress is refused (ValidationError): erasing would leave a
    committee deciding on a placeholder. With force=True such applications are withdrawn first,
    which is what the request amounts to. Idempotent."""
    candidate = _locked(candidate)
    in_progress = list(candidate.applications.filter(status__in=IN_PROGRESS).order_by("pk"))
    if in_progress and not force:
        labels = ", ".join(
            f"#{application.pk} ({application.get_status_display()})" for application in in_progress
        )
        raise ValidationError(
            f"Application(s) still in progress: {labels}. Close them first, or erase with "
            "force to withdraw them."
        )
    from hiring.services import application_move

    for application in in_progress:
        application_move(application=application, status=ApplicationStatus.WITHDRAWN)
    anonymised = _anonymise(candidate)
    erased = _Footprint.of(candidate).assessment_texts(_erase_text)
    deleted, _ = SelfIdentification.objects.filter(candidate=candidate).delete()
    result = RetentionResult(
        candidate_id=candidate.pk,
        anonymised_now=anonymised.anonymised_now,
        texts_scrubbed=anonymised.texts_scrubbed,
        conflicts_deleted=anonymised.conflicts_deleted,
        texts_erased=erased,
        self_identification_deleted=bool(deleted),
        applications_withdrawn=len(in_progress),
    )
    _audit(
        AuditAction.CANDIDATE_ERASED,
        candidate_id=candidate.pk,
        actor=actor,
        detail=result.as_dict(),
    )
    return result


# --- export ---------------------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


PACKET_RESULT_KEYS = (
    "method",
    "score",
    "sd",
    "lower",
    "upper",
    "p_above_bar",
    "bar",
    "n_interviews",
    "competencies",
)


@transaction.atomic
def candidate_export(*, candidate: Candidate, actor: User | None = None) -> dict[str, Any]:
    """Everything Debrief holds about the person, as JSON-ready data, for a subject-access
    request: the profile, the self-identification, and per application its requisition, status,
    interviews, every scorecard (drafts included: they are held too) with ratings and evidence,
    the packet's result, the votes and the decisions.

    Interviewers and committee members are not named: they are other people's data, which the
    organisation decides separately whether to disclose. Writing the export is audited."""
    candidate = Candidate.objects.get(pk=candidate.pk)
    applications = list(
        Application.objects.filter(candidate=candidate)
        .select_related("requisition__level", "loop", "packet")
        .order_by("created_at", "pk")
    )
    identification = SelfIdentification.objects.filter(candidate=candidate).first()
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "candidate": {
            "id": candidate.pk,
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "resume_url": candidate.resume_url,
            "source": candidate.source,
            "created_at": _when(candidate.created_at),
            "anonymised_at": _when(candidate.anonymised_at),
        },
        "self_identification": None
        if identification is None
        else {
            "gender": identification.gender,
            "ethnicity": identification.ethnicity,
            "recorded_at": _when(identification.recorded_at),
        },
        "applications": [_application_export(application) for application in applications],
    }
    _audit(
        AuditAction.CANDIDATE_EXPORTED,
        candidate_id=candidate.pk,
        actor=actor,
        detail={"applications": len(applications)},
    )
    return data


def _application_export(application: Application) -> dict[str, Any]:
    requisition = application.requisition
    interviews = (
        list(
            Interview.objects.filter(loop=application.loop)
            .select_related("kind")
            .order_by("position")
        )
        if application.loop is not None
        else []
    )
    scorecards = (
        Scorecard.objects.filter(interview__in=interviews)
        .select_related("interview")
        .prefetch_related("ratings__competency")
        .order_by("interview__position", "pk")
    )
    packet = Packet.objects.filter(application=application).first()
    return {
        "id": application.pk,
        "status": application.status,
        "created_at": _when(application.created_at),
        "updated_at": _when(application.updated_at),
        "requisition": {
            "id": requisition.pk,
            "title": requisition.title,
            "level": requisition.level.code,
        },
        "interviews": [
            {
                "position": interview.position,
                "kind": interview.kind.name,
                "minutes": interview.minutes,
                "starts_at": _when(interview.starts_at),
                "ends_at": _when(interview.ends_at),
                "status": interview.status,
            }
            for interview in interviews
        ],
        "scorecards": [
            {
                "interview_position": card.interview.position,
                "status": card.status,
                "shadow": card.is_shadow,
                "submitted_at": _when(card.submitted_at),
                "overall_recommendation": card.overall_recommendation,
                "level_assessment": card.level_assessment,
                "summary": card.summary,
                "ratings": [
                    {
                        "competency": rating.competency.name,
                        "rating": rating.rating,
                        "no_signal": rating.no_signal,
                        "no_signal_reason": rating.no_signal_reason,
                        "evidence": rating.evidence,
                    }
                    for rating in card.ratings.all()
                ],
            }
            for card in scorecards
        ],
        "packet": None if packet is None else _packet_export(packet),
    }


def _packet_export(packet: Packet) -> dict[str, Any]:
    return {
        "status": packet.status,
        "computed_at": _when(packet.computed_at),
        "result": {key: packet.result[key] for key in PACKET_RESULT_KEYS if key in packet.result},
        "votes": [
            {
                "choice": vote.choice,
                "level": vote.level.code,
                "rationale": vote.rationale,
                "cast_at": _when(vote.cast_at),
            }
            for vote in Vote.objects.filter(packet=packet)
            .select_related("level")
            .order_by("cast_at", "pk")
        ],
        "decisions": [
            {
                "version": decision.version,
                "in_force": decision.pk == packet.current_decision_id,
                "outcome": decision.outcome,
                "level": decision.level.code if decision.level is not None else None,
                "rationale": decision.rationale,
                "amendment_reason": decision.amendment_reason,
                "diverges": decision.diverges,
                "divergence": decision.divergence,
                "decided_at": _when(decision.decided_at),
            }
            for decision in Decision.objects.filter(packet=packet)
            .select_related("level")
            .order_by("version")
        ],
    }
