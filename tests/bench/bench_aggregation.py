"""Benchmark of the aggregation engine: accuracy against simple baselines, speed, memory.

Run from the repository root:

    .venv/bin/python -m tests.bench.bench_aggregation [--write docs/benchmarks.md]

Accuracy: simulated loops (hiring.aggregation.simulation, default realistic parameters) of 2,000
candidates x 60 interviewers x 4-5 interviews, baseline and routed assignment, three fixed seeds
each. Every method ranks the same candidates; "truly above the bar" is the simulation's truth.
Speed: fit_rater_effects on an integer-coded RatingTable (CSV parsing not included) at about
30k and 500k competency ratings. Not collected by pytest: a benchmark is never an assertion.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import scipy
from numpy.typing import NDArray
from scipy import stats

from hiring.aggregation import (
    OVERALL,
    RatingTable,
    SimulatedLoops,
    SimulationConfig,
    fit_rater_effects,
    interview_scores,
    oracle_scores,
    simulate_loops,
)

START_MARKER = "<!-- bench:aggregation:start -->"
END_MARKER = "<!-- bench:aggregation:end -->"
SEEDS = (1, 2, 3)
SCENARIOS: tuple[Literal["baseline", "routed"], ...] = ("baseline", "routed")
HIRE_SHARE = 0.2
GAP_GOAL = 0.85
TIME_GOAL_SECONDS = 10.0
SPEED_SIZES = (
    ("30k", SimulationConfig(n_candidates=2_500, n_interviewers=60, seed=7)),
    ("500k", SimulationConfig(n_candidates=41_200, n_interviewers=500, seed=7)),
)
SPEED_REPEATS = 5

Scores = NDArray[np.float64]
Method = tuple[str, Callable[[SimulatedLoops], Scores]]


def plain_mean(loops: SimulatedLoops) -> Scores:
    """Mean of interview scores (each the mean of its competency ratings)."""
    scores = interview_scores(loops.table)
    size = loops.table.n_candidates
    counts = np.bincount(scores.candidate, minlength=size)
    return np.bincount(scores.candidate, scores.score, minlength=size) / counts


def majority_vote(loops: SimulatedLoops) -> Scores:
    """Share of interviews whose overall recommendation is Yes or Strong yes."""
    table = loops.table
    overall = (table.rating_competency == table.competency_keys.index(OVERALL)) & np.isfinite(
        table.rating_value
    )
    candidate = table.interview_candidate[table.rating_interview[overall]]
    votes = (table.rating_value[overall] >= 3.0).astype(np.float64)
    size = table.n_candidates
    return np.bincount(candidate, votes, minlength=size) / np.bincount(candidate, minlength=size)


def interviewer_z_scores(loops: SimulatedLoops) -> Scores:
    """Each interview score standardised by its interviewer's mean and SD, then averaged."""
    scores = interview_scores(loops.table)
    n_int = loops.table.n_interviewers
    counts = np.bincount(scores.interviewer, minlength=n_int).astype(np.float64)
    means = np.bincount(scores.interviewer, scores.score, minlength=n_int) / np.maximum(counts, 1)
    squares = np.bincount(
        scores.interviewer, (scores.score - means[scores.interviewer]) ** 2, minlength=n_int
    )
    pooled = float(np.sqrt(squares.sum() / max(counts.sum() - n_int, 1)))
    sd = np.where(counts > 1, np.sqrt(squares / np.maximum(counts - 1, 1)), pooled)
    sd = np.where(sd > 0, sd, pooled)
    z = (scores.score - means[scores.interviewer]) / sd[scores.interviewer]
    size = loops.table.n_candidates
    return np.bincount(scores.candidate, z, minlength=size) / np.bincount(
        scores.candidate, minlength=size
    )


def model(loops: SimulatedLoops) -> Scores:
    return fit_rater_effects(loops.table).candidates.score


def model_interview_level(loops: SimulatedLoops) -> Scores:
    return fit_rater_effects(loops.table, observation="interview").candidates.score


def oracle(loops: SimulatedLoops) -> Scores:
    return oracle_scores(loops)


METHODS: tuple[Method, ...] = (
    ("plain mean", plain_mean),
    ("majority vote (overall)", majority_vote),
    ("per-interviewer z-scores", interviewer_z_scores),
    ("this model (rating level, default)", model),
    ("this model, interview level", model_interview_level),
    ("oracle (true parameters)", oracle),
)


def auc(score: Scores, positive: NDArray[np.bool_]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    ranks = stats.rankdata(score)
    n_pos = int(positive.sum())
    n_neg = positive.shape[0] - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def precision_at_top(score: Scores, positive: NDArray[np.bool_], share: float) -> float:
    """Precision when hiring the top share; ties at the cut are filled at random (expected)."""
    hires = round(share * score.shape[0])
    order = np.sort(score)[::-1]
    cut = order[hires - 1]
    above = score > cut
    tied = score == cut
    slots = hires - int(above.sum())
    expected = positive[above].sum() + slots * positive[tied].mean()
    return float(expected / hires)


@dataclasses.dataclass(frozen=True)
class Accuracy:
    auc: float
    precision: float
    spearman: float


def accuracy_runs() -> dict[str, dict[str, list[Accuracy]]]:
    results: dict[str, dict[str, list[Accuracy]]] = {
        scenario: {name: [] for name, _ in METHODS} for scenario in SCENARIOS
    }
    for scenario in SCENARIOS:
        for seed in SEEDS:
            loops = simulate_loops(
                SimulationConfig(
                    n_candidates=2_000, n_interviewers=60, scenario=scenario, seed=seed
                )
            )
            truth = loops.truth
            for name, method in METHODS:
                score = method(loops)
                results[scenario][name].append(
                    Accuracy(
                        auc=auc(score, truth.above_bar),
                        precision=precision_at_top(score, truth.above_bar, HIRE_SHARE),
                        spearman=float(stats.spearmanr(score, truth.ability).statistic),
                    )
                )
            print(f"  accuracy: {scenario} seed {seed} done", file=sys.stderr)
    return results


def competency_ratings(table: RatingTable) -> int:
    overall = table.rating_competency == table.competency_keys.index(OVERALL)
    return int((np.isfinite(table.rating_value) & ~overall).sum())


@dataclasses.dataclass(frozen=True)
class Speed:
    label: str
    ratings: int
    candidates: int
    interviewers: int
    seconds: list[float]
    iterations: int
    peak_mib: float
    blas_threads: str = "default"
    load_average: float = 0.0


BLAS_SETTINGS = (("default", None), ("1", "1"))


def speed_in_subprocesses() -> list[Speed]:
    """Time each BLAS setting in a fresh process (the setting must precede importing numpy).

    On a shared 2-core machine, OpenBLAS's worker threads wait on a core that another process
    holds at every synchronisation point of the small interviewer-block Cholesky; a single BLAS
    thread avoids that, so both are reported.
    """
    results = []
    for label, value in BLAS_SETTINGS:
        env = dict(os.environ)
        env.pop("OPENBLAS_NUM_THREADS", None)
        if value is not None:
            env["OPENBLAS_NUM_THREADS"] = value
        completed = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_aggregation", "--speed-json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for item in json.loads(completed.stdout):
            results.append(dataclasses.replace(Speed(**item), blas_threads=label))
        print(f"  speed: BLAS threads {label} done", file=sys.stderr)
    return results


def speed_runs() -> list[Speed]:
    results = []
    for label, config in SPEED_SIZES:
        table = simulate_loops(config).table
        seconds = []
        iterations = 0
        for _ in range(SPEED_REPEATS):
            started = time.perf_counter()
            fit = fit_rater_effects(table)
            seconds.append(time.perf_counter() - started)
            iterations = fit.iterations
        tracemalloc.start()
        fit_rater_effects(table)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append(
            Speed(
                label=label,
                ratings=competency_ratings(table),
                candidates=table.n_candidates,
                interviewers=table.n_interviewers,
                seconds=seconds,
                iterations=iterations,
                peak_mib=peak / 2**20,
                load_average=os.getloadavg()[0],
            )
        )
    return results


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, {platform.platform()}, {platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
    )


def mean(values: list[float]) -> float:
    return float(statistics.fmean(values))


def gap_closed(model_auc: float, mean_auc: float, oracle_auc: float) -> float:
    return (model_auc - mean_auc) / (oracle_auc - mean_auc)


def report(accuracy: dict[str, dict[str, list[Accuracy]]], speed: list[Speed], command: str) -> str:
    lines = [
        "## Aggregation engine (`hiring.aggregation`)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}.",
        "",
        "Simulated loops: 2,000 candidates x 60 interviewers x 4-5 interviews, default "
        "simulation parameters (docs/aggregation.md), seeds "
        f"{', '.join(map(str, SEEDS))}; each figure is the mean over the seeds. "
        "AUC: ranking the candidates who are truly above the bar. Precision: share truly "
        "above the bar among the top 20% hired. Spearman: with the true ability.",
        "",
    ]
    for scenario in SCENARIOS:
        lines += [
            f"### {scenario.capitalize()} assignment",
            "",
            "| method | AUC | precision@20% | Spearman |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, _ in METHODS:
            runs = accuracy[scenario][name]
            lines.append(
                f"| {name} | {mean([r.auc for r in runs]):.3f} "
                f"| {mean([r.precision for r in runs]):.3f} "
                f"| {mean([r.spearman for r in runs]):.3f} |"
            )
        lines.append("")
    lines += [
        "### Goal: share of the plain-mean-to-oracle AUC gap the model closes (goal >= 0.85)",
        "",
        "| scenario | " + " | ".join(f"seed {seed}" for seed in SEEDS) + " | mean | goal |",
        "| --- | " + " | ".join("---:" for _ in SEEDS) + " | ---: | --- |",
    ]
    for scenario in SCENARIOS:
        by_method = accuracy[scenario]
        ratios = [
            gap_closed(m.auc, p.auc, o.auc)
            for m, p, o in zip(
                by_method["this model (rating level, default)"],
                by_method["plain mean"],
                by_method["oracle (true parameters)"],
                strict=True,
            )
        ]
        interview_ratios = [
            gap_closed(m.auc, p.auc, o.auc)
            for m, p, o in zip(
                by_method["this model, interview level"],
                by_method["plain mean"],
                by_method["oracle (true parameters)"],
                strict=True,
            )
        ]
        verdict = "met" if mean(ratios) >= GAP_GOAL else "MISSED"
        lines.append(
            f"| {scenario} | "
            + " | ".join(f"{ratio:.2f}" for ratio in ratios)
            + f" | {mean(ratios):.2f} | {verdict} |"
        )
        lines.append(
            f"| {scenario}, interview-level variant | "
            + " | ".join(f"{ratio:.2f}" for ratio in interview_ratios)
            + f" | {mean(interview_ratios):.2f} | (not the default) |"
        )
    lines += [
        "",
        "### Fit time and memory (goal: 500k ratings in under 10 s)",
        "",
        "Ratings are non-missing competency ratings (overall recommendations not counted). "
        "Time: `fit_rater_effects` on an integer-coded table (CSV parsing and simulation not "
        f"included), {SPEED_REPEATS} runs in a fresh process per BLAS setting; the goal is "
        "judged on the slowest run. Peak memory: tracemalloc during one more fit. Load avg: "
        "the machine's 1-minute load average after the runs (other work on the machine "
        "slows multi-threaded BLAS; see docs/aggregation.md).",
        "",
        "| size | BLAS threads | ratings | candidates | interviewers | EM steps | median s "
        "| min s | max s | peak MiB | load avg | goal |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for item in speed:
        median = statistics.median(item.seconds)
        goal = ""
        if item.label == "500k":
            goal = "met" if max(item.seconds) < TIME_GOAL_SECONDS else "MISSED"
        lines.append(
            f"| {item.label} | {item.blas_threads} | {item.ratings:,} | {item.candidates:,} "
            f"| {item.interviewers} | {item.iterations} | {median:.2f} | {min(item.seconds):.2f} "
            f"| {max(item.seconds):.2f} | {item.peak_mib:.0f} | {item.load_average:.2f} "
            f"| {goal} |"
        )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"Accuracy process peak RSS: {max_rss:.0f} MiB (simulation and oracle)."]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace only the text between the markers; create the file or section if absent."""
    block = f"{START_MARKER}\n{section}\n{END_MARKER}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START_MARKER in text and END_MARKER in text:
        head, rest = text.split(START_MARKER, 1)
        _, tail = rest.split(END_MARKER, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", metavar="PATH", help="replace this file's aggregation section")
    parser.add_argument("--speed-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_json:
        print(json.dumps([dataclasses.asdict(item) for item in speed_runs()]))
        return 0
    command = ".venv/bin/python -m tests.bench.bench_aggregation" + (
        f" --write {args.write}" if args.write else ""
    )
    speed = speed_in_subprocesses()
    accuracy = accuracy_runs()
    section = report(accuracy, speed, command)
    print(section)
    if args.write:
        write_section(Path(args.write), section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
