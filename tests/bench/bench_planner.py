"""Benchmark the loop planner on the shipped role profiles.

Plans `--loops` loops (1,000 by default), cycling through every shipped profile x level, each with
a different set of questions already asked to the candidate and different usage counts, so every
loop does the full search rather than repeating one. Reports wall time (total, mean, p99, max per
loop) and the peak memory tracemalloc sees while planning; with `--write PATH` it replaces only
its own section of that Markdown file.

    .venv/bin/python -m tests.bench.bench_planner --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from loops.planner import PlanInputs, plan_inputs_from_bundle, profile_levels
from rubrics.profile_files import KnownRubric, RubricBundle, rubric_files_read

REPO = Path(__file__).resolve().parents[2]
PROFILES_DIR = REPO / "rubrics" / "profiles"
START = "<!-- bench:planner:start -->"
END = "<!-- bench:planner:end -->"
COMMAND = ".venv/bin/python -m tests.bench.bench_planner --write docs/benchmarks.md"
GOAL_SECONDS = 5.0


def workload(bundle: RubricBundle, loops: int) -> list[PlanInputs]:
    """Loop n plans case n mod (profile x level) for a candidate who was already asked n mod 12
    of the bank's questions (a different window each time), with usage counts that shift too."""
    cases = profile_levels(bundle)
    keys = sorted(question.key for question in bundle.questions)
    inputs: list[PlanInputs] = []
    for n in range(loops):
        profile, level = cases[n % len(cases)]
        asked = frozenset(keys[(n * 7 + step * 13) % len(keys)] for step in range(n % 12))
        counts = {key: (position * (n + 1)) % 6 for position, key in enumerate(keys)}
        inputs.append(
            plan_inputs_from_bundle(
                bundle, profile=profile, level=level, used_question_keys=asked, times_used=counts
            )
        )
    return inputs


def run(loops: int) -> dict[str, float | int]:
    bundle = rubric_files_read([PROFILES_DIR], known=KnownRubric())
    inputs = workload(bundle, loops)
    for warm_up in inputs[: len(profile_levels(bundle))]:
        warm_up.plan()

    durations: list[float] = []
    with_problems = 0
    started = time.perf_counter()
    for case in inputs:
        before = time.perf_counter()
        plan = case.plan()
        durations.append(time.perf_counter() - before)
        with_problems += not plan.ok
    total = time.perf_counter() - started

    tracemalloc.start()
    for case in inputs:
        case.plan()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ordered = sorted(durations)
    return {
        "loops": loops,
        "cases": len(profile_levels(bundle)),
        "total_s": total,
        "mean_ms": statistics.fmean(durations) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max_ms": ordered[-1] * 1000,
        "peak_kib": peak / 1024,
        "with_problems": with_problems,
    }


def section(figures: dict[str, float | int]) -> str:
    machine = (
        f"{platform.platform()}, {platform.machine()}, os.cpu_count() = {os.cpu_count()}, "
        f"Python {platform.python_version()}"
    )
    per_thousand = figures["total_s"] * 1000 / figures["loops"]
    verdict = "meets" if per_thousand < GOAL_SECONDS else "misses"
    return "\n".join(
        [
            START,
            "## Loop planner",
            "",
            f"Command: `{COMMAND}`  ",
            f"Machine: {machine}  ",
            f"Measured: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"Plans {figures['loops']:,} loops with `loops.planner.plan_loop`, cycling through the "
            f"{figures['cases']} shipped profile x level cases; each loop's candidate has already "
            "been asked a different 0-11 questions and the bank's usage counts differ, so no two "
            "loops repeat the same work. Reading the YAML and building the inputs is not timed.",
            "",
            "| loops | total | mean per loop | p99 per loop | max per loop | peak memory "
            "(tracemalloc) | loops with problems |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {figures['loops']:,} | {figures['total_s']:.3f} s | {figures['mean_ms']:.2f} ms "
            f"| {figures['p99_ms']:.2f} ms | {figures['max_ms']:.2f} ms "
            f"| {figures['peak_kib']:.0f} KiB | {figures['with_problems']} |",
            "",
            f"Goal: under {GOAL_SECONDS:.0f} s for 1,000 loops ({verdict} it). A loop with "
            "problems is one where the questions its candidate was already asked leave some focus "
            "competency without a question that fits its interview; the plan names each one.",
            END,
        ]
    )


def write_section(path: Path, text: str) -> None:
    """Replace this benchmark's section, leaving the rest of the file (other benchmarks'
    sections included) as it was; create the file, or append the section, when it is missing."""
    if not path.exists():
        path.write_text(f"# Benchmarks\n\n{text}\n", encoding="utf-8")
        return
    current = path.read_text(encoding="utf-8")
    if START in current and END in current:
        before, rest = current.split(START, 1)
        _, after = rest.split(END, 1)
        path.write_text(before + text + after, encoding="utf-8")
    else:
        path.write_text(current.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loops", type=int, default=1000, help="how many loops to plan")
    parser.add_argument("--write", type=Path, help="Markdown file whose planner section to replace")
    arguments = parser.parse_args(argv)
    figures = run(arguments.loops)
    text = section(figures)
    print(text)
    if arguments.write is not None:
        write_section(arguments.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
