from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from rubrics.selectors import role_profile_list


class HomeView(LoginRequiredMixin, TemplateView):
    """Where every role lands after signing in."""

    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["role_profiles"] = role_profile_list()
        return context
