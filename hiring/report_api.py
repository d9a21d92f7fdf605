"""Reports API: recording a candidate's voluntary self-identification, and the reports as JSON
(the same selectors as the pages and CSV exports)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    UNSUPPORTED_MEDIA_TYPE,
    permission_required,
)
from hiring import reports, selectors, services
from hiring.models import Requisition

# --- self-identification --------------------------------------------------------------------------


class SelfIdentificationInputSerializer(serializers.Serializer[Any]):
    gender = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="As the candidate describes it; blank if they chose not to say.",
    )
    ethnicity = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="As the candidate describes it; blank if they chose not to say.",
    )


class SelfIdentificationRecordedSerializer(serializers.Serializer[Any]):
    recorded = serializers.BooleanField()


class SelfIdentificationRecordApi(APIView):
    """Record (or replace) a candidate's self-identification. The answers are not echoed back,
    and no endpoint reads them per candidate: only the adverse-impact report, as counts."""

    permission_classes = [permission_required("hiring.add_selfidentification")]

    @extend_schema(
        request=SelfIdentificationInputSerializer,
        responses={
            201: SelfIdentificationRecordedSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request: Request, candidate_id: int) -> Response:
        candidate = selectors.candidate_list_for(user=request.user).filter(pk=candidate_id).first()
        if candidate is None:
            raise Http404("No such candidate.")
        data = SelfIdentificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.self_identification_record(candidate=candidate, **data.validated_data)
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)


# --- reports --------------------------------------------------------------------------------------


class CalibrationSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    fitted_at = serializers.DateTimeField()
    method = serializers.CharField(help_text="rater_effects, or plain_mean as fallback.")
    reason = serializers.CharField(help_text="Why the model fell back, if it did.")
    n_scorecards = serializers.IntegerField()
    interval = serializers.FloatField(help_text="Credible level of the leniency intervals.")


class InterviewerCalibrationRowSerializer(serializers.Serializer[Any]):
    interviewer_id = serializers.IntegerField()
    name = serializers.CharField()
    leniency = serializers.FloatField(help_text="Rating points; positive is lenient.")
    leniency_lower = serializers.FloatField()
    leniency_upper = serializers.FloatField()
    lean = serializers.CharField(help_text="lenient or harsh when the interval excludes 0.")
    noise_sd = serializers.FloatField()
    n_interviews = serializers.IntegerField(help_text="Interviews the fit saw.")
    volume = serializers.IntegerField(help_text="Submitted, non-shadow scorecards.")
    feedback_due = serializers.IntegerField()
    late = serializers.IntegerField()
    late_rate = serializers.FloatField(allow_null=True)


class InterviewerCalibrationReportSerializer(serializers.Serializer[Any]):
    calibration = CalibrationSummarySerializer(
        allow_null=True, help_text="Null until a calibration has been fitted."
    )
    rows = InterviewerCalibrationRowSerializer(many=True)
    reminder_hours = serializers.IntegerField(
        help_text="Feedback is late this many hours after the interview ended."
    )


class CompetencyReliabilityRowSerializer(serializers.Serializer[Any]):
    competency_key = serializers.CharField()
    competency_name = serializers.CharField()
    units = serializers.IntegerField()
    pairable_units = serializers.IntegerField()
    pairable_ratings = serializers.IntegerField()
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's alpha, ordinal.")
    verdict = serializers.CharField()
    note = serializers.CharField(help_text="Why alpha is null.")


class ReliabilityReportSerializer(serializers.Serializer[Any]):
    rows = CompetencyReliabilityRowSerializer(many=True)
    min_pairable_units = serializers.IntegerField()


class QuestionUsageRowSerializer(serializers.Serializer[Any]):
    question_id = serializers.IntegerField()
    key = serializers.CharField()
    competency_name = serializers.CharField()
    status = serializers.CharField()
    times_used = serializers.IntegerField()
    candidates = serializers.IntegerField()
    loops = serializers.IntegerField()
    share_of_loops = serializers.FloatField(allow_null=True)
    competency_loops = serializers.IntegerField()
    share_of_competency_loops = serializers.FloatField(allow_null=True)
    last_used = serializers.DateTimeField(allow_null=True)
    over_exposed = serializers.BooleanField()
    unused = serializers.BooleanField()


class QuestionExposureReportSerializer(serializers.Serializer[Any]):
    rows = QuestionUsageRowSerializer(many=True)
    days = serializers.IntegerField(allow_null=True)
    since = serializers.DateTimeField(allow_null=True)
    total_loops = serializers.IntegerField()
    over_exposure_share = serializers.FloatField()
    over_exposure_min_loops = serializers.IntegerField()


class FunnelStageSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    name = serializers.CharField(source="label")
    current = serializers.IntegerField()
    reached = serializers.IntegerField()
    conversion = serializers.FloatField(allow_null=True)


class FunnelRowSerializer(serializers.Serializer[Any]):
    requisition_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    stages = FunnelStageSerializer(many=True)
    rejected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    total = serializers.IntegerField()
    overall_conversion = serializers.FloatField(allow_null=True)


class FunnelReportSerializer(serializers.Serializer[Any]):
    requisition_id = serializers.IntegerField(allow_null=True)
    rows = FunnelRowSerializer(many=True)
    total = FunnelRowSerializer()


class GroupLineSerializer(serializers.Serializer[Any]):
    group = serializers.CharField()
    suppressed = serializers.BooleanField()
    applications = serializers.IntegerField(allow_null=True)
    selected = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)
    impact_ratio = serializers.FloatField(allow_null=True)
    four_fifths_flag = serializers.BooleanField(allow_null=True)
    fisher_p = serializers.FloatField(allow_null=True)
    reference = serializers.BooleanField()
    note = serializers.CharField()


class ImpactDimensionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField(source="label")
    groups = GroupLineSerializer(many=True)
    reference_group = serializers.CharField(allow_null=True)


class AdverseImpactReportSerializer(serializers.Serializer[Any]):
    has_data = serializers.BooleanField(help_text="False until a candidate self-identifies.")
    dimensions = ImpactDimensionSerializer(many=True)
    min_group_size = serializers.IntegerField()
    four_fifths = serializers.FloatField()
    significance = serializers.FloatField()


REPORT_PERMISSION = permission_required("hiring.view_reports")
REPORT_ERRORS = {403: FORBIDDEN}


class InterviewerCalibrationReportApi(APIView):
    permission_classes = [REPORT_PERMISSION]

    @extend_schema(responses={200: InterviewerCalibrationReportSerializer, **REPORT_ERRORS})
    def get(self, request: Request) -> Response:
        report = reports.interviewer_calibration_report()
        return Response(InterviewerCalibrationReportSerializer(report).data)


class ReliabilityReportApi(APIView):
    permission_classes = [REPORT_PERMISSION]

    @extend_schema(responses={200: ReliabilityReportSerializer, **REPORT_ERRORS})
    def get(self, request: Request) -> Response:
        return Response(ReliabilityReportSerializer(reports.reliability_report()).data)


class QuestionExposureFilterSerializer(serializers.Serializer[Any]):
    days = serializers.ChoiceField(
        choices=list(reports.PERIODS),
        required=False,
        allow_null=True,
        default=None,
        help_text="Only loops planned in this many days; all time if absent.",
    )


class QuestionExposureReportApi(APIView):
    permission_classes = [REPORT_PERMISSION]

    @extend_schema(
        parameters=[QuestionExposureFilterSerializer],
        responses={200: QuestionExposureReportSerializer, 400: BAD_REQUEST, **REPORT_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = QuestionExposureFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        report = reports.question_exposure_report(days=filters.validated_data["days"])
        return Response(QuestionExposureReportSerializer(report).data)


class FunnelFilterSerializer(serializers.Serializer[Any]):
    requisition = serializers.IntegerField(
        required=False, min_value=1, help_text="Only this requisition (an id)."
    )


class FunnelReportApi(APIView):
    permission_classes = [REPORT_PERMISSION]

    @extend_schema(
        parameters=[FunnelFilterSerializer],
        responses={
            200: FunnelReportSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **REPORT_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        filters = FunnelFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        try:
            report = reports.funnel_report(requisition_id=filters.validated_data.get("requisition"))
        except Requisition.DoesNotExist as exc:
            raise Http404("No such requisition.") from exc
        return Response(FunnelReportSerializer(report).data)


class AdverseImpactReportApi(APIView):
    permission_classes = [REPORT_PERMISSION]

    @extend_schema(responses={200: AdverseImpactReportSerializer, **REPORT_ERRORS})
    def get(self, request: Request) -> Response:
        return Response(AdverseImpactReportSerializer(reports.adverse_impact_report()).data)
