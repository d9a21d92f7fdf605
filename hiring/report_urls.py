"""Report pages and their CSV exports (`<report>.csv`, with the page's filters), and the reports'
API: the same reports as JSON, and recording a candidate's self-identification."""

from django.urls import URLPattern, path

from hiring import report_api
from hiring import report_views as views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path(
        "interviewer-calibration/",
        views.InterviewerCalibrationReportView.as_view(),
        name="interviewer-calibration",
    ),
    path(
        "interviewer-calibration.csv",
        views.InterviewerCalibrationReportView.as_view(as_csv=True),
        name="interviewer-calibration-csv",
    ),
    path("reliability/", views.ReliabilityReportView.as_view(), name="reliability"),
    path(
        "reliability.csv",
        views.ReliabilityReportView.as_view(as_csv=True),
        name="reliability-csv",
    ),
    path(
        "question-exposure/",
        views.QuestionExposureReportView.as_view(),
        name="question-exposure",
    ),
    path(
        "question-exposure.csv",
        views.QuestionExposureReportView.as_view(as_csv=True),
        name="question-exposure-csv",
    ),
    path("funnel/", views.FunnelReportView.as_view(), name="funnel"),
    path("funnel.csv", views.FunnelReportView.as_view(as_csv=True), name="funnel-csv"),
    path("adverse-impact/", views.AdverseImpactReportView.as_view(), name="adverse-impact"),
    path(
        "adverse-impact.csv",
        views.AdverseImpactReportView.as_view(as_csv=True),
        name="adverse-impact-csv",
    ),
]

api_urlpatterns: list[URLPattern] = [
    path(
        "candidates/<int:candidate_id>/self-identification/",
        report_api.SelfIdentificationRecordApi.as_view(),
        name="api-self-identification",
    ),
    path(
        "reports/interviewer-calibration/",
        report_api.InterviewerCalibrationReportApi.as_view(),
        name="api-report-interviewer-calibration",
    ),
    path(
        "reports/reliability/",
        report_api.ReliabilityReportApi.as_view(),
        name="api-report-reliability",
    ),
    path(
        "reports/question-exposure/",
        report_api.QuestionExposureReportApi.as_view(),
        name="api-report-question-exposure",
    ),
    path("reports/funnel/", report_api.FunnelReportApi.as_view(), name="api-report-funnel"),
    path(
        "reports/adverse-impact/",
        report_api.AdverseImpactReportApi.as_view(),
        name="api-report-adverse-impact",
    ),
]
