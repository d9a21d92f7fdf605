"""Committee API: the dashboard's packets, one packet's review, votes, decisions, follow-ups.

Views validate input, call one service or selector and serialise; every rule lives in
hiring/committee.py (writes) and hiring/packet_selectors.py (reads)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    WRITE_ERRORS,
    permission_required,
)
from hiring import committee
from hiring.api import _user
from hiring.models import Decision, Packet, PacketStatus, Vote, VoteChoice
from hiring.packet_selectors import (
    SORTS,
    days_waiting,
    decision_history,
    packet_get_for,
    packet_list_for,
    packet_review,
    packets_filter,
    vote_tally,
)
from loops.api import PlannedInterviewSerializer
from rubrics.models import Level


def _packet_or_404(request: Request, packet_id: int) -> Packet:
    try:
        return packet_get_for(user=request.user, packet_id=packet_id)
    except Packet.DoesNotExist as exc:
        raise Http404("No such packet.") from exc


def _with_level(packet: Packet, data: dict[str, Any]) -> dict[str, Any]:
    """Swap the level code for the level of that code on the requisition's ladder."""
    code = data.get("level")
    if not code:
        return {**data, "level": None}
    level = Level.objects.filter(
        ladder_id=packet.application.requisition.level.ladder_id, code=code
    ).first()
    if level is None:
        raise ValidationError({"level": f"No level {code} on this requisition's ladder."})
    return {**data, "level": level}


# --- dashboard ------------------------------------------------------------------------------------


class PacketListItemSerializer(serializers.ModelSerializer[Packet]):
    candidate = serializers.CharField(source="application.candidate.name")
    application = serializers.IntegerField(source="application_id")
    requisition = serializers.IntegerField(source="application.requisition_id")
    requisition_title = serializers.CharField(source="application.requisition.title")
    role_profile = serializers.CharField(source="application.requisition.role_profile.key")
    level = serializers.CharField(source="application.requisition.level.code")
    days_waiting = serializers.SerializerMethodField()
    score_lower = serializers.SerializerMethodField()
    score_upper = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    diverges = serializers.SerializerMethodField()
    votes = serializers.IntegerField(source="n_votes")
    voted = serializers.BooleanField(source="i_voted")

    class Meta:
        model = Packet
        fields = [
            "id",
            "candidate",
            "application",
            "requisition",
            "requisition_title",
            "role_profile",
            "level",
            "status",
            "stale",
            "p_above_bar",
            "score_lower",
            "score_upper",
            "days_waiting",
            "ready_at",
            "decision",
            "diverges",
            "votes",
            "voted",
            "computed_at",
        ]

    def get_days_waiting(self, packet: Packet) -> int | None:
        return days_waiting(packet)

    def get_score_lower(self, packet: Packet) -> float | None:
        return packet.result.get("lower")

    def get_score_upper(self, packet: Packet) -> float | None:
        return packet.result.get("upper")

    def get_decision(self, packet: Packet) -> str | None:
        return packet.current_decision.outcome if packet.current_decision else None

    def get_diverges(self, packet: Packet) -> bool:
        return bool(packet.current_decision and packet.current_decision.diverges)


FILTERS = [
    OpenApiParameter("requisition", int, description="Requisition id."),
    OpenApiParameter("role", str, description="Role profile key."),
    OpenApiParameter("level", str, description="Level code, e.g. IC4."),
    OpenApiParameter("status", str, enum=PacketStatus.values),
    OpenApiParameter("sort", str, enum=list(SORTS), description="Default: age (oldest first)."),
]


class PacketFilterSerializer(serializers.Serializer[Any]):
    requisition = serializers.IntegerField(required=False, min_value=1)
    role = serializers.CharField(required=False, default="")
    level = serializers.CharField(required=False, default="")
    status = serializers.ChoiceField(PacketStatus.choices, required=False, default="")
    sort = serializers.ChoiceField(list(SORTS), required=False, default="age")


class PacketListApi(ListAPIView[Packet]):
    """The packets of my requisitions (all of them for recruiters and admins)."""

    serializer_class = PacketListItemSerializer
    permission_classes = [permission_required("hiring.view_packet")]
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        filters = PacketFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return packets_filter(packet_list_for(user=self.request.user), **filters.validated_data)

    @extend_schema(
        parameters=FILTERS,
        responses={200: PacketListItemSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- one packet -----------------------------------------------------------------------------------


class VoteOutputSerializer(serializers.ModelSerializer[Vote]):
    member = serializers.CharField(source="member.username")
    level = serializers.CharField(source="level.code")

    class Meta:
        model = Vote
        fields = ["id", "member", "choice", "level", "rationale", "p_above_bar_seen", "cast_at"]


class DecisionOutputSerializer(serializers.ModelSerializer[Decision]):
    decided_by = serializers.CharField(source="decided_by.username")
    level = serializers.CharField(source="level.code", allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "version",
            "outcome",
            "level",
            "rationale",
            "amendment_reason",
            "diverges",
            "divergence",
            "p_above_bar",
            "follow_up_requested",
            "decided_by",
            "decided_at",
        ]


class LoopInterviewSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(source="interview.position")
    kind = serializers.CharField(source="interview.kind.name")
    interviewer = serializers.CharField()
    starts_at = serializers.DateTimeField(source="interview.starts_at", allow_null=True)
    ends_at = serializers.DateTimeField(source="interview.ends_at", allow_null=True)
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()


class EvidenceSerializer(serializers.Serializer[Any]):
    interviewer = serializers.CharField()
    interview = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    no_signal = serializers.BooleanField()
    text = serializers.CharField()


class CompetencyLineSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    priority = serializers.CharField()
    bar = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    n_signals = serializers.IntegerField()
    verdict = serializers.CharField()
    evidence = EvidenceSerializer(many=True)


class FlagSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    text = serializers.CharField()


class RecommendationSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    meets = serializers.BooleanField(allow_null=True)
    summary = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class TallySerializer(serializers.Serializer[Any]):
    cast = serializers.IntegerField()
    members = serializers.IntegerField()
    visible = serializers.BooleanField()
    mine = VoteOutputSerializer(allow_null=True)
    votes = VoteOutputSerializer(many=True)


class PacketReviewSerializer(serializers.Serializer[Any]):
    packet = PacketListItemSerializer()
    score = serializers.FloatField(source="result.score", allow_null=True, default=None)
    method = serializers.CharField(source="result.method", default="none")
    interviews = LoopInterviewSerializer(many=True)
    competencies = CompetencyLineSerializer(many=True)
    flags = FlagSerializer(many=True)
    recommendation = RecommendationSerializer()
    tally = TallySerializer()
    decisions = DecisionOutputSerializer(many=True)
    may_vote = serializers.BooleanField()
    may_decide = serializers.BooleanField()


class PacketDetailApi(APIView):
    permission_classes = [permission_required("hiring.view_packet")]

    @extend_schema(responses={200: PacketReviewSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        return Response(
            PacketReviewSerializer(packet_review(packet=packet, user=_user(request))).data
        )


class VoteInputSerializer(serializers.Serializer[Any]):
    choice = serializers.ChoiceField(VoteChoice.choices)
    level = serializers.CharField(help_text="Level code, e.g. IC4.")
    rationale = serializers.CharField(allow_blank=True)


class PacketVoteApi(APIView):
    """Votes are blind: the list shows the others' votes only after yours (or a decision)."""

    def get_permissions(self) -> list[Any]:
        perm = "hiring.add_vote" if self.request.method == "POST" else "hiring.view_packet"
        return [permission_required(perm)()]

    @extend_schema(responses={200: TallySerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        return Response(TallySerializer(vote_tally(packet=packet, user=_user(request))).data)

    @extend_schema(
        request=VoteInputSerializer,
        responses={201: VoteOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        data = VoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = committee.vote_cast(
            packet=packet, user=_user(request), **_with_level(packet, data.validated_data)
        )
        return Response(VoteOutputSerializer(vote).data, status=status.HTTP_201_CREATED)


class DecisionInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(VoteChoice.choices)
    level = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, default=None, help_text="Level code."
    )
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.BooleanField(required=False, default=False)


class DecisionAmendInputSerializer(DecisionInputSerializer):
    expected_version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(allow_blank=True)


class PacketDecisionApi(APIView):
    """GET: the decision history, oldest first (the last one is in force). POST: the decision."""

    def get_permissions(self) -> list[Any]:
        # The chair's permission is checked per requisition by the service.
        return [permission_required("hiring.view_packet")()]

    @extend_schema(
        responses={200: DecisionOutputSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def get(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        return Response(DecisionOutputSerializer(decision_history(packet=packet), many=True).data)

    @extend_schema(
        request=DecisionInputSerializer,
        responses={201: DecisionOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = committee.decision_record(
            packet=packet, user=_user(request), **_with_level(packet, data.validated_data)
        )
        return Response(DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)


class PacketDecisionAmendApi(APIView):
    permission_classes = [permission_required("hiring.view_packet")]

    @extend_schema(
        request=DecisionAmendInputSerializer,
        responses={201: DecisionOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        data = DecisionAmendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = committee.decision_amend(
            packet=packet, user=_user(request), **_with_level(packet, data.validated_data)
        )
        return Response(DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)


class FollowUpProposalSerializer(serializers.Serializer[Any]):
    competencies = serializers.ListField(child=serializers.CharField())
    why = serializers.ListField(child=serializers.CharField())
    interviews = PlannedInterviewSerializer(many=True, source="plan.interviews")
    problems = serializers.SerializerMethodField()

    def get_problems(self, proposal: committee.FollowUpProposal) -> list[str]:
        return [problem.reason for problem in proposal.plan.problems]


class FollowUpScheduledSerializer(serializers.Serializer[Any]):
    positions = serializers.ListField(child=serializers.IntegerField())
    loop = serializers.IntegerField()


class PacketFollowUpApi(APIView):
    """GET: what the planner proposes for the competencies in doubt. POST: add it to the loop
    (after a hold that asked for a follow-up)."""

    permission_classes = [permission_required("hiring.view_packet")]

    @extend_schema(
        responses={
            200: FollowUpProposalSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        return Response(FollowUpProposalSerializer(committee.follow_up_propose(packet=packet)).data)

    @extend_schema(
        request=None,
        responses={
            201: FollowUpScheduledSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, packet_id: int) -> Response:
        packet = _packet_or_404(request, packet_id)
        interviews = committee.follow_up_schedule(packet=packet, user=_user(request))
        body = {"positions": [i.position for i in interviews], "loop": packet.application.loop_id}
        return Response(FollowUpScheduledSerializer(body).data, status=status.HTTP_201_CREATED)
