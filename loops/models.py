"""Interview loops, their interviews, and the interviewer pool.

An application (in hiring) points at its loop; nothing here knows about candidates, so conflicts of
interest are recorded by the person's email and checked when the caller names the candidate."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from rubrics.models import Competency, InterviewKind, Level, Question, RoleProfile


class TrainingState(models.TextChoices):
    SHADOW = "shadow", "Shadow (observes only)"
    REVERSE_SHADOW = "reverse_shadow", "Reverse shadow (leads, observed by a qualified interviewer)"
    QUALIFIED = "qualified", "Qualified"


class Interviewer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviewer"
    )
    kinds = models.ManyToManyField(
        InterviewKind, related_name="interviewers", help_text="Interview kinds they may run."
    )
    max_level = models.ForeignKey(
        Level,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The most senior level they may assess (by rank).",
    )
    training_state = models.CharField(
        max_length=20, choices=TrainingState.choices, default=TrainingState.QUALIFIED
    )
    weekly_cap = models.PositiveSmallIntegerField(
        default=4, help_text="Most interviews (led or shadowed) in one week."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class InterviewerConflict(models.Model):
    """Someone this interviewer must not assess (a friend, a former report, a relative)."""

    interviewer = models.ForeignKey(Interviewer, on_delete=models.CASCADE, related_name="conflicts")
    email = models.EmailField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["interviewer", "email"]
        constraints = [
            models.UniqueConstraint(fields=["interviewer", "email"], name="conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer} / {self.email}"


class LoopStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class Loop(models.Model):
    title = models.CharField(max_length=200, blank=True, help_text="Shown in calendars.")
    role_profile = models.ForeignKey(RoleProfile, on_delete=models.PROTECT, related_name="loops")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="loops")
    status = models.CharField(max_length=20, choices=LoopStatus.choices, default=LoopStatus.DRAFT)
    budget_minutes = models.PositiveIntegerField()
    total_minutes = models.PositiveIntegerField()
    problems = models.JSONField(
        default=list, blank=True, help_text="Guarantees the planner could not meet, and why."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"{self.role_profile.name} at {self.level.code} (loop {self.pk})"


class InterviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Interview(models.Model):
    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="interviews")
    position = models.PositiveSmallIntegerField()
    kind = models.ForeignKey(InterviewKind, on_delete=models.PROTECT, related_name="interviews")
    minutes = models.PositiveSmallIntegerField()
    focus = models.ManyToManyField(
        Competency, through="InterviewFocus", related_name="focused_interviews"
    )
    questions = models.ManyToManyField(
        Question, through="InterviewQuestion", related_name="interviews"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.PROTECT, null=True, blank=True, related_name="interviews"
    )
    shadow = models.ForeignKey(
        Interviewer, on_delete=models.PROTECT, null=True, blank=True, related_name="shadowed"
    )
    status = models.CharField(
        max_length=20, choices=InterviewStatus.choices, default=InterviewStatus.PLANNED
    )

    class Meta:
        ordering = ["loop", "position"]
        constraints = [
            models.UniqueConstraint(fields=["loop", "position"], name="interview_position_unique"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="interview_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(shadow__isnull=True) | ~Q(shadow=F("interviewer")),
                name="interview_shadow_is_someone_else",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.name} ({self.minutes} min)"


class InterviewFocus(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="focus_rows")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["interview", "position"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "competency"], name="focus_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.interview} / {self.competency}"


class InterviewQuestion(models.Model):
    """A question planned into an interview; the rows also count how often a question was used."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="question_rows")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="usages")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["interview", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "question"], name="interview_question_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interview} / {self.question}"
