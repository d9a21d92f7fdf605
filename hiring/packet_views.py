"""Committee pages: the dashboard of packets and the packet itself, with its vote and decision
forms. Reads go through hiring.packet_selectors, writes through hiring.committee."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from hiring import committee
from hiring.errors import ConflictError
from hiring.models import Packet, PacketStatus
from hiring.packet_forms import (
    DecisionAmendForm,
    DecisionForm,
    PacketFilterForm,
    VoteForm,
    add_service_errors,
)
from hiring.packet_selectors import (
    days_waiting,
    packet_get_for,
    packet_list_for,
    packet_review,
    packet_status_counts,
    packets_filter,
)
from hiring.selectors import requisition_list_for
from rubrics.models import Level

PAGE_SIZE = 25


class CommitteeMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "hiring.view_packet"


class _CountedPaginator(Paginator):
    """A paginator told its total when the caller already knows it, saving the COUNT query."""

    def __init__(self, packets: QuerySet[Packet], per_page: int, *, count: int | None) -> None:
        super().__init__(packets, per_page)
        self.packets = packets
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.packets.count() if self.known_count is None else self.known_count


def _total(counts: dict[str, int], filters: dict[str, Any]) -> int | None:
    """The filtered total, from the per-status counts the page shows anyway; None when a filter
    other than status narrows the list (the paginator then counts)."""
    if filters.get("requisition") or filters.get("role") or filters.get("level"):
        return None
    if filters.get("status"):
        return counts.get(filters["status"], 0)
    return sum(counts.values())


class PacketDashboardView(CommitteeMixin, TemplateView):
    template_name = "hiring/packets.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        requisitions = list(requisition_list_for(user=user).prefetch_related(None))
        form = PacketFilterForm(self.request.GET or None, requisitions=requisitions)
        filters = form.filters()
        counts = packet_status_counts(user=user)
        packets = packets_filter(packet_list_for(user=user), **filters)
        paginator = _CountedPaginator(packets, PAGE_SIZE, count=_total(counts, filters))
        page = paginator.get_page(self.request.GET.get("page"))
        rows = [(packet, days_waiting(packet)) for packet in page.object_list]
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page": page,
            "rows": rows,
            "counts": counts,
            "query": query.urlencode(),
        }


def _packet(request: HttpRequest, packet_id: int) -> Packet:
    try:
        return packet_get_for(user=request.user, packet_id=packet_id)
    except Packet.DoesNotExist as exc:
        raise Http404("No such packet.") from exc


def _forms(review: Any, bound: dict[str, Form] | None = None) -> dict[str, Form | None]:
    packet = review.packet
    levels = review.levels
    default = packet.application.requisition.level
    forms: dict[str, Form | None] = {
        "vote_form": VoteForm(levels=levels, default=default) if review.may_vote else None,
        "decision_form": None,
        "amend_form": None,
    }
    if review.may_decide and review.current_decision is None:
        forms["decision_form"] = DecisionForm(levels=levels, default=default)
    if review.may_decide and review.current_decision is not None:
        current = review.current_decision
        forms["amend_form"] = DecisionAmendForm(
            levels=levels,
            default=current.level or default,
            initial={"expected_version": current.version, "outcome": current.outcome},
        )
    forms.update(bound or {})
    return forms


def _render(
    request: HttpRequest, packet: Packet, bound: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    review = packet_review(packet=packet, user=request.user)
    follow_up = None
    decision = review.current_decision
    wants_follow_up = decision is not None and decision.follow_up_requested
    if wants_follow_up and packet.status == PacketStatus.READY:
        try:
            follow_up = committee.follow_up_propose(packet=packet)
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
    context = {"review": review, "packet": packet, "follow_up": follow_up, **_forms(review, bound)}
    return render(request, "hiring/packet.html", context, status=status)


class PacketView(CommitteeMixin, View):
    def get(self, request: HttpRequest, packet_id: int) -> HttpResponse:
        return _render(request, _packet(request, packet_id))


class _PacketAction(CommitteeMixin, View):
    """POST one committee action; on a rule's refusal, show the packet again with the reason.
    A PermissionDenied from the service is left to Django: a 403."""

    form_name = ""
    success = ""

    def form(self, request: HttpRequest, packet: Packet) -> Form:
        raise NotImplementedError

    def act(self, request: HttpRequest, packet: Packet, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, packet_id: int) -> HttpResponse:
        packet = _packet(request, packet_id)
        form = self.form(request, packet)
        if form.is_valid():
            try:
                self.act(request, packet, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self.success)
                return HttpResponseRedirect(reverse("hiring:packet", args=[packet.pk]))
        return _render(request, _packet(request, packet_id), {self.form_name: form}, status=400)


def _levels(packet: Packet) -> dict[str, Any]:
    requisition = packet.application.requisition
    return {
        "levels": list(Level.objects.filter(ladder_id=requisition.level.ladder_id)),
        "default": requisition.level,
    }


class PacketVoteView(_PacketAction):
    form_name = "vote_form"
    success = "Your vote is recorded; the others' votes are now visible."

    def form(self, request: HttpRequest, packet: Packet) -> Form:
        return VoteForm(request.POST, **_levels(packet))

    def act(self, request: HttpRequest, packet: Packet, data: dict[str, Any]) -> None:
        committee.vote_cast(packet=packet, user=request.user, **data)


class PacketDecisionView(_PacketAction):
    form_name = "decision_form"
    success = "Decision recorded."

    def form(self, request: HttpRequest, packet: Packet) -> Form:
        return DecisionForm(request.POST, **_levels(packet))

    def act(self, request: HttpRequest, packet: Packet, data: dict[str, Any]) -> None:
        committee.decision_record(packet=packet, user=request.user, **data)


class PacketAmendView(_PacketAction):
    form_name = "amend_form"
    success = "Decision amended; the earlier one stays in the history."

    def form(self, request: HttpRequest, packet: Packet) -> Form:
        return DecisionAmendForm(request.POST, **_levels(packet))

    def act(self, request: HttpRequest, packet: Packet, data: dict[str, Any]) -> None:
        committee.decision_amend(packet=packet, user=request.user, **data)


class PacketFollowUpView(CommitteeMixin, View):
    def post(self, request: HttpRequest, packet_id: int) -> HttpResponse:
        packet = _packet(request, packet_id)
        try:
            interviews = committee.follow_up_schedule(packet=packet, user=request.user)
        except (ValidationError, ConflictError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            positions = ", ".join(str(i.position) for i in interviews)
            messages.success(
                request, f"Follow-up added to the loop (interview {positions}); schedule it next."
            )
        return HttpResponseRedirect(reverse("hiring:packet", args=[packet.pk]))
