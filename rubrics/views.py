"""The rubric browser: what interviewers read while preparing an interview."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from rubrics import selectors
from rubrics.models import RoleProfile


def _requested_version(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise Http404("No such version.")
    return int(raw)


def _role_profile_or_404(key: str, version: str | None) -> RoleProfile:
    try:
        return selectors.role_profile_get(key=key, version=_requested_version(version))
    except RoleProfile.DoesNotExist as exc:
        raise Http404("No such role profile.") from exc


class RoleProfileListView(LoginRequiredMixin, TemplateView):
    template_name = "rubrics/profile_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        profiles = list(selectors.role_profile_list())
        levels_by_profile = selectors.role_profile_levels_many(role_profiles=profiles)
        context["profiles"] = [(p, levels_by_profile.get(p.pk, [])) for p in profiles]
        context["competencies"] = selectors.competency_list()
        return context


class RoleProfileDetailView(LoginRequiredMixin, TemplateView):
    template_name = "rubrics/profile_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        profile = _role_profile_or_404(self.kwargs["key"], self.request.GET.get("version"))
        context["profile"] = profile
        context["levels"] = selectors.role_profile_levels(role_profile=profile)
        context["versions"] = selectors.role_profile_list(include_all_versions=True).filter(
            key=profile.key
        )
        return context


class LevelRubricView(LoginRequiredMixin, TemplateView):
    template_name = "rubrics/level_rubric.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        profile = _role_profile_or_404(self.kwargs["key"], self.request.GET.get("version"))
        levels = selectors.role_profile_levels(role_profile=profile)
        level = next((lv for lv in levels if lv.code == self.kwargs["level_code"]), None)
        if level is None:
            raise Http404("This profile has no expectations at that level.")
        context["profile"] = profile
        context["levels"] = levels
        context["rubric"] = selectors.level_rubric_get(role_profile=profile, level=level)
        return context
