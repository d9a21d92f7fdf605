"""Admin for hiring. Scorecards are read-only here: they change through the scorecard services
(draft, submit, amend with a reason), which keep the history."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from hiring.models import (
    Application,
    Calibration,
    Candidate,
    CompetencyRating,
    FeedbackReminder,
    InterviewerCalibration,
    Packet,
    Requisition,
    Scorecard,
    ScorecardRevision,
)
from hiring.packets import packet_refresh


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin[Candidate]):
    list_display = ["name", "email", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["name", "email"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Requisition)
class RequisitionAdmin(admin.ModelAdmin[Requisition]):
    list_display = ["title", "role_profile", "level", "hiring_manager", "recruiter", "status"]
    list_filter = ["status", "level"]
    list_select_related = ["role_profile", "level", "hiring_manager", "recruiter"]
    search_fields = ["title", "role_profile__name", "hiring_manager__username"]
    autocomplete_fields = ["hiring_manager", "recruiter", "level"]
    filter_horizontal = ["committee_members"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ["candidate", "requisition", "status", "created_at"]
    list_filter = ["status", "requisition"]
    list_select_related = ["candidate", "requisition__level"]
    search_fields = ["candidate__name", "candidate__email", "requisition__title"]
    readonly_fields = ["candidate", "requisition", "loop", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications are opened through the API, which also plans the loop


class CompetencyRatingInline(admin.TabularInline[CompetencyRating, Scorecard]):
    model = CompetencyRating
    extra = 0
    can_delete = False
    fields = ["competency", "rating", "no_signal", "no_signal_reason", "evidence"]
    readonly_fields = ["competency", "rating", "no_signal", "no_signal_reason", "evidence"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScorecardRevisionInline(admin.TabularInline[ScorecardRevision, Scorecard]):
    model = ScorecardRevision
    extra = 0
    can_delete = False
    fields = ["version", "action", "reason", "changed_by", "changed_at"]
    readonly_fields = ["version", "action", "reason", "changed_by", "changed_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin[Scorecard]):
    list_display = ["__str__", "status", "overall_recommendation", "is_shadow", "submitted_at"]
    list_filter = ["status", "is_shadow", "level_assessment"]
    list_select_related = ["interviewer__user", "interview__kind"]
    search_fields = ["interviewer__user__username", "interview__loop__title"]
    readonly_fields = [
        "interview",
        "interviewer",
        "is_shadow",
        "status",
        "overall_recommendation",
        "level_assessment",
        "summary",
        "version",
        "submitted_at",
    ]
    inlines = [CompetencyRatingInline, ScorecardRevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeedbackReminder)
class FeedbackReminderAdmin(admin.ModelAdmin[FeedbackReminder]):
    list_display = ["interview", "kind", "window", "recipient", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["interview__kind"]
    search_fields = ["recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InterviewerCalibrationInline(admin.TabularInline[InterviewerCalibration, Calibration]):
    model = InterviewerCalibration
    extra = 0
    can_delete = False
    fields = [
        "interviewer",
        "leniency",
        "leniency_lower",
        "leniency_upper",
        "noise_sd",
        "n_interviews",
    ]
    readonly_fields = [
        "interviewer",
        "leniency",
        "leniency_lower",
        "leniency_upper",
        "noise_sd",
        "n_interviews",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("interviewer__user")


@admin.register(Calibration)
class CalibrationAdmin(admin.ModelAdmin[Calibration]):
    """Fits are written by the refit task; the admin shows them."""

    list_display = ["__str__", "fitted_at", "method", "n_scorecards", "n_ratings", "model_version"]
    list_filter = ["method"]
    readonly_fields = [
        "fitted_at",
        "model_version",
        "method",
        "reason",
        "n_scorecards",
        "n_ratings",
        "parameters",
    ]
    inlines = [InterviewerCalibrationInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Packet)
class PacketAdmin(admin.ModelAdmin[Packet]):
    list_display = [
        "application",
        "status",
        "stale",
        "computed_at",
        "computations",
        "model_version",
    ]
    list_filter = ["status", "stale"]
    list_select_related = ["application__candidate", "application__requisition__level"]
    search_fields = ["application__candidate__name", "application__requisition__title"]
    readonly_fields = [
        "application",
        "status",
        "stale",
        "result",
        "inputs_hash",
        "model_version",
        "calibration",
        "computed_at",
        "computations",
        "marked_stale_at",
    ]
    actions = ["refresh"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Recompute the selected packets now")
    def refresh(self, request: HttpRequest, queryset: Any) -> None:
        for packet_id in queryset.values_list("pk", flat=True):
            packet_refresh(packet_id=packet_id)
        self.message_user(request, f"{queryset.count()} packet(s) refreshed.")
