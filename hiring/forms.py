"""The scorecard form: server-rendered, usable without JavaScript, one block per focus
competency. It only shapes input; the rules are in hiring.services."""

from typing import Any

from django import forms

from hiring.models import LevelAssessment, Scorecard
from hiring.services import RatingInput, ScorecardInput
from rubrics.models import Rating

NO_SIGNAL = "no_signal"
RATING_CHOICES = [(str(r.value), f"{r.value} {r.label}") for r in Rating] + [
    (NO_SIGNAL, "No signal")
]


class ScorecardForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    overall_recommendation = forms.TypedChoiceField(
        choices=[(str(r.value), f"{r.value} {r.label}") for r in Rating],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        label="Overall recommendation",
    )
    level_assessment = forms.ChoiceField(
        choices=LevelAssessment.choices,
        required=False,
        widget=forms.RadioSelect,
        label="Against the target level",
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, scorecard: Scorecard, **kwargs: Any) -> None:
        self.scorecard = scorecard
        self.rows = list(scorecard.ratings.all())
        initial = {
            "version": scorecard.version,
            "overall_recommendation": scorecard.overall_recommendation,
            "level_assessment": scorecard.level_assessment,
            "summary": scorecard.summary,
        }
        for row in self.rows:
            key = row.competency.key
            initial[f"{key}-rating"] = NO_SIGNAL if row.no_signal else row.rating
            initial[f"{key}-no_signal_reason"] = row.no_signal_reason
            initial[f"{key}-evidence"] = row.evidence
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for row in self.rows:
            key = row.competency.key
            self.fields[f"{key}-rating"] = forms.ChoiceField(
                choices=RATING_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                label=row.competency.name,
            )
            self.fields[f"{key}-evidence"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                label="Evidence",
                help_text="What the candidate said or did that supports it.",
            )
            self.fields[f"{key}-no_signal_reason"] = forms.CharField(
                required=False,
                label="Why no signal",
            )

    def competency_blocks(self) -> list[dict[str, Any]]:
        return [
            {
                "competency": row.competency,
                "rating": self[f"{row.competency.key}-rating"],
                "evidence": self[f"{row.competency.key}-evidence"],
                "no_signal_reason": self[f"{row.competency.key}-no_signal_reason"],
            }
            for row in self.rows
        ]

    def to_input(self) -> ScorecardInput:
        data = self.cleaned_data
        ratings = []
        for row in self.rows:
            key = row.competency.key
            choice = data.get(f"{key}-rating") or ""
            ratings.append(
                RatingInput(
                    competency=key,
                    rating=int(choice) if choice and choice != NO_SIGNAL else None,
                    no_signal=choice == NO_SIGNAL,
                    no_signal_reason=data.get(f"{key}-no_signal_reason", ""),
                    evidence=data.get(f"{key}-evidence", ""),
                )
            )
        return ScorecardInput(
            ratings=tuple(ratings),
            overall_recommendation=data.get("overall_recommendation"),
            level_assessment=data.get("level_assessment", ""),
            summary=data.get("summary", ""),
            fields_given=frozenset({"overall_recommendation", "level_assessment", "summary"}),
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Place the service's field errors ("ml-design.evidence") next to their fields."""
        for key, messages in errors.items():
            field = key.replace(".", "-")
            if key.endswith(".competency") or field not in self.fields:
                field = None  # type: ignore[assignment]
            for message in messages:
                self.add_error(field, message)
