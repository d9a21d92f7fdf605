"""The rubric: ladders and levels, competencies, versioned role profiles with level-specific rating
anchors, and the question bank."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class Track(models.TextChoices):
    IC = "ic", "Individual contributor"
    MANAGER = "manager", "Manager"


class Priority(models.TextChoices):
    MUST = "must", "Must"
    SHOULD = "should", "Should"
    NICE = "nice", "Nice to have"


class Rating(models.IntegerChoices):
    """The four-point scale every scorecard uses; "no signal" is a missing rating, never a zero."""

    STRONG_NO = 1, "Strong no"
    NO = 2, "No"
    YES = 3, "Yes"
    STRONG_YES = 4, "Strong yes"


class CompetencyFamily(models.TextChoices):
    RESULTS = "results", "Results"
    DIRECTION = "direction", "Direction"
    TALENT = "talent", "Talent"
    CULTURE = "culture", "Culture"
    CRAFT = "craft", "Craft"
    MANAGEMENT = "management", "Management"


class QuestionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class Ladder(models.Model):
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="levels")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    track = models.CharField(max_length=20, choices=Track.choices, default=Track.IC)
    rank = models.PositiveSmallIntegerField(help_text="Seniority; higher is more senior.")
    years_min = models.PositiveSmallIntegerField(default=0)
    years_max = models.PositiveSmallIntegerField(null=True, blank=True)
    loop_minutes = models.PositiveIntegerField(
        help_text="Time budget for one interview loop at this level, in minutes."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["ladder__name", "rank", "track", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "code"], name="level_code_unique_in_ladder"),
            models.CheckConstraint(
                condition=Q(years_max__isnull=True) | Q(years_max__gte=F("years_min")),
                name="level_years_range_ordered",
            ),
            models.CheckConstraint(condition=Q(loop_minutes__gt=0), name="level_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def years_hint(self) -> str:
        if self.years_max is None:
            return f"{self.years_min}+ years"
        return f"{self.years_min}-{self.years_max} years"


class Competency(models.Model):
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    family = models.CharField(max_length=20, choices=CompetencyFamily.choices)
    description = models.TextField()

    class Meta:
        ordering = ["family", "name"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class RoleProfile(models.Model):
    """One version of a role profile. Content never changes after import: a changed file makes a
    new version, because scorecards point at the version they were scored against."""

    key = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    name = models.CharField(max_length=200)
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="role_profiles")
    summary = models.TextField(blank=True)
    sources = models.JSONField(
        default=list, help_text="The documents this profile was derived from: file, title, gives."
    )
    compensation = models.JSONField(default=list, blank=True)
    level_summaries = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="role_profile_version_unique"),
            models.UniqueConstraint(
                fields=["key"], condition=Q(is_current=True), name="role_profile_one_current"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="role_profile_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def source_files(self) -> list[str]:
        return [source["file"] for source in self.sources]


class Expectation(models.Model):
    """What a role expects of one competency at one level, with the meaning of each rating there."""

    role_profile = models.ForeignKey(
        RoleProfile, on_delete=models.CASCADE, related_name="expectations"
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="expectations")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="expectations"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices)
    bar = models.PositiveSmallIntegerField(
        choices=Rating.choices, help_text="The lowest rating that meets this level."
    )
    anchor_strong_no = models.TextField()
    anchor_no = models.TextField()
    anchor_yes = models.TextField()
    anchor_strong_yes = models.TextField()

    class Meta:
        ordering = ["role_profile", "level__rank", "competency__family", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["role_profile", "level", "competency"], name="expectation_unique"
            ),
            models.CheckConstraint(condition=Q(bar__gte=1, bar__lte=4), name="expectation_bar_1_4"),
            models.CheckConstraint(
                condition=~Q(anchor_strong_no="")
                & ~Q(anchor_no="")
                & ~Q(anchor_yes="")
                & ~Q(anchor_strong_yes=""),
                name="expectation_anchors_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} at {self.level.code} ({self.priority})"

    def anchors(self) -> list[tuple[int, str, str]]:
        """(rating, label, text) for the four points, in scale order."""
        texts = [self.anchor_strong_no, self.anchor_no, self.anchor_yes, self.anchor_strong_yes]
        return [(r.value, str(r.label), text) for r, text in zip(Rating, texts, strict=True)]


class Question(models.Model):
    key = models.SlugField(max_length=120, unique=True)
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="questions")
    min_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    max_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    prompt = models.TextField()
    follow_ups = models.JSONField(default=list, blank=True)
    good_answer = models.TextField(help_text="What a good answer looks like.")
    minutes = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.ACTIVE
    )

    class Meta:
        ordering = ["competency__name", "min_level__rank", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=120), name="question_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if self.min_level_id is None or self.max_level_id is None:
            return
        if self.min_level.ladder_id != self.max_level.ladder_id:
            raise ValidationError({"max_level": "Both ends of the range must be on one ladder."})
        if self.min_level.rank > self.max_level.rank:
            raise ValidationError(
                {"max_level": f"{self.max_level.code} is below {self.min_level.code}."}
            )

    @property
    def level_range(self) -> str:
        if self.min_level_id == self.max_level_id:
            return self.min_level.code
        return f"{self.min_level.code}-{self.max_level.code}"


class InterviewKind(models.Model):
    """A kind of interview (coding, ML system design, ...): what it can assess and where it applies.
    The loop planner chooses among these."""

    key = models.SlugField(max_length=80, unique=True)
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="interview_kinds")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    minutes = models.PositiveSmallIntegerField(help_text="Default length in minutes.")
    levels = models.ManyToManyField(Level, related_name="interview_kinds")
    competencies = models.ManyToManyField(Competency, related_name="interview_kinds")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=10, minutes__lte=240), name="interview_kind_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name
