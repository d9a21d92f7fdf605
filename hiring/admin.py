"""Admin for hiring. Scorecards are read-only here: they change through the scorecard services
(draft, submit, amend with a reason), which keep the history."""

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest

from hiring.models import (
    Application,
    AuditEvent,
    Calibration,
    Candidate,
    CompetencyRating,
    Decision,
    FeedbackReminder,
    InterviewerCalibration,
    Packet,
    PacketNotification,
    Requisition,
    Scorecard,
    ScorecardRevision,
    SelfIdentification,
    Vote,
    WebhookDelivery,
)
from hiring.notifications import webhook_redeliver
from hiring.packets import packet_refresh
from hiring.services import SCORECARD_WRITABLE_FIELDS


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
    # Feedback changes only through the services (with a revision); the admin reads it.
    readonly_fields = ["interview", "interviewer", "is_shadow", *SCORECARD_WRITABLE_FIELDS]
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


class _ReadOnlyInline(admin.TabularInline[Any, Packet]):
    """Votes and decisions change only through hiring.committee (decisions never change)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VoteInline(_ReadOnlyInline):
    model = Vote
    fields = ("member", "choice", "level", "rationale", "p_above_bar_seen", "cast_at")
    readonly_fields = fields


class DecisionInline(_ReadOnlyInline):
    model = Decision
    fields = (
        "version",
        "outcome",
        "level",
        "diverges",
        "rationale",
        "amendment_reason",
        "decided_by",
        "decided_at",
    )
    readonly_fields = fields


@admin.register(Packet)
class PacketAdmin(admin.ModelAdmin[Packet]):
    inlines = [VoteInline, DecisionInline]
    list_display = [
        "application",
        "status",
        "p_above_bar",
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
        "p_above_bar",
        "ready_at",
        "current_decision",
    ]
    actions = ["refresh"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Recompute the selected packets now")
    def refresh(self, request: HttpRequest, queryset: Any) -> None:
        for packet_id in queryset.values_list("pk", flat=True):
            packet_refresh(packet_id=packet_id)
        self.message_user(request, f"{queryset.count()} packet(s) refreshed.")


@admin.register(SelfIdentification)
class SelfIdentificationAdmin(admin.ModelAdmin[SelfIdentification]):
    """Voluntary group data: superusers only (not even a recruiter, who records it through the
    API), never inline on the candidate, so it is not read next to someone's application."""

    list_display = ["__str__", "recorded_at"]
    readonly_fields = ["candidate", "recorded_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded through the API, which replaces earlier answers

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


# --- notifications: appended by the notifications work --------------------------------------------


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    """What was sent to the decision webhook and how each attempt went. Read-only: the payload
    is what was signed; the one thing to do here is send a failed delivery again."""

    list_display = ["decision", "status", "attempts", "response_status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["decision__packet__application__candidate"]
    readonly_fields = [
        "decision",
        "url",
        "payload",
        "status",
        "attempts",
        "last_error",
        "response_status",
        "created_at",
        "delivered_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("hiring.change_webhookdelivery")

    @admin.action(description="Retry delivery", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        """Failed (and stuck pending) deliveries get a fresh round of retries; delivered ones are
        never sent again."""
        retried = skipped = 0
        for delivery in queryset.order_by("pk"):
            if webhook_redeliver(delivery=delivery):
                retried += 1
            else:
                skipped += 1
        self.message_user(request, f"{retried} delivery(ies) queued to be sent again.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} already delivered, not sent again.",
                level=messages.WARNING,
            )


@admin.register(PacketNotification)
class PacketNotificationAdmin(admin.ModelAdmin[PacketNotification]):
    """Who was told a packet is ready, for which event. Written only by the notification task."""

    list_display = ["packet", "recipient", "event", "sent_at"]
    list_filter = ["event"]
    list_select_related = ["packet__application__candidate", "recipient"]
    search_fields = ["recipient__username", "recipient__email", "event"]
    readonly_fields = ["packet", "recipient", "event", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log, for superusers only and read-only: events are appended by hiring/audit.py
    and never edited or deleted here."""

    list_display = ["at", "action", "username", "ip_address", "path", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["username"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "action",
        "actor",
        "username",
        "ip_address",
        "path",
        "object_type",
        "object_id",
        "detail",
    ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
