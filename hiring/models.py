"""Candidates, requisitions, applications and structured scorecards."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from loops.models import Interview, Interviewer, Loop
from rubrics.models import Competency, Level, Rating, RoleProfile


class CandidateSource(models.TextChoices):
    INBOUND = "inbound", "Applied"
    REFERRAL = "referral", "Referral"
    SOURCED = "sourced", "Sourced"
    AGENCY = "agency", "Agency"
    OTHER = "other", "Other"


class Candidate(models.Model):
    """A person. Everything here is personal data: shown only to those who need it."""

    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    resume_url = models.URLField(blank=True)
    source = models.CharField(
        max_length=20, choices=CandidateSource.choices, default=CandidateSource.INBOUND
    )
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the personal data was replaced by placeholders (ratings are kept).",
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="candidate_email_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RequisitionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class Requisition(models.Model):
    title = models.CharField(max_length=200)
    role_profile = models.ForeignKey(
        RoleProfile, on_delete=models.PROTECT, related_name="requisitions"
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="requisitions")
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_requisitions"
    )
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recruited_requisitions",
        help_text="Receives escalations about late feedback.",
    )
    committee_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="committee_requisitions", blank=True
    )
    status = models.CharField(
        max_length=20, choices=RequisitionStatus.choices, default=RequisitionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.level.code})"


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    INTERVIEWING = "interviewing", "Interviewing"
    DEBRIEF = "debrief", "Committee review"
    OFFER = "offer", "Offer"
    HIRED = "hired", "Hired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="applications")
    requisition = models.ForeignKey(
        Requisition, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    loop = models.OneToOneField(
        Loop, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "requisition"], name="application_unique_per_requisition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.requisition}"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class LevelAssessment(models.TextChoices):
    BELOW = "below", "Below the level"
    AT = "at", "At the level"
    ABOVE = "above", "Above the level"


class Scorecard(models.Model):
    """One interviewer's structured feedback on one interview. Submitted scorecards change only
    through an amendment with a reason; every change is kept in ScorecardRevision."""

    interview = models.ForeignKey(Interview, on_delete=models.PROTECT, related_name="scorecards")
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.PROTECT, related_name="scorecards"
    )
    is_shadow = models.BooleanField(
        default=False, help_text="Written while shadowing: kept, but not aggregated."
    )
    status = models.CharField(
        max_length=20, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    overall_recommendation = models.PositiveSmallIntegerField(
        choices=Rating.choices, null=True, blank=True
    )
    level_assessment = models.CharField(max_length=10, choices=LevelAssessment.choices, blank=True)
    summary = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["interview__loop", "interview__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "interviewer"], name="scorecard_one_per_interviewer"
            ),
            models.CheckConstraint(
                condition=Q(overall_recommendation__isnull=True)
                | Q(overall_recommendation__gte=1, overall_recommendation__lte=4),
                name="scorecard_recommendation_1_4",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(
                    status="submitted",
                    submitted_at__isnull=False,
                    overall_recommendation__isnull=False,
                ),
                name="scorecard_submitted_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard by {self.interviewer} on {self.interview}"


class CompetencyRating(models.Model):
    """A rating of one focus competency, or "no signal" with a reason; never a zero."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    no_signal = models.BooleanField(default=False)
    no_signal_reason = models.TextField(blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["scorecard", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "competency"], name="rating_one_per_competency"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=4),
                name="rating_1_4",
            ),
            models.CheckConstraint(
                condition=~Q(no_signal=True, rating__isnull=False),
                name="rating_or_no_signal",
            ),
        ]

    def __str__(self) -> str:
        value = "no signal" if self.no_signal else self.rating
        return f"{self.competency}: {value}"


class RevisionAction(models.TextChoices):
    DRAFT_SAVED = "draft_saved", "Draft saved"
    SUBMITTED = "submitted", "Submitted"
    AMENDED = "amended", "Amended"


class ScorecardRevision(models.Model):
    """The audit trail: the whole scorecard as it stood after each change."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=RevisionAction.choices)
    snapshot = models.JSONField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scorecard", "version"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "version"], name="revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} v{self.version} {self.action}"


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", "Reminder to the interviewer"
    ESCALATION = "escalation", "Escalation to the recruiter"


class FeedbackReminder(models.Model):
    """One reminder sent; the unique window makes the periodic task safe to run twice."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    window = models.CharField(max_length=40)
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "kind", "window"], name="reminder_once_per_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.interview} ({self.window})"


class PacketStatus(models.TextChoices):
    COLLECTING = "collecting", "Collecting feedback"
    READY = "ready", "Ready for review"
    DECIDED = "decided", "Decided"


class Packet(models.Model):
    """The committee's view of one application: the aggregate of its submitted scorecards.

    `stale` is set in the same transaction as the scorecard that changes the inputs, so a lost
    task is found again by the periodic sweep; `inputs_hash` makes recomputation idempotent."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="packet")
    status = models.CharField(
        max_length=20, choices=PacketStatus.choices, default=PacketStatus.COLLECTING
    )
    stale = models.BooleanField(default=True, db_index=True)
    result = models.JSONField(default=dict, blank=True)
    inputs_hash = models.CharField(max_length=64, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    calibration = models.ForeignKey(
        "Calibration", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    computations = models.PositiveIntegerField(
        default=0, help_text="How often the result was recomputed (not counting no-op refreshes)."
    )
    marked_stale_at = models.DateTimeField(null=True, blank=True)
    p_above_bar = models.FloatField(
        null=True, blank=True, help_text="Copied from the result, so lists can sort and filter."
    )
    ready_at = models.DateTimeField(
        null=True, blank=True, help_text="When every interview's feedback was in (days waiting)."
    )
    current_decision = models.OneToOneField(
        "Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-marked_stale_at", "-pk"]
        indexes = [
            # The dashboard's sorts (hiring.packet_selectors.SORTS), one index per direction:
            # read backwards, an index puts its NULLs first, and the sorts put them last.
            models.Index(fields=["ready_at", "id"], name="packet_by_age"),
            models.Index(
                models.F("ready_at").desc(nulls_last=True),
                models.F("id").desc(),
                name="packet_by_newest",
            ),
            models.Index(fields=["p_above_bar", "id"], name="packet_by_probability"),
            models.Index(
                models.F("p_above_bar").desc(nulls_last=True),
                models.F("id"),
                name="packet_by_probability_desc",
            ),
        ]
        permissions = [
            ("view_reports", "Can view hiring reports"),
            ("record_decision", "Can record and amend committee decisions"),
        ]

    def __str__(self) -> str:
        return f"Packet for {self.application}"


class Calibration(models.Model):
    """One fit of the rater-effects model over every submitted scorecard; the latest one scores
    new packets."""

    fitted_at = models.DateTimeField(auto_now_add=True)
    model_version = models.CharField(max_length=40)
    method = models.CharField(max_length=20, help_text="rater_effects, or plain_mean as fallback")
    reason = models.TextField(blank=True)
    n_scorecards = models.PositiveIntegerField()
    n_ratings = models.PositiveIntegerField()
    parameters = models.JSONField(help_text="The fitted calibration (engine format).")

    class Meta:
        ordering = ["-fitted_at", "-pk"]
        get_latest_by = ["fitted_at", "pk"]

    def __str__(self) -> str:
        return f"Calibration {self.pk} ({self.method}, {self.n_scorecards} scorecards)"


class InterviewerCalibration(models.Model):
    """An interviewer's leniency and noise as of one calibration (for reports and packets)."""

    calibration = models.ForeignKey(
        Calibration, on_delete=models.CASCADE, related_name="interviewers"
    )
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.CASCADE, related_name="calibrations"
    )
    leniency = models.FloatField()
    leniency_lower = models.FloatField()
    leniency_upper = models.FloatField()
    noise_sd = models.FloatField()
    n_interviews = models.PositiveIntegerField()

    class Meta:
        ordering = ["calibration", "interviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "interviewer"], name="interviewer_calibration_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer}: {self.leniency:+.2f}"


class VoteChoice(models.TextChoices):
    HIRE = "hire", "Hire"
    NO_HIRE = "no_hire", "No hire"
    HOLD = "hold", "Hold"


class Vote(models.Model):
    """One committee member's vote on a packet. Final once cast: members see the others' votes
    only after voting, so a vote that could change afterwards would no longer be independent."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    p_above_bar_seen = models.FloatField(
        null=True, blank=True, help_text="P(above the bar) on the packet when the vote was cast."
    )
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["packet", "cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["packet", "member"], name="vote_one_per_member"),
            models.CheckConstraint(condition=~Q(rationale=""), name="vote_rationale_present"),
        ]

    def __str__(self) -> str:
        return f"{self.member} votes {self.choice} on {self.packet}"


class Decision(models.Model):
    """The committee's decision on a packet. Never edited: an amendment is a new row with a
    reason, and the newest row is the decision in force (Packet.current_decision)."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="decisions")
    version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=VoteChoice.choices)
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField(blank=True)
    amendment_reason = models.TextField(blank=True)
    diverges = models.BooleanField(
        default=False, help_text="The outcome goes against the evidence on the packet."
    )
    divergence = models.TextField(
        blank=True, help_text="How the outcome departs from the evidence."
    )
    p_above_bar = models.FloatField(null=True, blank=True)
    follow_up_requested = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["packet", "version"]
        constraints = [
            models.UniqueConstraint(fields=["packet", "version"], name="decision_version_unique"),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(amendment_reason=""),
                name="decision_amendment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(diverges=False) | ~Q(rationale=""),
                name="decision_divergence_has_rationale",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="hire") | Q(level__isnull=False),
                name="decision_hire_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.packet} (v{self.version})"


class SelfIdentification(models.Model):
    """Voluntary self-identified group data, kept apart from applications and packets.

    Read only in aggregate, by the adverse-impact report; never shown next to a candidate."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="self_identification"
    )
    gender = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Self-identification #{self.pk}"


class PacketNotification(models.Model):
    """A committee member told that a packet is ready; unique, so a redelivered task or a packet
    that becomes ready again after a follow-up tells each member once per event."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=40, help_text="What happened, e.g. ready:3")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "recipient", "event"], name="packet_notification_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient} for {self.packet}"


class WebhookStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One decision event sent to the configured webhook, with every attempt's outcome."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="deliveries")
    url = models.URLField(max_length=500)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=WebhookStatus.choices, default=WebhookStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"Webhook {self.status} for {self.decision}"


class AuditAction(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOCKED_OUT = "locked_out", "Locked out"
    LOGOUT = "logout", "Signed out"
    PERMISSION_DENIED = "permission_denied", "Refused (not authorised)"
    DECISION_RECORDED = "decision_recorded", "Decision recorded"
    DECISION_AMENDED = "decision_amended", "Decision amended"
    CANDIDATE_EXPORTED = "candidate_exported", "Candidate data exported"
    CANDIDATE_ERASED = "candidate_erased", "Candidate data erased"
    CANDIDATE_ANONYMISED = "candidate_anonymised", "Candidate anonymised"


class AuditEvent(models.Model):
    """Who did what, when, from where: append-only, and never holding candidate PII (objects
    are named by type and id only)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="As given (kept if the account is deleted)."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.username}"
