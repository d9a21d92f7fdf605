"""Charts as inline SVG, rendered on the server: no script, no CDN, no build step, and they print.

No inline style either, so the Content-Security-Policy needs no exception: the size is given by
width and height attributes, and static/css/debrief.css lets a chart shrink to fit (`svg.chart`).

Every chart carries a <title> and text labels, so it reads without colour and in a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Colours mirror static/css/debrief.css; hatching is not needed because every mark is labelled.
GOOD = "#1f7a4d"
BAD = "#b3261e"
INK = "#1d2433"
MUTED = "#5b6475"
LINE = "#d9dee7"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _fit(text: str, limit: int) -> str:
    """Shorten a label to fit its column; the full text stays in the chart's <title> rows."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class IntervalRow:
    """One line of an interval chart: a point estimate with its interval."""

    label: str
    value: float | None
    lower: float | None
    upper: float | None
    note: str = ""
    """Text printed at the right end of the row (e.g. "n=3")."""


def interval_chart(
    rows: Sequence[IntervalRow],
    *,
    low: float,
    high: float,
    reference: float | None = None,
    reference_label: str = "",
    title: str,
    ticks: Sequence[float] = (),
    label_width: int = 230,
    judge: bool = True,
) -> SafeString:
    """A forest plot: one row per item, a dot for the estimate and a bar for its interval; a
    dashed line marks the reference (the level's bar, or zero leniency). With `judge`, points
    whose whole interval lies above the reference are green and wholly below red; without it
    (leniency, where neither side is good) every point is ink."""
    row_height, top, plot_width, note_width = 26, 28, 360, 80
    width = label_width + plot_width + note_width
    height = top + row_height * max(len(rows), 1) + 24
    span = (high - low) or 1.0

    def x(value: float) -> float:
        clipped = min(max(value, low), high)
        return label_width + (clipped - low) / span * plot_width

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks or (low, high):
        parts.append(
            f'<line x1="{_num(x(tick))}" y1="{top - 6}" x2="{_num(x(tick))}" '
            f'y2="{height - 20}" stroke="{LINE}"/>'
            f'<text x="{_num(x(tick))}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{tick:g}</text>'
        )
    if reference is not None:
        parts.append(
            f'<line x1="{_num(x(reference))}" y1="{top - 14}" x2="{_num(x(reference))}" '
            f'y2="{height - 20}" stroke="{INK}" stroke-dasharray="4 3"/>'
            f'<text x="{_num(x(reference))}" y="{top - 16}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{escape(reference_label)}</text>'
        )
    for index, row in enumerate(rows):
        y = top + row_height * index + row_height / 2
        parts.append(
            f'<text x="{label_width - 8}" y="{_num(y + 4)}" font-size="12" text-anchor="end" '
            f'fill="{INK}"><title>{escape(row.label)}</title>{escape(_fit(row.label, 30))}</text>'
        )
        if row.value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{_num(y + 4)}" font-size="11" '
                f'fill="{MUTED}">no signal</text>'
            )
        else:
            colour = INK
            if judge and reference is not None and row.lower is not None and row.upper is not None:
                if row.lower > reference:
                    colour = GOOD
                elif row.upper < reference:
                    colour = BAD
            if row.lower is not None and row.upper is not None:
                parts.append(
                    f'<line x1="{_num(x(row.lower))}" y1="{_num(y)}" x2="{_num(x(row.upper))}" '
                    f'y2="{_num(y)}" stroke="{colour}" stroke-width="3" stroke-linecap="round"/>'
                )
            parts.append(
                f'<circle cx="{_num(x(row.value))}" cy="{_num(y)}" r="5" fill="{colour}">'
                f"<title>{escape(row.label)}: {row.value:.2f}</title></circle>"
            )
        if row.note:
            parts.append(
                f'<text x="{label_width + plot_width + 10}" y="{_num(y + 4)}" font-size="11" '
                f'fill="{MUTED}">{escape(row.note)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


@dataclass(frozen=True)
class HeatCell:
    """One competency x interview cell: the raw rating and the calibrated value (raw minus the
    interviewer's leniency). ``raw`` None means the interview did not rate it."""

    raw: float | None
    calibrated: float | None = None
    no_signal: bool = False


def _fill(value: float) -> str:
    """1 (strong no) red through 2.5 neutral to 4 (strong yes) green, as rgb."""
    t = min(max((value - 1.0) / 3.0, 0.0), 1.0)
    if t < 0.5:
        k = t / 0.5
        r, g, b = 0xF4 + (0xF6 - 0xF4) * k, 0xB8 + (0xF7 - 0xB8) * k, 0xB4 + (0xFB - 0xB4) * k
    else:
        k = (t - 0.5) / 0.5
        r, g, b = 0xF6 + (0xA8 - 0xF6) * k, 0xF7 + (0xDC - 0xF7) * k, 0xFB + (0xC0 - 0xFB) * k
    return f"rgb({int(r)},{int(g)},{int(b)})"


def heatmap(
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[HeatCell]],
    title: str,
) -> SafeString:
    """Rows are competencies, columns interviews. Each cell prints the raw rating large and the
    calibrated value small beneath it; the fill follows the calibrated value."""
    label_width, cell_width, cell_height, top = 230, 112, 40, 46
    width = label_width + cell_width * max(len(column_labels), 1)
    height = top + cell_height * max(len(row_labels), 1) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    for column, label in enumerate(column_labels):
        cx = label_width + cell_width * column + cell_width / 2
        lines = label.split("\n", 1)
        for offset, text in enumerate(lines):
            parts.append(
                f'<text x="{_num(cx)}" y="{16 + 14 * offset}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{escape(_fit(text, 17))}</text>'
            )
    for row, label in enumerate(row_labels):
        y = top + cell_height * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + cell_height / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="{INK}"><title>{escape(label)}</title>'
            f"{escape(_fit(label, 30))}</text>"
        )
        for column, cell in enumerate(cells[row]):
            x = label_width + cell_width * column
            if cell.raw is None:
                fill, main, sub = "#fff", ("n/s" if cell.no_signal else ""), ""
            else:
                shade = cell.calibrated if cell.calibrated is not None else cell.raw
                fill = _fill(shade)
                main = f"{cell.raw:g}"
                sub = "" if cell.calibrated is None else f"cal {cell.calibrated:.1f}"
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_width - 2}" '
                f'height="{cell_height - 2}" fill="{fill}" stroke="{LINE}"/>'
            )
            if main:
                parts.append(
                    f'<text x="{x + cell_width / 2:.1f}" y="{y + 18}" font-size="14" '
                    f'font-weight="700" text-anchor="middle" fill="{INK}">{main}</text>'
                )
            if sub:
                parts.append(
                    f'<text x="{x + cell_width / 2:.1f}" y="{y + 32}" font-size="10" '
                    f'text-anchor="middle" fill="{MUTED}">{sub}</text>'
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
