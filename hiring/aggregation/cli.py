"""Command line: ``python -m hiring.aggregation fit|reliability INPUT.csv``.

Bad input never produces a traceback: a message naming the line goes to stderr and the exit
status is 2 (the same status argparse uses for a bad command line).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from ._groups import FloatArray
from .model import DEFAULT_BAR, DEFAULT_INTERVAL, fit_rater_effects
from .reliability import METRICS, fleiss_kappa_ratings, icc_shrout_fleiss, krippendorff_alpha
from .table import RatingTable, TableError

FIT_HEADER = ("candidate", "interviewer", "interview", "competency", "rating")
RELIABILITY_HEADER = ("unit", "rater", "value")
RATING_RANGE = (1.0, 4.0)
EXIT_BAD_INPUT = 2


class InputError(Exception):
    """Bad input file; ``line`` is 1-based (the header is line 1)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def read_ratings_csv(stream: TextIO) -> RatingTable:
    """Parse long-format ratings (header candidate,interviewer,interview,competency,rating)."""
    reader = csv.reader(stream)
    _read_header(reader, FIT_HEADER)
    columns: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
    ratings: list[float] = []
    lines: list[int] = []
    for row in reader:
        if not row:
            continue
        line = reader.line_num
        fields = _fields(row, FIT_HEADER, line)
        for column, value in zip(columns, fields[:4], strict=True):
            column.append(value)
        ratings.append(_rating(fields[4], line))
        lines.append(line)
    if not lines:
        raise InputError(reader.line_num or 1, "no ratings after the header")
    try:
        return RatingTable.from_arrays(*columns, rating=ratings)
    except TableError as error:
        raise InputError(lines[error.row] if error.row is not None else 1, error.message) from None


@dataclass(frozen=True)
class ReliabilityData:
    """Units x raters matrix (NaN = missing) with the labels in order of first appearance."""

    units: tuple[str, ...]
    raters: tuple[str, ...]
    values: FloatArray


def read_reliability_csv(stream: TextIO) -> ReliabilityData:
    """Parse unit,rater,value rows; an empty value is missing."""
    reader = csv.reader(stream)
    _read_header(reader, RELIABILITY_HEADER)
    units: dict[str, int] = {}
    raters: dict[str, int] = {}
    cells: dict[tuple[int, int], float] = {}
    seen_line: dict[tuple[int, int], int] = {}
    rows_read = 0
    for row in reader:
        if not row:
            continue
        line = reader.line_num
        unit, rater, raw = _fields(row, RELIABILITY_HEADER, line)
        rows_read += 1
        key = (units.setdefault(unit, len(units)), raters.setdefault(rater, len(raters)))
        if key in seen_line:
            raise InputError(
                line, f"unit {unit!r} rater {rater!r} already rated on line {seen_line[key]}"
            )
        seen_line[key] = line
        text = raw.strip()
        if text:
            cells[key] = _number(text, "value", line)
    if rows_read == 0:
        raise InputError(reader.line_num or 1, "no values after the header")
    values = np.full((len(units), len(raters)), np.nan)
    for (unit_index, rater_index), value in cells.items():
        values[unit_index, rater_index] = value
    return ReliabilityData(tuple(units), tuple(raters), values)


def reliability_report(data: ReliabilityData) -> dict[str, float | None]:
    """Every statistic the design allows; None where it does not (or it is undefined)."""
    report: dict[str, float | None] = {
        f"alpha_{metric}": _finite(krippendorff_alpha(data.values, metric)) for metric in METRICS
    }
    values = data.values
    complete = bool(np.all(np.isfinite(values))) and min(values.shape) >= 2
    icc = icc_shrout_fleiss(values) if complete else {}
    for key in ("icc1", "icc2", "icc3", "icc1k", "icc2k", "icc3k"):
        report[key] = _finite(icc[key]) if key in icc else None
    per_unit = np.isfinite(values).sum(axis=1)
    same_count = per_unit.size > 0 and bool(np.all(per_unit == per_unit[0])) and per_unit[0] >= 2
    report["fleiss_kappa"] = _finite(fleiss_kappa_ratings(values)) if same_count else None
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m hiring.aggregation",
        description="Calibrated interview aggregation and inter-rater reliability.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fit = commands.add_parser(
        "fit", help="fit the rater-effects model; CSV per candidate on stdout"
    )
    fit.add_argument("input", help="CSV: candidate,interviewer,interview,competency,rating")
    fit.add_argument("--bar", type=float, default=DEFAULT_BAR, help="hire bar (default 3.0)")
    fit.add_argument(
        "--level", type=float, default=DEFAULT_INTERVAL, help="credible level (default 0.9)"
    )
    reliability = commands.add_parser(
        "reliability", help="alpha, ICC and Fleiss' kappa as JSON on stdout"
    )
    reliability.add_argument("input", help="CSV: unit,rater,value")
    args = parser.parse_args(argv)
    try:
        if args.command == "fit":
            if not 0.0 < args.level < 1.0:
                parser.error("--level must be strictly between 0 and 1")
            with _open(args.input) as stream:
                table = read_ratings_csv(stream)
            _write_fit(table, args.bar, args.level, sys.stdout)
        else:
            with _open(args.input) as stream:
                data = read_reliability_csv(stream)
            json.dump(reliability_report(data), sys.stdout)
            sys.stdout.write("\n")
    except InputError as error:
        print(f"{args.input}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, UnicodeDecodeError) as error:
        print(f"{args.input}: cannot read: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _write_fit(table: RatingTable, bar: float, level: float, out: TextIO) -> None:
    result = fit_rater_effects(table, bar=bar, interval=level)
    estimates = result.candidates
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("candidate", "score", "lower", "upper", "p_above_bar"))
    for index in sorted(range(len(estimates.ids)), key=lambda position: estimates.ids[position]):
        writer.writerow(
            (
                estimates.ids[index],
                *(
                    _format(float(array[index]))
                    for array in (
                        estimates.score,
                        estimates.lower,
                        estimates.upper,
                        estimates.p_above_bar,
                    )
                ),
            )
        )


@contextmanager
def _open(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdin
        return
    with open(path, newline="", encoding="utf-8-sig") as stream:
        yield stream


def _read_header(reader: Iterator[list[str]], expected: tuple[str, ...]) -> None:
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            1, f"the file is empty; expected the header {','.join(expected)}"
        ) from None
    names = tuple(name.strip() for name in header)
    if names != expected:
        missing = [name for name in expected if name not in names]
        detail = f"missing column(s) {', '.join(missing)}; " if missing else ""
        raise InputError(
            1, f"{detail}expected the header {','.join(expected)}, got {','.join(names)}"
        )


def _fields(row: list[str], header: tuple[str, ...], line: int) -> list[str]:
    if len(row) != len(header):
        raise InputError(line, f"expected {len(header)} fields, got {len(row)}")
    fields = [value.strip() for value in row]
    for name, value in zip(header[:-1], fields[:-1], strict=True):
        if not value:
            raise InputError(line, f"empty {name}")
    return fields


def _number(text: str, name: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(line, f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(line, f"{name} {text!r} is not a finite number")
    return value


def _rating(text: str, line: int) -> float:
    if not text:
        return math.nan
    value = _number(text, "rating", line)
    low, high = RATING_RANGE
    if not low <= value <= high:
        raise InputError(line, f"rating {text} is outside the {low:g}-{high:g} scale")
    return value


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _format(value: float) -> str:
    return f"{value:.6f}" if math.isfinite(value) else ""
