"""Loop API: plan, generate, schedule, assign, export to calendars."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import FORBIDDEN, UNSUPPORTED_MEDIA_TYPE, permission_required
from loops import selectors, services
from loops.models import Interview, Interviewer, Loop
from rubrics.models import Level, RoleProfile
from rubrics.selectors import role_profile_get

# --- output ---------------------------------------------------------------------------------------


class PlanProblemSerializer(serializers.Serializer[Any]):
    competency = serializers.CharField(allow_null=True)
    guarantee = serializers.CharField()
    reason = serializers.CharField()
    interview = serializers.IntegerField(allow_null=True)


class PlannedInterviewSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    competencies = serializers.ListField(child=serializers.CharField())
    minutes = serializers.IntegerField()
    questions = serializers.ListField(child=serializers.CharField())


class LoopPlanOutputSerializer(serializers.Serializer[Any]):
    interviews = PlannedInterviewSerializer(many=True)
    total_minutes = serializers.IntegerField()
    budget_minutes = serializers.IntegerField()
    problems = PlanProblemSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class InterviewOutputSerializer(serializers.ModelSerializer[Interview]):
    kind = serializers.CharField(source="kind.key")
    kind_name = serializers.CharField(source="kind.name")
    competencies = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    interviewer = serializers.CharField(source="interviewer.user.username", allow_null=True)
    shadow = serializers.CharField(source="shadow.user.username", allow_null=True)

    class Meta:
        model = Interview
        fields = [
            "id",
            "position",
            "kind",
            "kind_name",
            "minutes",
            "competencies",
            "questions",
            "starts_at",
            "ends_at",
            "interviewer",
            "shadow",
            "status",
        ]

    def get_competencies(self, interview: Interview) -> list[str]:
        return [row.competency.key for row in interview.focus_rows.all()]

    def get_questions(self, interview: Interview) -> list[str]:
        return [row.question.key for row in interview.question_rows.all()]


class LoopOutputSerializer(serializers.ModelSerializer[Loop]):
    role_profile = serializers.CharField(source="role_profile.key")
    role_profile_version = serializers.IntegerField(source="role_profile.version")
    level = serializers.CharField(source="level.code")
    interviews = InterviewOutputSerializer(many=True)
    problems = PlanProblemSerializer(many=True)

    class Meta:
        model = Loop
        fields = [
            "id",
            "title",
            "role_profile",
            "role_profile_version",
            "level",
            "status",
            "total_minutes",
            "budget_minutes",
            "problems",
            "interviews",
            "created_at",
        ]


class LoopListOutputSerializer(serializers.ModelSerializer[Loop]):
    role_profile = serializers.CharField(source="role_profile.key")
    level = serializers.CharField(source="level.code")
    interview_count = serializers.IntegerField()
    assigned_count = serializers.IntegerField()

    class Meta:
        model = Loop
        fields = [
            "id",
            "title",
            "role_profile",
            "level",
            "status",
            "total_minutes",
            "budget_minutes",
            "interview_count",
            "assigned_count",
            "created_at",
        ]


# --- input ----------------------------------------------------------------------------------------


class LoopTargetInputSerializer(serializers.Serializer[Any]):
    role_profile = serializers.SlugField(help_text="A role profile key.")
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The current version unless given."
    )
    level = serializers.CharField(help_text="A level code of the profile's ladder.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            profile = role_profile_get(key=attrs["role_profile"], version=attrs.get("version"))
        except RoleProfile.DoesNotExist as exc:
            raise serializers.ValidationError({"role_profile": "No such role profile."}) from exc
        level = Level.objects.filter(ladder_id=profile.ladder_id, code=attrs["level"]).first()
        if level is None:
            raise serializers.ValidationError({"level": "No such level on this profile's ladder."})
        return {**attrs, "role_profile": profile, "level": level}


class LoopCreateInputSerializer(LoopTargetInputSerializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class LoopScheduleDayInputSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    break_minutes = serializers.IntegerField(required=False, default=15, min_value=0, max_value=120)


class InterviewScheduleInputSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False)


class LoopAssignInputSerializer(serializers.Serializer[Any]):
    candidate_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Interviewers with a recorded conflict with this person are skipped.",
    )


# --- views ----------------------------------------------------------------------------------------


def _loop_or_404(loop_id: int) -> Loop:
    try:
        return selectors.loop_get(loop_id=loop_id)
    except Loop.DoesNotExist as exc:
        raise Http404("No such loop.") from exc


NOT_FOUND = OpenApiResponse(description="No such loop.")
LOOP_CHANGED = {
    200: LoopOutputSerializer,
    400: OpenApiTypes.OBJECT,
    403: FORBIDDEN,
    404: NOT_FOUND,
}


class LoopPlanApi(APIView):
    """Preview the plan for a profile and level; nothing is saved."""

    permission_classes = [permission_required("loops.add_loop")]

    @extend_schema(
        request=LoopTargetInputSerializer,
        responses={
            200: LoopPlanOutputSerializer,
            400: OpenApiTypes.OBJECT,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request) -> Response:
        data = LoopTargetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = selectors.loop_plan_compute(
            role_profile=data.validated_data["role_profile"], level=data.validated_data["level"]
        )
        return Response(LoopPlanOutputSerializer(plan.to_dict()).data)


@extend_schema_view(get=extend_schema(responses={200: LoopListOutputSerializer, 403: FORBIDDEN}))
class LoopListCreateApi(ListAPIView[Loop]):
    serializer_class = LoopListOutputSerializer

    def get_permissions(self) -> list[Any]:
        perm = "loops.add_loop" if self.request.method == "POST" else "loops.view_loop"
        return [permission_required(perm)()]

    def get_queryset(self) -> Any:
        return selectors.loop_list()

    @extend_schema(
        request=LoopCreateInputSerializer,
        responses={
            201: LoopOutputSerializer,
            400: OpenApiTypes.OBJECT,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request) -> Response:
        data = LoopCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loop = services.loop_generate(
            role_profile=data.validated_data["role_profile"],
            level=data.validated_data["level"],
            title=data.validated_data["title"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        return Response(
            LoopOutputSerializer(selectors.loop_get(loop_id=loop.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class LoopDetailApi(APIView):
    permission_classes = [permission_required("loops.view_loop")]

    @extend_schema(responses={200: LoopOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, loop_id: int) -> Response:
        return Response(LoopOutputSerializer(_loop_or_404(loop_id)).data)


class LoopRegenerateApi(APIView):
    permission_classes = [permission_required("loops.change_loop")]

    @extend_schema(
        request=None,
        responses=LOOP_CHANGED,
    )
    def post(self, request: Request, loop_id: int) -> Response:
        loop = services.loop_regenerate(loop=_loop_or_404(loop_id))
        return Response(LoopOutputSerializer(selectors.loop_get(loop_id=loop.pk)).data)


class LoopScheduleDayApi(APIView):
    permission_classes = [permission_required("loops.change_loop")]

    @extend_schema(
        request=LoopScheduleDayInputSerializer,
        responses={**LOOP_CHANGED, 415: UNSUPPORTED_MEDIA_TYPE},
    )
    def post(self, request: Request, loop_id: int) -> Response:
        loop = _loop_or_404(loop_id)
        data = LoopScheduleDayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.loop_schedule_day(loop=loop, **data.validated_data)
        return Response(LoopOutputSerializer(selectors.loop_get(loop_id=loop.pk)).data)


class InterviewScheduleApi(APIView):
    permission_classes = [permission_required("loops.change_interview")]

    @extend_schema(
        request=InterviewScheduleInputSerializer,
        responses={
            200: InterviewOutputSerializer,
            400: OpenApiTypes.OBJECT,
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such loop or interview."),
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request, loop_id: int, position: int) -> Response:
        loop = _loop_or_404(loop_id)
        interview = next((i for i in loop.interviews.all() if i.position == position), None)
        if interview is None:
            raise Http404("No such interview in this loop.")
        data = InterviewScheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.interview_schedule(interview=interview, **data.validated_data)
        loop = selectors.loop_get(loop_id=loop.pk)
        scheduled = next(i for i in loop.interviews.all() if i.position == position)
        return Response(InterviewOutputSerializer(scheduled).data)


class LoopAssignApi(APIView):
    permission_classes = [permission_required("loops.change_interview")]

    @extend_schema(
        request=LoopAssignInputSerializer,
        responses={
            200: inline_serializer(
                "LoopAssignOutput",
                {
                    "loop": LoopOutputSerializer(),
                    "problems": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: OpenApiTypes.OBJECT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request, loop_id: int) -> Response:
        loop = _loop_or_404(loop_id)
        data = LoopAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        problems = services.loop_assign_interviewers(
            loop=loop, candidate_email=data.validated_data["candidate_email"]
        )
        return Response(
            {
                "loop": LoopOutputSerializer(selectors.loop_get(loop_id=loop.pk)).data,
                "problems": problems,
            }
        )


# Keyed by (status, media type): the body is iCalendar text, not JSON.
ICS_RESPONSE = {
    (200, "text/calendar"): OpenApiResponse(
        response=OpenApiTypes.STR, description="The schedule as iCalendar (RFC 5545)."
    )
}


class LoopCalendarApi(APIView):
    permission_classes = [permission_required("loops.view_loop")]

    @extend_schema(responses={**ICS_RESPONSE, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, loop_id: int) -> HttpResponse:
        loop = _loop_or_404(loop_id)
        body = selectors.loop_calendar(loop=loop, base_url=request.build_absolute_uri("/")[:-1])
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="loop-{loop.pk}.ics"'
        return response


class InterviewerCalendarApi(APIView):
    """An interviewer's own schedule; recruiters may fetch anyone's."""

    @extend_schema(
        responses={
            **ICS_RESPONSE,
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such interviewer."),
        }
    )
    def get(self, request: Request, interviewer_id: int) -> HttpResponse:
        interviewer = Interviewer.objects.select_related("user").filter(pk=interviewer_id).first()
        if interviewer is None or not (
            interviewer.user_id == request.user.pk
            or request.user.has_perm("loops.view_interviewer")
        ):
            raise Http404("No such interviewer.")
        body = selectors.interviewer_calendar(
            interviewer=interviewer, base_url=request.build_absolute_uri("/")[:-1]
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="interviews-{interviewer.pk}.ics"'
        return response
