"""Report pages for recruiters and admins: one page per report, each with a CSV export of the
same numbers (the page and the file are built from one selector call)."""

from __future__ import annotations

import csv
import math
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from hiring import reports
from hiring.charts import IntervalRow, interval_chart
from hiring.models import Requisition

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: reports.CsvCell) -> reports.CsvCell:
    """Text a spreadsheet would run as a formula (a group name is typed by a candidate) is
    quoted; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(name: str, table: reports.CsvTable) -> HttpResponse:
    header, rows = table
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    return response


def _optional_int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw or raw == "all":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a number.") from exc
    if value < 1:
        raise BadRequest(f"{name} must be positive.")
    return value


class ReportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A report page; `as_csv=True` in the URL conf serves the same report as CSV."""

    permission_required = "hiring.view_reports"
    slug: ClassVar[str]
    title: ClassVar[str]
    summary: ClassVar[str]
    template_name: ClassVar[str]
    as_csv = False

    def build(self) -> Any:
        raise NotImplementedError

    def csv_table(self, report: Any) -> reports.CsvTable:
        raise NotImplementedError

    def extra_context(self, report: Any) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest) -> HttpResponse:
        report = self.build()
        if self.as_csv:
            return csv_response(self.slug, self.csv_table(report))
        query = request.GET.urlencode()
        csv_url = reverse(f"reports:{self.slug}-csv") + (f"?{query}" if query else "")
        context = {
            "title": self.title,
            "summary": self.summary,
            "report": report,
            "csv_url": csv_url,
            **self.extra_context(report),
        }
        return render(request, self.template_name, context)


def _leniency_bound(rows: tuple[reports.InterviewerCalibrationRow, ...]) -> float:
    """The chart's half-width: every interval fits, in half points, at least one point."""
    widest = max(
        (max(abs(row.leniency_lower), abs(row.leniency_upper)) for row in rows), default=0.0
    )
    return max(1.0, math.ceil(widest * 2) / 2)


def _ticks(bound: float) -> list[float]:
    step = 0.5 if bound <= 2 else 1.0
    count = round(bound / step)
    return [step * k for k in range(-count, count + 1)]


class InterviewerCalibrationReportView(ReportView):
    slug = "interviewer-calibration"
    title = "Interviewer calibration"
    summary = (
        "Each interviewer's leniency with its interval and noise from the latest calibration, "
        "their volume of feedback and how often it came in late."
    )
    template_name = "hiring/reports/interviewer_calibration.html"

    def build(self) -> reports.InterviewerCalibrationReport:
        return reports.interviewer_calibration_report()

    def csv_table(self, report: reports.InterviewerCalibrationReport) -> reports.CsvTable:
        return reports.interviewer_calibration_csv(report)

    def extra_context(self, report: reports.InterviewerCalibrationReport) -> dict[str, Any]:
        if report.calibration is None or not report.rows:
            return {"chart": None}
        bound = _leniency_bound(report.rows)
        chart = interval_chart(
            [
                IntervalRow(
                    label=row.name,
                    value=row.leniency,
                    lower=row.leniency_lower,
                    upper=row.leniency_upper,
                    note=f"n={row.n_interviews}",
                )
                for row in report.rows
            ],
            low=-bound,
            high=bound,
            reference=0.0,
            reference_label="average",
            judge=False,
            title=(
                f"Leniency per interviewer with {report.calibration.interval:.0%} intervals, "
                "in rating points (positive: lenient)"
            ),
            ticks=_ticks(bound),
        )
        return {"chart": chart}


class ReliabilityReportView(ReportView):
    slug = "reliability"
    title = "Reliability per competency"
    summary = (
        "How far interviewers agree when they rate the same candidate's competency: "
        "Krippendorff's alpha (ordinal)."
    )
    template_name = "hiring/reports/reliability.html"

    def build(self) -> reports.ReliabilityReport:
        return reports.reliability_report()

    def csv_table(self, report: reports.ReliabilityReport) -> reports.CsvTable:
        return reports.reliability_csv(report)

    def extra_context(self, report: reports.ReliabilityReport) -> dict[str, Any]:
        return {"reliable": reports.RELIABLE_ALPHA, "tentative": reports.TENTATIVE_ALPHA}


class QuestionExposureReportView(ReportView):
    slug = "question-exposure"
    title = "Question bank use and exposure"
    summary = (
        "How often each question was asked and to how many candidates; over-exposed questions "
        "and active ones nobody asks."
    )
    template_name = "hiring/reports/question_exposure.html"

    def build(self) -> reports.QuestionExposureReport:
        days = _optional_int(self.request, "days")
        if days is not None and days not in reports.PERIODS:
            raise BadRequest(f"days must be one of {', '.join(map(str, reports.PERIODS))}.")
        return reports.question_exposure_report(days=days)

    def csv_table(self, report: reports.QuestionExposureReport) -> reports.CsvTable:
        return reports.question_exposure_csv(report)

    def extra_context(self, report: reports.QuestionExposureReport) -> dict[str, Any]:
        return {"periods": reports.PERIODS}


class FunnelReportView(ReportView):
    slug = "funnel"
    title = "Funnel by stage"
    summary = (
        "Applications at each stage per requisition, with the conversion from each stage to the "
        "next; rejected and withdrawn applications are shown apart."
    )
    template_name = "hiring/reports/funnel.html"

    def build(self) -> reports.FunnelReport:
        try:
            return reports.funnel_report(requisition_id=_optional_int(self.request, "requisition"))
        except Requisition.DoesNotExist as exc:
            raise Http404("No such requisition.") from exc

    def csv_table(self, report: reports.FunnelReport) -> reports.CsvTable:
        return reports.funnel_csv(report)


class AdverseImpactReportView(ReportView):
    slug = "adverse-impact"
    title = "Adverse impact"
    summary = (
        "Selection rates by self-identified group, with the four-fifths rule and Fisher's "
        "exact test; shown only when candidates have self-identified."
    )
    template_name = "hiring/reports/adverse_impact.html"

    def build(self) -> reports.AdverseImpactReport:
        return reports.adverse_impact_report()

    def csv_table(self, report: reports.AdverseImpactReport) -> reports.CsvTable:
        return reports.adverse_impact_csv(report)


REPORT_VIEWS: tuple[type[ReportView], ...] = (
    InterviewerCalibrationReportView,
    ReliabilityReportView,
    QuestionExposureReportView,
    FunnelReportView,
    AdverseImpactReportView,
)


class ReportIndexView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "hiring.view_reports"
    template_name = "hiring/reports/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entries = [
            {
                "title": view.title,
                "summary": view.summary,
                "url": reverse(f"reports:{view.slug}"),
                "csv_url": reverse(f"reports:{view.slug}-csv"),
            }
            for view in REPORT_VIEWS
        ]
        return {**super().get_context_data(**kwargs), "reports": entries}
