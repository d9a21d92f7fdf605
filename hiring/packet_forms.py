"""Committee forms: they only shape input; the rules are in hiring.committee."""

from __future__ import annotations

from typing import Any

from django import forms

from hiring.models import PacketStatus, Requisition, VoteChoice
from hiring.packet_selectors import SORTS
from rubrics.models import Level

SORT_LABELS = {
    "age": "Waiting longest",
    "probability": "P(above the bar), highest first",
    "-probability": "P(above the bar), lowest first",
    "newest": "Ready most recently",
}


class PacketFilterForm(forms.Form):
    requisition = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    role = forms.ChoiceField(required=False)
    level = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *PacketStatus.choices], required=False)
    sort = forms.ChoiceField(choices=[(key, SORT_LABELS[key]) for key in SORTS], required=False)

    def __init__(self, *args: Any, requisitions: list[Requisition], **kwargs: Any) -> None:
        """`requisitions`: those the user may see, read once (with their role profile and
        level) for all three choice lists."""
        super().__init__(*args, **kwargs)
        roles = sorted({(r.role_profile.key, r.role_profile.name) for r in requisitions})
        levels = sorted({(r.level.rank, r.level.code) for r in requisitions})
        self.fields["requisition"].choices = [  # type: ignore[attr-defined]
            ("", "Any requisition"),
            *((r.pk, str(r)) for r in requisitions),
        ]
        self.fields["role"].choices = [("", "Any role"), *roles]  # type: ignore[attr-defined]
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            ("", "Any level"),
            *((code, code) for _, code in levels),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for packets_filter (invalid filters are simply dropped)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "requisition": data.get("requisition"),
            "role": data.get("role") or "",
            "level": data.get("level") or "",
            "status": data.get("status") or "",
            "sort": data.get("sort") or "age",
        }


class _LevelChoice(forms.ModelChoiceField):
    """Levels by code (unique on the requisition's ladder), so URLs and tests read well."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class _LevelForm(forms.Form):
    """A form with a `level` field limited to the requisition's ladder, its level preselected."""

    def __init__(self, *args: Any, levels: list[Level], default: Level, **kwargs: Any) -> None:
        kwargs["initial"] = {"level": default, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = Level.objects.filter(  # type: ignore[attr-defined]
            pk__in=[lv.pk for lv in levels]
        ).order_by("rank")


class VoteForm(_LevelForm):
    choice = forms.ChoiceField(choices=VoteChoice.choices, widget=forms.RadioSelect, label="Vote")
    level = _LevelChoice(queryset=Level.objects.none(), label="At level")
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Rationale",
        help_text="The evidence that decided your vote.",
    )


class DecisionForm(_LevelForm):
    outcome = forms.ChoiceField(
        choices=VoteChoice.choices, widget=forms.RadioSelect, label="Decision"
    )
    level = _LevelChoice(queryset=Level.objects.none(), required=False, label="Level of the offer")
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when the decision goes against the evidence.",
    )
    follow_up = forms.BooleanField(
        required=False, label="Hold: ask for a targeted follow-up interview"
    )


class DecisionAmendForm(DecisionForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the decision changes",
        required=False,
    )


def add_service_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        for message in error.messages:
            form.add_error(None, message)
