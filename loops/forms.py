from typing import Any

from django import forms
from django.utils import timezone

from rubrics.models import RoleProfile
from rubrics.selectors import role_profile_level_find, role_profile_list


class LoopDesignForm(forms.Form):
    role_profile = forms.ModelChoiceField(
        queryset=RoleProfile.objects.none(), to_field_name="key", empty_label=None
    )
    level = forms.CharField(max_length=20, help_text="A level code, e.g. IC4.")
    title = forms.CharField(max_length=200, required=False, help_text="Shown in calendars.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role_profile"].queryset = role_profile_list()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        profile = cleaned.get("role_profile")
        code = cleaned.get("level")
        if profile is not None and code:
            level = role_profile_level_find(role_profile=profile, code=code)
            if level is None:
                self.add_error("level", f"{profile.name} has no expectations at {code}.")
            else:
                cleaned["level_obj"] = level
        return cleaned


class ScheduleDayForm(forms.Form):
    starts_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=f"In {timezone.get_default_timezone_name()}.",
    )
    break_minutes = forms.IntegerField(min_value=0, max_value=120, initial=15)


class AssignForm(forms.Form):
    candidate_email = forms.EmailField(
        required=False, help_text="Skips interviewers with a recorded conflict with this person."
    )
