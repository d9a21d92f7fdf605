"""Interviewer pages: my interviews, the interview kit, the scorecard."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from hiring import selectors, services
from hiring.errors import ConflictError
from hiring.forms import ScorecardForm
from hiring.models import ScorecardStatus
from loops.models import Interview
from rubrics.selectors import expectation_list, role_profile_list


class HomeView(LoginRequiredMixin, TemplateView):
    """Where every role lands after signing in."""

    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["role_profiles"] = role_profile_list()
        mine = selectors.my_interviews(user=self.request.user)
        context["awaiting_feedback"] = [m for m in mine if m.bucket == "awaiting feedback"]
        context["upcoming"] = [m for m in mine if m.bucket == "upcoming"]
        return context


class MyInterviewsView(LoginRequiredMixin, TemplateView):
    template_name = "hiring/my_interviews.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        mine = selectors.my_interviews(user=self.request.user)
        buckets = {
            name: [m for m in mine if m.bucket == name]
            for name in ("awaiting feedback", "upcoming", "submitted")
        }
        return {**super().get_context_data(**kwargs), "buckets": buckets}


def _kit_interview(request: HttpRequest, interview_id: int) -> Interview:
    try:
        return selectors.interview_for_kit(user=request.user, interview_id=interview_id)
    except Interview.DoesNotExist as exc:
        raise Http404("No such interview.") from exc


def _focus_with_anchors(interview: Interview) -> list[tuple[Any, list[Any]]]:
    loop = interview.loop
    expectations = {
        e.competency_id: e
        for e in expectation_list(role_profile=loop.role_profile, level=loop.level)
    }
    questions = [row.question for row in interview.question_rows.all()]
    return [
        (
            expectations.get(row.competency_id),
            [q for q in questions if q.competency_id == row.competency_id],
        )
        for row in interview.focus_rows.all()
    ]


class InterviewKitView(LoginRequiredMixin, TemplateView):
    template_name = "hiring/kit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        interview = _kit_interview(self.request, self.kwargs["interview_id"])
        return {
            **super().get_context_data(**kwargs),
            "interview": interview,
            "loop": interview.loop,
            "application": getattr(interview.loop, "application", None),
            "focus": _focus_with_anchors(interview),
        }


class ScorecardView(LoginRequiredMixin, View):
    """Draft, submit, then read: the form turns read-only once submitted, and only then shows the
    other interviewers' submitted feedback."""

    template_name = "hiring/scorecard.html"

    def _context(self, interview: Interview, scorecard: Any, form: Any = None) -> dict[str, Any]:
        submitted = scorecard.status == ScorecardStatus.SUBMITTED
        return {
            "interview": interview,
            "loop": interview.loop,
            "application": getattr(interview.loop, "application", None),
            "scorecard": scorecard,
            "form": None if submitted else form or ScorecardForm(scorecard=scorecard),
            "others": selectors.loop_scorecards_visible_to(
                user=self.request.user, interview=interview
            ),
            "history": selectors.scorecard_history(scorecard=scorecard) if submitted else [],
            "focus": _focus_with_anchors(interview),
        }

    def _scorecard(self, request: HttpRequest, interview: Interview) -> Any:
        try:
            started = services.scorecard_start(interview=interview, user=request.user)  # type: ignore[arg-type]
        except PermissionDenied as exc:
            raise Http404("Only this interview's interviewers write its scorecard.") from exc
        return selectors.scorecard_get_for(user=request.user, scorecard_id=started.pk)

    def get(self, request: HttpRequest, interview_id: int) -> HttpResponse:
        interview = _kit_interview(request, interview_id)
        scorecard = self._scorecard(request, interview)
        return render(request, self.template_name, self._context(interview, scorecard))

    def post(self, request: HttpRequest, interview_id: int) -> HttpResponse:
        interview = _kit_interview(request, interview_id)
        scorecard = self._scorecard(request, interview)
        form = ScorecardForm(request.POST, scorecard=scorecard)
        if scorecard.status == ScorecardStatus.SUBMITTED:
            messages.error(request, "This scorecard was already submitted.")
            return HttpResponseRedirect(request.path)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                if submit:
                    services.scorecard_submit(
                        scorecard=scorecard,
                        user=request.user,  # type: ignore[arg-type]
                        version=form.cleaned_data["version"],
                        data=form.to_input(),
                    )
                else:
                    services.scorecard_save_draft(
                        scorecard=scorecard,
                        user=request.user,  # type: ignore[arg-type]
                        version=form.cleaned_data["version"],
                        data=form.to_input(),
                    )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_service_errors(exc.message_dict)
                else:
                    for message in exc.messages:
                        form.add_error(None, message)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Feedback submitted." if submit else "Draft saved.")
                return HttpResponseRedirect(reverse("hiring:scorecard", args=[interview.pk]))
        return render(
            request, self.template_name, self._context(interview, scorecard, form), status=400
        )
