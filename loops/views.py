"""Loop pages for recruiters: the designer, the loop, and the interview kit."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from loops import selectors, services
from loops.forms import AssignForm, LoopDesignForm, ScheduleDayForm
from loops.models import Loop
from rubrics.selectors import expectation_list, ladder_list


def _loop_or_404(loop_id: int) -> Loop:
    try:
        return selectors.loop_get(loop_id=loop_id)
    except Loop.DoesNotExist as exc:
        raise Http404("No such loop.") from exc


class LoopListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "loops.view_loop"
    template_name = "loops/loop_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "loops": selectors.loop_list()[:200]}


class LoopDesignView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Pick a profile and a level, see the plan and its coverage, then create the loop."""

    permission_required = "loops.add_loop"
    template_name = "loops/loop_design.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = LoopDesignForm(request.GET or None)
        context: dict[str, Any] = {"form": form, "ladders": ladder_list()}
        if request.GET and form.is_valid():
            profile, level = form.cleaned_data["role_profile"], form.cleaned_data["level_obj"]
            plan = selectors.loop_plan_compute(role_profile=profile, level=level)
            expectations = list(expectation_list(role_profile=profile, level=level))
            context.update(
                plan=plan,
                coverage=[
                    (
                        e,
                        [e.competency.key in i.competencies for i in plan.interviews],
                        len(plan.coverage.get(e.competency.key, ())),
                    )
                    for e in expectations
                ],
            )
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LoopDesignForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "ladders": ladder_list()})
        loop = services.loop_generate(
            role_profile=form.cleaned_data["role_profile"],
            level=form.cleaned_data["level_obj"],
            title=form.cleaned_data["title"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Loop created.")
        return HttpResponseRedirect(reverse("loops:loop-detail", args=[loop.pk]))


class LoopDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "loops.view_loop"
    template_name = "loops/loop_detail.html"
    actions = {"schedule_day", "assign", "regenerate"}

    def context(self, loop: Loop, **forms: Any) -> dict[str, Any]:
        return {
            "loop": loop,
            "interviews": list(loop.interviews.all()),
            "coverage": selectors.loop_coverage(loop=loop),
            "schedule_form": forms.get("schedule_form") or ScheduleDayForm(),
            "assign_form": forms.get("assign_form") or AssignForm(),
            "can_change": self.request.user.has_perm("loops.change_loop"),
        }

    def get(self, request: HttpRequest, loop_id: int) -> HttpResponse:
        return render(request, self.template_name, self.context(_loop_or_404(loop_id)))

    def post(self, request: HttpRequest, loop_id: int) -> HttpResponse:
        if not request.user.has_perm("loops.change_loop"):
            raise Http404("No such loop.")
        loop = _loop_or_404(loop_id)
        action = request.POST.get("action")
        forms: dict[str, Any] = {}
        try:
            if action == "schedule_day":
                schedule_form = forms["schedule_form"] = ScheduleDayForm(request.POST)
                if schedule_form.is_valid():
                    services.loop_schedule_day(loop=loop, **schedule_form.cleaned_data)
                    messages.success(request, "Interviews scheduled back to back.")
                    return HttpResponseRedirect(request.path)
            elif action == "assign":
                assign_form = forms["assign_form"] = AssignForm(request.POST)
                if assign_form.is_valid():
                    problems = services.loop_assign_interviewers(
                        loop=loop, candidate_email=assign_form.cleaned_data["candidate_email"] or ""
                    )
                    for problem in problems:
                        messages.warning(request, problem)
                    if not problems:
                        messages.success(request, "Every interview has an interviewer.")
                    return HttpResponseRedirect(request.path)
            elif action == "regenerate":
                services.loop_regenerate(loop=loop)
                messages.success(request, "Loop replanned.")
                return HttpResponseRedirect(request.path)
            else:
                messages.error(request, "Unknown action.")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.path)
        return render(
            request, self.template_name, self.context(_loop_or_404(loop_id), **forms), status=400
        )


class InterviewKitView(LoginRequiredMixin, TemplateView):
    """What an interviewer needs for one interview: focus, anchors at this level, questions."""

    template_name = "loops/interview_kit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        loop = _loop_or_404(self.kwargs["loop_id"])
        interview = next(
            (i for i in loop.interviews.all() if i.position == self.kwargs["position"]), None
        )
        user = self.request.user
        assigned = interview is not None and any(
            person is not None and person.user_id == user.pk
            for person in (interview.interviewer, interview.shadow)
        )
        if interview is None or not (assigned or user.has_perm("loops.view_loop")):
            raise Http404("No such interview.")
        focus = [row.competency_id for row in interview.focus_rows.all()]
        expectations = {
            e.competency_id: e
            for e in expectation_list(role_profile=loop.role_profile, level=loop.level)
        }
        questions = [row.question for row in interview.question_rows.all()]
        return {
            **super().get_context_data(**kwargs),
            "loop": loop,
            "interview": interview,
            "focus": [
                (expectations.get(cid), [q for q in questions if q.competency_id == cid])
                for cid in focus
            ],
        }
