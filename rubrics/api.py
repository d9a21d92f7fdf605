"""Read API for the rubric: thin views over the selectors."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import BAD_REQUEST
from rubrics import selectors
from rubrics.models import (
    CompetencyFamily,
    Expectation,
    Ladder,
    Level,
    Question,
    QuestionStatus,
    RoleProfile,
)


class CompetencyOutputSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    family = serializers.ChoiceField(choices=CompetencyFamily.choices)
    description = serializers.CharField()


class LevelOutputSerializer(serializers.ModelSerializer[Level]):
    class Meta:
        model = Level
        fields = [
            "code",
            "name",
            "track",
            "rank",
            "years_min",
            "years_max",
            "loop_minutes",
            "description",
        ]


class LadderOutputSerializer(serializers.ModelSerializer[Ladder]):
    levels = LevelOutputSerializer(many=True)

    class Meta:
        model = Ladder
        fields = ["key", "name", "description", "levels"]


class SourceSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    title = serializers.CharField()
    gives = serializers.CharField()


class RoleProfileOutputSerializer(serializers.ModelSerializer[RoleProfile]):
    ladder: serializers.SlugRelatedField[Ladder] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    sources = SourceSerializer(many=True)

    class Meta:
        model = RoleProfile
        fields = [
            "id",
            "key",
            "version",
            "is_current",
            "name",
            "ladder",
            "summary",
            "sources",
            "imported_at",
        ]


class CompensationBandSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    zone = serializers.CharField()
    currency = serializers.CharField()
    minimum = serializers.IntegerField()
    midpoint = serializers.IntegerField()
    maximum = serializers.IntegerField()
    locations = serializers.CharField(allow_blank=True)


class RoleProfileDetailOutputSerializer(RoleProfileOutputSerializer):
    compensation = CompensationBandSerializer(many=True)
    level_summaries = serializers.DictField(child=serializers.CharField(allow_blank=True))

    class Meta(RoleProfileOutputSerializer.Meta):
        fields = [*RoleProfileOutputSerializer.Meta.fields, "compensation", "level_summaries"]


class AnchorSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=4)
    name = serializers.CharField(help_text="Strong no, No, Yes or Strong yes.")
    text = serializers.CharField()


class ExpectationOutputSerializer(serializers.ModelSerializer[Expectation]):
    competency = CompetencyOutputSerializer()
    level = serializers.CharField(source="level.code")
    anchors = serializers.SerializerMethodField()

    class Meta:
        model = Expectation
        fields = ["competency", "level", "priority", "bar", "anchors"]

    @extend_schema_field(AnchorSerializer(many=True))
    def get_anchors(self, expectation: Expectation) -> list[dict[str, Any]]:
        return [
            {"rating": rating, "name": name, "text": text}
            for rating, name, text in expectation.anchors()
        ]


class QuestionOutputSerializer(serializers.ModelSerializer[Question]):
    competency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    min_level = serializers.CharField(source="min_level.code")
    max_level = serializers.CharField(source="max_level.code")
    follow_ups = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Question
        fields = [
            "key",
            "competency",
            "min_level",
            "max_level",
            "minutes",
            "prompt",
            "follow_ups",
            "good_answer",
            "status",
        ]


# --- views --------------------------------------------------------------------------------------

FORBIDDEN = OpenApiResponse(description="Not signed in.")


@extend_schema_view(
    get=extend_schema(responses={200: CompetencyOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN})
)
class CompetencyListApi(ListAPIView[Any]):
    serializer_class = CompetencyOutputSerializer
    filterset_fields = ["family"]

    def get_queryset(self) -> Any:
        return selectors.competency_list()


@extend_schema_view(get=extend_schema(responses={200: LadderOutputSerializer, 403: FORBIDDEN}))
class LadderListApi(ListAPIView[Ladder]):
    serializer_class = LadderOutputSerializer

    def get_queryset(self) -> Any:
        return selectors.ladder_list()


class RoleProfileListFilterSerializer(serializers.Serializer[Any]):
    all_versions = serializers.BooleanField(
        required=False, default=False, help_text="Include superseded versions."
    )
    ladder = serializers.SlugField(required=False, help_text="Only profiles on this ladder.")


class RoleProfileListApi(ListAPIView[RoleProfile]):
    serializer_class = RoleProfileOutputSerializer

    @extend_schema(
        parameters=[RoleProfileListFilterSerializer],
        responses={200: RoleProfileOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = RoleProfileListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.role_profile_list(
            include_all_versions=filters.validated_data["all_versions"],
            ladder_key=filters.validated_data.get("ladder"),
        )


class RoleProfileVersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="A specific version; the current one by default."
    )


def _role_profile_or_404(request: Request, key: str) -> RoleProfile:
    params = RoleProfileVersionSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    try:
        return selectors.role_profile_get(key=key, version=params.validated_data.get("version"))
    except RoleProfile.DoesNotExist as exc:
        raise Http404("No such role profile.") from exc


class RoleProfileDetailApi(RetrieveAPIView[RoleProfile]):
    serializer_class = RoleProfileDetailOutputSerializer

    @extend_schema(
        parameters=[RoleProfileVersionSerializer],
        responses={
            200: RoleProfileDetailOutputSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such role profile or version."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_object(self) -> RoleProfile:
        return _role_profile_or_404(self.request, self.kwargs["key"])


class RoleProfileLevelExpectationsApi(APIView):
    """A profile's expectations at one level, with what each rating means there."""

    @extend_schema(
        parameters=[RoleProfileVersionSerializer],
        responses={
            200: ExpectationOutputSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such role profile, version or level."),
        },
    )
    def get(self, request: Request, key: str, level_code: str) -> Response:
        profile = _role_profile_or_404(request, key)
        level = profile.ladder.levels.filter(code=level_code).first()
        if level is None:
            raise Http404("No such level on this profile's ladder.")
        expectations = selectors.expectation_list(role_profile=profile, level=level)
        return Response(ExpectationOutputSerializer(expectations, many=True).data)


class QuestionListFilterSerializer(serializers.Serializer[Any]):
    competency = serializers.SlugField(required=False, help_text="A competency key.")
    level = serializers.CharField(
        required=False, help_text="A level code: only questions whose level range includes it."
    )
    ladder = serializers.SlugField(required=False, help_text="A ladder key.")
    status = serializers.ChoiceField(
        choices=[*QuestionStatus.values, "any"], required=False, default=QuestionStatus.ACTIVE
    )


class QuestionListApi(ListAPIView[Question]):
    serializer_class = QuestionOutputSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[QuestionListFilterSerializer],
        responses={200: QuestionOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = QuestionListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.question_list(
            competency_key=data.get("competency"),
            level_code=data.get("level"),
            ladder_key=data.get("ladder"),
            status=None if data["status"] == "any" else data["status"],
        )
