"""Admin for the rubric. Role-profile versions are read-only here: a version may already have been
scored against, so content changes arrive as a new version through an import (the add page takes
YAML files and runs the same import as the command)."""

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from rubrics.models import (
    Competency,
    Expectation,
    InterviewKind,
    Ladder,
    Level,
    Question,
    RoleProfile,
)
from rubrics.profile_files import RubricImportError
from rubrics.services import questions_retire, role_profiles_import


class LevelInline(admin.TabularInline[Level, Ladder]):
    model = Level
    extra = 0
    fields = ["code", "name", "track", "rank", "years_min", "years_max", "loop_minutes"]


@admin.register(Ladder)
class LadderAdmin(admin.ModelAdmin[Ladder]):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
    inlines = [LevelInline]


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin[Level]):
    list_display = ["code", "name", "ladder", "track", "rank", "years_hint", "loop_minutes"]
    list_filter = ["ladder", "track"]
    list_select_related = ["ladder"]
    search_fields = ["code", "name", "ladder__name"]


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin[Competency]):
    list_display = ["name", "key", "family"]
    list_filter = ["family"]
    search_fields = ["name", "key", "description"]


class ExpectationInline(admin.StackedInline[Expectation, RoleProfile]):
    model = Expectation
    extra = 0
    can_delete = False
    fields = [
        ("level", "competency", "priority", "bar"),
        "anchor_strong_no",
        "anchor_no",
        "anchor_yes",
        "anchor_strong_yes",
    ]
    readonly_fields = [
        "level",
        "competency",
        "priority",
        "bar",
        "anchor_strong_no",
        "anchor_no",
        "anchor_yes",
        "anchor_strong_yes",
    ]
    ordering = ["level__rank", "priority", "competency__name"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("level", "competency")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class RoleProfileImportForm(forms.Form):
    profile_files = MultipleFileField(
        help_text="One or more role-profile YAML files (see docs/role-profiles.md)."
    )
    dry_run = forms.BooleanField(required=False, label="Validate only, write nothing")


@admin.register(RoleProfile)
class RoleProfileAdmin(admin.ModelAdmin[RoleProfile]):
    list_display = ["name", "key", "version", "is_current", "ladder", "imported_at"]
    list_filter = ["is_current", "ladder"]
    list_select_related = ["ladder"]
    search_fields = ["name", "key"]
    readonly_fields = [
        "key",
        "version",
        "is_current",
        "name",
        "ladder",
        "summary",
        "sources",
        "compensation",
        "level_summaries",
        "content_hash",
        "imported_at",
    ]
    inlines = [ExpectationInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Adding a role profile means importing its file, with the same checks as the command."""
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = RoleProfileImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            with tempfile.TemporaryDirectory() as folder:
                paths = []
                for upload in form.cleaned_data["profile_files"]:
                    path = Path(folder) / Path(upload.name or "upload.yaml").name
                    path.write_bytes(upload.read())
                    paths.append(path)
                try:
                    report = role_profiles_import(paths=paths, dry_run=form.cleaned_data["dry_run"])
                except RubricImportError as exc:
                    errors = [str(e).replace(f"{folder}/", "") for e in exc.errors]
                else:
                    self.message_user(request, report.summary(), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:rubrics_roleprofile_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import role profiles",
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/rubrics/roleprofile/import.html", context)


@admin.register(Expectation)
class ExpectationAdmin(admin.ModelAdmin[Expectation]):
    list_display = ["competency", "level", "role_profile", "priority", "bar"]
    list_filter = ["priority", "level", "role_profile__is_current", "competency__family"]
    list_select_related = ["competency", "level", "role_profile"]
    search_fields = ["competency__name", "role_profile__name", "anchor_yes"]
    readonly_fields = [
        "role_profile",
        "level",
        "competency",
        "priority",
        "bar",
        "anchor_strong_no",
        "anchor_no",
        "anchor_yes",
        "anchor_strong_yes",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["key", "competency", "level_range", "minutes", "status"]
    list_filter = ["status", "competency__family", "competency"]
    list_select_related = ["competency", "min_level", "max_level"]
    search_fields = ["key", "prompt", "competency__name"]
    autocomplete_fields = ["competency", "min_level", "max_level"]
    actions = ["retire"]

    @admin.action(description="Retire the selected questions")
    def retire(self, request: HttpRequest, queryset: Any) -> None:
        count = questions_retire(questions=queryset)
        self.message_user(request, f"{count} question(s) retired.", messages.SUCCESS)


@admin.register(InterviewKind)
class InterviewKindAdmin(admin.ModelAdmin[InterviewKind]):
    list_display = ["name", "key", "ladder", "minutes", "level_codes"]
    list_filter = ["ladder", "levels"]
    list_select_related = ["ladder"]
    search_fields = ["name", "key", "competencies__name"]
    filter_horizontal = ["levels", "competencies"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("levels")

    @admin.display(description="Levels")
    def level_codes(self, kind: InterviewKind) -> str:
        return ", ".join(level.code for level in kind.levels.all())
