"""Hiring API: candidates, requisitions and applications for recruiters; interviews and
scorecards for interviewers. Views validate input, call one service or selector, and serialise."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    UNSUPPORTED_MEDIA_TYPE,
    WRITE_ERRORS,
    permission_required,
)
from config.fields import TextKeyRelatedField
from hiring import selectors, services
from hiring.models import (
    Application,
    ApplicationStatus,
    Candidate,
    CandidateSource,
    CompetencyRating,
    LevelAssessment,
    Requisition,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
)
from loops.models import Interview
from rubrics.models import Level, RoleProfile
from rubrics.selectors import role_profile_get


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# --- candidates -----------------------------------------------------------------------------------


class CandidateOutputSerializer(serializers.ModelSerializer[Candidate]):
    class Meta:
        model = Candidate
        fields = ["id", "name", "email", "phone", "resume_url", "source", "created_at"]


class CandidateInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    resume_url = serializers.URLField(required=False, allow_blank=True, default="")
    # Named like the model field; DRF's metaclass moves declared fields off the class, so the
    # clash with Field.source that the stubs see does not exist at run time.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=CandidateSource.choices, required=False, default=CandidateSource.INBOUND
    )


class CandidateUpdateInputSerializer(CandidateInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False)


@extend_schema_view(get=extend_schema(responses={200: CandidateOutputSerializer, 403: FORBIDDEN}))
class CandidateListCreateApi(ListAPIView[Candidate]):
    serializer_class = CandidateOutputSerializer

    def get_permissions(self) -> list[Any]:
        perm = "hiring.add_candidate" if self.request.method == "POST" else "hiring.view_candidate"
        return [permission_required(perm)()]

    def get_queryset(self) -> Any:
        return selectors.candidate_list_for(user=self.request.user)

    @extend_schema(
        request=CandidateInputSerializer,
        responses={
            201: CandidateOutputSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request) -> Response:
        data = CandidateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = services.candidate_create(**data.validated_data)
        return Response(CandidateOutputSerializer(candidate).data, status=status.HTTP_201_CREATED)


class CandidateDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        perm = (
            "hiring.change_candidate"
            if self.request.method == "PATCH"
            else ("hiring.view_candidate")
        )
        return [permission_required(perm)()]

    def _candidate(self, request: Request, candidate_id: int) -> Candidate:
        candidate = selectors.candidate_list_for(user=request.user).filter(pk=candidate_id).first()
        if candidate is None:
            raise Http404("No such candidate.")
        return candidate

    @extend_schema(responses={200: CandidateOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, candidate_id: int) -> Response:
        return Response(CandidateOutputSerializer(self._candidate(request, candidate_id)).data)

    @extend_schema(
        request=CandidateUpdateInputSerializer,
        responses={
            200: CandidateOutputSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def patch(self, request: Request, candidate_id: int) -> Response:
        candidate = self._candidate(request, candidate_id)
        data = CandidateUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {key: value for key, value in data.validated_data.items() if key in request.data}
        candidate = services.candidate_update(candidate=candidate, **changes)
        return Response(CandidateOutputSerializer(candidate).data)


# --- requisitions ---------------------------------------------------------------------------------


class RequisitionOutputSerializer(serializers.ModelSerializer[Requisition]):
    role_profile = serializers.CharField(source="role_profile.key")
    role_profile_version = serializers.IntegerField(source="role_profile.version")
    level = serializers.CharField(source="level.code")
    hiring_manager = serializers.CharField(source="hiring_manager.username")
    recruiter = serializers.CharField(source="recruiter.username")
    committee_members: Any = serializers.SlugRelatedField(
        many=True, slug_field="username", read_only=True
    )

    class Meta:
        model = Requisition
        fields = [
            "id",
            "title",
            "role_profile",
            "role_profile_version",
            "level",
            "hiring_manager",
            "recruiter",
            "committee_members",
            "status",
            "created_at",
        ]


class RequisitionInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    role_profile = serializers.SlugField()
    level = serializers.CharField(max_length=20)
    hiring_manager = TextKeyRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    recruiter = TextKeyRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    committee_members: Any = TextKeyRelatedField(
        many=True,
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            profile = role_profile_get(key=attrs["role_profile"])
        except RoleProfile.DoesNotExist as exc:
            raise serializers.ValidationError({"role_profile": "No such role profile."}) from exc
        level = Level.objects.filter(ladder_id=profile.ladder_id, code=attrs["level"]).first()
        if level is None:
            raise serializers.ValidationError({"level": "No such level on this profile's ladder."})
        return {
            **attrs,
            "role_profile": profile,
            "level": level,
            "committee_members": attrs.get("committee_members", []),
        }


@extend_schema_view(get=extend_schema(responses={200: RequisitionOutputSerializer, 403: FORBIDDEN}))
class RequisitionListCreateApi(ListAPIView[Requisition]):
    serializer_class = RequisitionOutputSerializer

    def get_permissions(self) -> list[Any]:
        perm = (
            "hiring.add_requisition"
            if self.request.method == "POST"
            else ("hiring.view_requisition")
        )
        return [permission_required(perm)()]

    def get_queryset(self) -> Any:
        return selectors.requisition_list_for(user=self.request.user)

    @extend_schema(
        request=RequisitionInputSerializer,
        responses={
            201: RequisitionOutputSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request) -> Response:
        data = RequisitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        requisition = services.requisition_create(**data.validated_data)
        return Response(
            RequisitionOutputSerializer(requisition).data, status=status.HTTP_201_CREATED
        )


class RequisitionDetailApi(APIView):
    permission_classes = [permission_required("hiring.view_requisition")]

    @extend_schema(responses={200: RequisitionOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, requisition_id: int) -> Response:
        requisition = (
            selectors.requisition_list_for(user=request.user).filter(pk=requisition_id).first()
        )
        if requisition is None:
            raise Http404("No such requisition.")
        return Response(RequisitionOutputSerializer(requisition).data)


# --- applications ---------------------------------------------------------------------------------


class ApplicationOutputSerializer(serializers.ModelSerializer[Application]):
    candidate = serializers.IntegerField(source="candidate_id")
    candidate_name = serializers.CharField(source="candidate.name")
    requisition = serializers.IntegerField(source="requisition_id")
    requisition_title = serializers.CharField(source="requisition.title")
    loop = serializers.IntegerField(source="loop_id", allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "candidate",
            "candidate_name",
            "requisition",
            "requisition_title",
            "status",
            "loop",
            "created_at",
            "updated_at",
        ]


class ApplicationCreateOutputSerializer(ApplicationOutputSerializer):
    assignment_problems = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(ApplicationOutputSerializer.Meta):
        fields = [*ApplicationOutputSerializer.Meta.fields, "assignment_problems"]


class ApplicationInputSerializer(serializers.Serializer[Any]):
    candidate = serializers.PrimaryKeyRelatedField(queryset=Candidate.objects.all())
    requisition = serializers.PrimaryKeyRelatedField(queryset=Requisition.objects.all())


class ApplicationMoveInputSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)


@extend_schema_view(get=extend_schema(responses={200: ApplicationOutputSerializer, 403: FORBIDDEN}))
class ApplicationListCreateApi(ListAPIView[Application]):
    serializer_class = ApplicationOutputSerializer

    def get_permissions(self) -> list[Any]:
        perm = (
            "hiring.add_application"
            if self.request.method == "POST"
            else ("hiring.view_application")
        )
        return [permission_required(perm)()]

    def get_queryset(self) -> Any:
        return selectors.application_list_for(user=self.request.user)

    @extend_schema(
        request=ApplicationInputSerializer,
        responses={
            201: ApplicationCreateOutputSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request) -> Response:
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.application_create(**data.validated_data, created_by=_user(request))
        body = ApplicationOutputSerializer(created.application).data
        return Response(
            {**body, "assignment_problems": created.assignment_problems},
            status=status.HTTP_201_CREATED,
        )


def _application_or_404(request: Request, application_id: int) -> Application:
    application = (
        selectors.application_list_for(user=request.user).filter(pk=application_id).first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


class ApplicationDetailApi(APIView):
    permission_classes = [permission_required("hiring.view_application")]

    @extend_schema(responses={200: ApplicationOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, application_id: int) -> Response:
        return Response(
            ApplicationOutputSerializer(_application_or_404(request, application_id)).data
        )


class ApplicationMoveApi(APIView):
    permission_classes = [permission_required("hiring.change_application")]

    @extend_schema(
        request=ApplicationMoveInputSerializer,
        responses={
            200: ApplicationOutputSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request, application_id: int) -> Response:
        application = _application_or_404(request, application_id)
        data = ApplicationMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_move(
            application=application, status=data.validated_data["status"]
        )
        return Response(
            ApplicationOutputSerializer(_application_or_404(request, application.pk)).data
        )


# --- interviews and scorecards --------------------------------------------------------------------


class RatingOutputSerializer(serializers.ModelSerializer[CompetencyRating]):
    competency = serializers.CharField(source="competency.key")
    competency_name = serializers.CharField(source="competency.name")

    class Meta:
        model = CompetencyRating
        fields = [
            "competency",
            "competency_name",
            "rating",
            "no_signal",
            "no_signal_reason",
            "evidence",
        ]


class ScorecardOutputSerializer(serializers.ModelSerializer[Scorecard]):
    interview = serializers.IntegerField(source="interview_id")
    interview_kind = serializers.CharField(source="interview.kind.name")
    interviewer = serializers.CharField(source="interviewer.user.username")
    ratings = RatingOutputSerializer(many=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "interview",
            "interview_kind",
            "interviewer",
            "is_shadow",
            "status",
            "version",
            "overall_recommendation",
            "level_assessment",
            "summary",
            "submitted_at",
            "ratings",
        ]


class RatingInputSerializer(serializers.Serializer[Any]):
    competency = serializers.SlugField()
    rating = serializers.IntegerField(
        min_value=1, max_value=4, allow_null=True, required=False, default=None
    )
    no_signal = serializers.BooleanField(required=False, default=False)
    no_signal_reason = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class ScorecardWriteInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a stale one gets 409 and nothing is saved."
    )
    ratings = RatingInputSerializer(many=True, required=False)
    overall_recommendation = serializers.IntegerField(
        min_value=1, max_value=4, allow_null=True, required=False
    )
    level_assessment = serializers.ChoiceField(
        choices=LevelAssessment.choices, allow_blank=True, required=False
    )
    summary = serializers.CharField(allow_blank=True, required=False)

    def to_input(self) -> services.ScorecardInput:
        data = self.validated_data
        return services.ScorecardInput(
            ratings=tuple(services.RatingInput(**rating) for rating in data.get("ratings", [])),
            overall_recommendation=data.get("overall_recommendation"),
            level_assessment=data.get("level_assessment", ""),
            summary=data.get("summary", ""),
            fields_given=frozenset(data) - {"version", "ratings"},
        )


class ScorecardAmendInputSerializer(ScorecardWriteInputSerializer):
    reason = serializers.CharField(help_text="Why the submitted feedback changes.")


class MyInterviewOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="interview.id")
    kind = serializers.CharField(source="interview.kind.name")
    minutes = serializers.IntegerField(source="interview.minutes")
    starts_at = serializers.DateTimeField(source="interview.starts_at", allow_null=True)
    ends_at = serializers.DateTimeField(source="interview.ends_at", allow_null=True)
    candidate = serializers.CharField(
        source="interview.loop.application.candidate.name", allow_null=True, default=None
    )
    role = serializers.CharField(source="interview.loop.role_profile.name")
    level = serializers.CharField(source="interview.loop.level.code")
    bucket = serializers.ChoiceField(choices=["upcoming", "awaiting feedback", "submitted"])
    scorecard = serializers.IntegerField(source="scorecard.id", allow_null=True, default=None)
    scorecard_status = serializers.CharField(
        source="scorecard.status", allow_null=True, default=None
    )


class MyInterviewListApi(APIView):
    @extend_schema(responses={200: MyInterviewOutputSerializer(many=True), 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        mine = selectors.my_interviews(user=request.user)
        return Response(MyInterviewOutputSerializer(mine, many=True).data)


class ScorecardStartApi(APIView):
    """The caller's scorecard for an interview they run or shadow, created on first call."""

    @extend_schema(
        request=None,
        responses={200: ScorecardOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, interview_id: int) -> Response:
        try:
            interview = selectors.interview_for_kit(user=request.user, interview_id=interview_id)
        except Interview.DoesNotExist as exc:
            raise Http404("No such interview.") from exc
        scorecard = services.scorecard_start(interview=interview, user=_user(request))
        return Response(
            ScorecardOutputSerializer(
                selectors.scorecard_get_for(user=request.user, scorecard_id=scorecard.pk)
            ).data
        )


class ScorecardFilterSerializer(serializers.Serializer[Any]):
    application = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=ScorecardStatus.choices, required=False)


class ScorecardListApi(ListAPIView[Scorecard]):
    """Scorecards you may read: your own, and others' once the blind rule allows."""

    serializer_class = ScorecardOutputSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[ScorecardFilterSerializer],
        responses={200: ScorecardOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = ScorecardFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        scorecards = selectors.scorecard_list_for(user=self.request.user)
        if "application" in filters.validated_data:
            scorecards = scorecards.filter(
                interview__loop__application__id=filters.validated_data["application"]
            )
        if "status" in filters.validated_data:
            scorecards = scorecards.filter(status=filters.validated_data["status"])
        return scorecards


def _scorecard_or_404(request: Request, scorecard_id: int) -> Scorecard:
    try:
        return selectors.scorecard_get_for(user=request.user, scorecard_id=scorecard_id)
    except Scorecard.DoesNotExist as exc:
        raise Http404("No such scorecard.") from exc


def _scorecard_to_change_or_404(request: Request, scorecard_id: int) -> Scorecard:
    try:
        return selectors.scorecard_to_change(user=request.user, scorecard_id=scorecard_id)
    except Scorecard.DoesNotExist as exc:
        raise Http404("No such scorecard.") from exc


def _as_written(scorecard: Scorecard) -> dict[str, Any]:
    return ScorecardOutputSerializer(selectors.scorecard_as_written(scorecard_id=scorecard.pk)).data


class ScorecardDetailApi(APIView):
    @extend_schema(responses={200: ScorecardOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, scorecard_id: int) -> Response:
        return Response(ScorecardOutputSerializer(_scorecard_or_404(request, scorecard_id)).data)


WRITE_RESPONSES = {200: ScorecardOutputSerializer, **WRITE_ERRORS}


class ScorecardDraftApi(APIView):
    @extend_schema(request=ScorecardWriteInputSerializer, responses=WRITE_RESPONSES)
    def put(self, request: Request, scorecard_id: int) -> Response:
        scorecard = _scorecard_to_change_or_404(request, scorecard_id)
        data = ScorecardWriteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scorecard = services.scorecard_save_draft(
            scorecard=scorecard,
            user=_user(request),
            version=data.validated_data["version"],
            data=data.to_input(),
        )
        return Response(_as_written(scorecard))


class ScorecardSubmitApi(APIView):
    @extend_schema(request=ScorecardWriteInputSerializer, responses=WRITE_RESPONSES)
    def post(self, request: Request, scorecard_id: int) -> Response:
        scorecard = _scorecard_to_change_or_404(request, scorecard_id)
        data = ScorecardWriteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scorecard = services.scorecard_submit(
            scorecard=scorecard,
            user=_user(request),
            version=data.validated_data["version"],
            data=data.to_input(),
        )
        return Response(_as_written(scorecard))


class ScorecardAmendApi(APIView):
    @extend_schema(request=ScorecardAmendInputSerializer, responses=WRITE_RESPONSES)
    def post(self, request: Request, scorecard_id: int) -> Response:
        scorecard = _scorecard_to_change_or_404(request, scorecard_id)
        data = ScorecardAmendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scorecard = services.scorecard_amend(
            scorecard=scorecard,
            user=_user(request),
            version=data.validated_data["version"],
            reason=data.validated_data["reason"],
            data=data.to_input(),
        )
        return Response(_as_written(scorecard))


class RevisionOutputSerializer(serializers.ModelSerializer[ScorecardRevision]):
    changed_by = serializers.CharField(source="changed_by.username")

    class Meta:
        model = ScorecardRevision
        fields = ["version", "action", "reason", "changed_by", "changed_at", "snapshot"]


class ScorecardHistoryApi(APIView):
    @extend_schema(
        responses={200: RevisionOutputSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def get(self, request: Request, scorecard_id: int) -> Response:
        scorecard = _scorecard_or_404(request, scorecard_id)
        revisions = selectors.scorecard_history(scorecard=scorecard)
        return Response(RevisionOutputSerializer(revisions, many=True).data)
