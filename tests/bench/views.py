"""Reference views for the HTTP benchmark, reached only through tests.bench.urls.

The floor is the cheapest Django JSON view there is. The raw dashboard reads the committee
dashboard's first page (the same 25 rows, in the same order, with the same columns and the total)
in ONE hand-written SQL query and renders it without templates or serializers: it is how fast the
dashboard could be, so the real page and API are measured against it. It skips the permission
and role checks (a signed-in user sees the packets of the requisitions whose committee they sit
on), which is why it lives here and not in the product.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

PAGE_SIZE = 25

RAW_DASHBOARD_SQL = """
SELECT page.*,
       (SELECT count(*) FROM hiring_vote v WHERE v.packet_id = page.id) AS n_votes,
       EXISTS (SELECT 1 FROM hiring_vote v WHERE v.packet_id = page.id AND v.member_id = %(user)s)
           AS i_voted,
       (SELECT count(*) FROM hiring_packet p
        JOIN hiring_application a ON a.id = p.application_id
        WHERE EXISTS (
            SELECT 1 FROM hiring_requisition_committee_members m
            WHERE m.requisition_id = a.requisition_id AND m.user_id = %(user)s
        )) AS total
FROM (
    SELECT p.id, p.application_id, a.requisition_id, p.status, p.stale, p.p_above_bar,
           p.ready_at, p.computed_at, p.result -> 'score' AS score,
           p.result -> 'lower' AS lower, p.result -> 'upper' AS upper,
           c.name AS candidate, r.title AS requisition_title, rp.key AS role_key,
           rp.name AS role_name, l.code AS level, d.outcome, d.diverges, d.decided_at
    FROM hiring_packet p
    JOIN hiring_application a ON a.id = p.application_id
    JOIN hiring_candidate c ON c.id = a.candidate_id
    JOIN hiring_requisition r ON r.id = a.requisition_id
    JOIN rubrics_roleprofile rp ON rp.id = r.role_profile_id
    JOIN rubrics_level l ON l.id = r.level_id
    LEFT JOIN hiring_decision d ON d.id = p.current_decision_id
    WHERE EXISTS (
        SELECT 1 FROM hiring_requisition_committee_members m
        WHERE m.requisition_id = a.requisition_id AND m.user_id = %(user)s
    )
    ORDER BY p.ready_at ASC NULLS LAST, p.id ASC
    LIMIT %(limit)s
) AS page
ORDER BY page.ready_at ASC NULLS LAST, page.id ASC
"""


def floor(request: HttpRequest) -> JsonResponse:
    """The floor: no database, no template, no serializer."""
    return JsonResponse({"ok": True})


def _rows(request: HttpRequest) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_DASHBOARD_SQL, {"user": request.user.pk or 0, "limit": PAGE_SIZE})
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _days_waiting(row: dict[str, Any], now: datetime) -> int | None:
    """As hiring.packet_selectors.days_waiting computes it."""
    ready_at = row["ready_at"]
    if ready_at is None or row["status"] == "collecting":
        return None
    end = row["decided_at"] if row["status"] == "decided" and row["decided_at"] else now
    return max((end - ready_at).days, 0)


def raw_dashboard_json(request: HttpRequest) -> JsonResponse:
    """The first dashboard page as the API shapes it, from one query."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Sign in."}, status=403)
    now = timezone.now()
    rows = _rows(request)
    results = [
        {
            "id": row["id"],
            "candidate": row["candidate"],
            "application": row["application_id"],
            "requisition": row["requisition_id"],
            "requisition_title": row["requisition_title"],
            "role_profile": row["role_key"],
            "level": row["level"],
            "status": row["status"],
            "stale": row["stale"],
            "p_above_bar": row["p_above_bar"],
            "score_lower": row["lower"],
            "score_upper": row["upper"],
            "days_waiting": _days_waiting(row, now),
            "ready_at": row["ready_at"],
            "decision": row["outcome"],
            "diverges": bool(row["diverges"]),
            "votes": row["n_votes"],
            "voted": row["i_voted"],
            "computed_at": row["computed_at"],
        }
        for row in rows
    ]
    return JsonResponse({"count": rows[0]["total"] if rows else 0, "results": results})


def _cell(value: Any) -> str:
    return "" if value is None else escape(str(value))


def raw_dashboard_page(request: HttpRequest) -> HttpResponse:
    """The first dashboard page as a plain HTML table, from one query."""
    if not request.user.is_authenticated:
        return HttpResponse("Sign in.", status=403)
    now = timezone.now()
    rows = _rows(request)
    body = [
        "<!doctype html><html><head><title>Committee (raw)</title></head><body>",
        f"<p>{rows[0]['total'] if rows else 0} packets</p><table><thead><tr>",
        "<th>Candidate</th><th>Requisition</th><th>Role · level</th><th>Status</th>",
        "<th>Days waiting</th><th>P(above the bar)</th><th>Calibrated score</th><th>Votes</th>",
        "</tr></thead><tbody>",
    ]
    for row in rows:
        p_above = row["p_above_bar"]
        waiting = _days_waiting(row, now)
        body.append(
            f'<tr><td><a href="/packets/{row["id"]}/">{_cell(row["candidate"])}</a></td>'
            f"<td>{_cell(row['requisition_title'])}</td>"
            f"<td>{_cell(row['role_name'])} · {_cell(row['level'])}</td>"
            f"<td>{_cell(row['status'])}{': ' + _cell(row['outcome']) if row['outcome'] else ''}"
            f"</td><td>{_cell(waiting)}</td>"
            f"<td>{'' if p_above is None else f'{p_above:.2f}'}</td>"
            f"<td>{_cell(row['score'])} [{_cell(row['lower'])}, {_cell(row['upper'])}]</td>"
            f"<td>{row['n_votes']}{' (you voted)' if row['i_voted'] else ''}</td></tr>"
        )
    body.append("</tbody></table></body></html>")
    return HttpResponse("".join(body))
