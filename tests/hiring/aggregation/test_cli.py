"""The command line, run as a subprocess exactly as a user would."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hiring.aggregation import (
    SimulationConfig,
    fit_rater_effects,
    fleiss_kappa,
    icc_shrout_fleiss,
    krippendorff_alpha,
    simulate_loops,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
FIT_HEADER = "candidate,interviewer,interview,competency,rating"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hiring.aggregation", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_fit_writes_one_sorted_row_per_candidate(tmp_path):
    loops = simulate_loops(SimulationConfig(n_candidates=40, n_interviewers=8, seed=6))
    lines = [FIT_HEADER]
    for candidate, interviewer, interview, competency, value in loops.table.to_rows():
        rating = "" if np.isnan(value) else str(int(value))
        lines.append(f"{candidate},{interviewer},{interview},{competency},{rating}")
    result = run("fit", write(tmp_path / "ratings.csv", "\n".join(lines) + "\n"), "--bar", "2.5")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0] == "candidate,score,lower,upper,p_above_bar"
    assert [row["candidate"] for row in rows] == sorted(loops.table.candidate_ids)
    expected = fit_rater_effects(loops.table, bar=2.5)
    first = expected.candidates.ids.index(rows[0]["candidate"])
    assert float(rows[0]["score"]) == pytest.approx(expected.candidates.score[first], abs=1e-6)
    assert float(rows[0]["p_above_bar"]) == pytest.approx(
        expected.candidates.p_above_bar[first], abs=1e-6
    )
    for row in rows:
        assert float(row["lower"]) <= float(row["score"]) <= float(row["upper"])


def test_fit_small_file_falls_back_and_sorts_ids_as_text(tmp_path):
    text = "\n".join(
        [
            FIT_HEADER,
            "10,a,m1,coding,3",
            "10,a,m1,overall,4",
            "9,b,m2,coding,2",
            "9,c,m3,coding,",
            "9,c,m3,design,4",
        ]
    )
    result = run("fit", write(tmp_path / "small.csv", text + "\n"), "--level", "0.8")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [row[0] for row in rows[1:]] == ["10", "9"]
    assert float(rows[1][1]) == pytest.approx(3.0)
    assert float(rows[2][1]) == pytest.approx(3.0)  # mean of interviews scoring 2 and 4


def test_reliability_json_with_complete_design(tmp_path):
    matrix = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    lines = ["unit,rater,value"] + [
        f"t{unit},j{rater},{value}"
        for unit, row in enumerate(matrix)
        for rater, value in enumerate(row)
    ]
    result = run("reliability", write(tmp_path / "rel.csv", "\n".join(lines) + "\n"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {
        "alpha_nominal",
        "alpha_ordinal",
        "alpha_interval",
        "alpha_ratio",
        "icc1",
        "icc2",
        "icc3",
        "icc1k",
        "icc2k",
        "icc3k",
        "fleiss_kappa",
    }
    icc = icc_shrout_fleiss(matrix)
    for key, value in icc.items():
        assert report[key] == pytest.approx(value)
    assert report["alpha_interval"] == pytest.approx(krippendorff_alpha(matrix, "interval"))
    assert report["fleiss_kappa"] is not None


def test_reliability_json_with_missing_values(tmp_path):
    text = "unit,rater,value\nu1,a,1\nu1,b,2\nu2,a,3\nu2,b,3\nu3,a,4\nu3,b,\nu3,c,4\nu3,d,3\n"
    result = run("reliability", write(tmp_path / "holes.csv", text))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert all(report[key] is None for key in ("icc1", "icc2", "icc3", "icc1k", "icc2k", "icc3k"))
    assert report["fleiss_kappa"] is None
    nan = np.nan
    expected = krippendorff_alpha([[1, 2, nan, nan], [3, 3, nan, nan], [4, nan, 4, 3]], "nominal")
    assert report["alpha_nominal"] == pytest.approx(expected)


def test_reliability_kappa_when_every_unit_has_the_same_count(tmp_path):
    text = "unit,rater,value\nu1,a,1\nu1,b,1\nu2,a,2\nu2,c,1\nu3,b,2\nu3,c,2\n"
    report = json.loads(run("reliability", write(tmp_path / "k.csv", text)).stdout)
    assert report["fleiss_kappa"] == pytest.approx(fleiss_kappa([[2, 0], [1, 1], [0, 2]]))
    assert report["icc1"] is None


@pytest.mark.parametrize(
    ("command", "text", "message"),
    [
        ("fit", "", "line 1: the file is empty"),
        ("fit", "candidate,interviewer,interview,rating\n", "line 1: missing column(s) competency"),
        ("fit", f"{FIT_HEADER}\nc,r,i,coding,good\n", "line 2: rating 'good' is not a number"),
        ("fit", f"{FIT_HEADER}\nc,r,i,coding,3\nc,r,i,design,5\n", "line 3: rating 5 is outside"),
        ("fit", f"{FIT_HEADER}\nc,r,i,coding,3\nd,r,i,design,2\n", "line 3: interview 'i'"),
        ("fit", f"{FIT_HEADER}\nc,r,i,coding\n", "line 2: expected 5 fields"),
        ("reliability", "unit,rater\n", "line 1: missing column(s) value"),
        ("reliability", "unit,rater,value\nu,a,1\nu,a,2\n", "line 3: unit 'u' rater 'a'"),
        ("reliability", "unit,rater,value\nu,a,x\n", "line 2: value 'x' is not a number"),
    ],
)
def test_bad_input_exits_2_naming_the_line(tmp_path, command, text, message):
    result = run(command, write(tmp_path / "bad.csv", text))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unknown_subcommand_and_missing_file_exit_2(tmp_path):
    unknown = run("frobnicate", "x.csv")
    assert unknown.returncode == 2
    assert "invalid choice" in unknown.stderr
    missing = run("fit", str(tmp_path / "absent.csv"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
