"""The scale benchmark at a small size: it runs, produces every figure, and every
result it computes agrees with bare SQLite (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("import", "codings", "tag", "documents", "tui", "frequencies",
           "frequencies_by_document", "cooccurrence", "agreement", "search", "autocode",
           "size")


def test_small_benchmark_produces_correct_figures(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--small", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text())
    assert figures["study"]["interviews"] == 20
    for key in FIGURES:
        row = figures["results"][key]
        assert "error" not in row, (key, row)
        assert row["correct"] is True, key
        assert row["value"] > 0 and row["bare"] > 0, (key, row)
        assert row["peak_mb"] > 0 or key == "size", (key, row)
    for key in ("tag", "documents", "tui", "frequencies", "agreement", "search"):
        assert figures["results"][key]["p99"] >= figures["results"][key]["value"], key
    for label in ("import (qcode import, a process)", "bulk codings", "qcode tag, one process",
                  "TUI first screen, heaviest coder", "frequencies in-process",
                  "co-occurrence matrix", "search: first", "agreement", "project size"):
        assert label in result.stdout


def test_small_sync_benchmark_runs_and_every_project_agrees(tmp_path: Path) -> None:
    out = tmp_path / "sync.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/sync_bench.py", "--small", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text())
    assert figures["correct"] is True
    assert figures["codings_each"] == 3 * figures["study"]["codings_per_coder"]
    assert len(figures["rounds"]) == 3
    for round_ in figures["rounds"]:
        assert set(round_) == {"alice", "bob", "carol"}
        assert all(r["seconds"] > 0 and r["peak_mb"] > 0 for r in round_.values())
    assert "every project holds the same" in result.stdout


def test_small_similar_benchmark_runs_and_finds_the_paraphrases(tmp_path: Path) -> None:
    out = tmp_path / "similar.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/similar_bench.py", "--small", "--no-sklearn",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text())
    qcode = figures["quality"]["qcode"]
    assert qcode["ranks"]["§17"] == 1  # the tests' paraphrase, written anew here
    assert all(rank <= 10 for rank in qcode["ranks"].values()), qcode
    speed = figures["speed"]
    assert speed["qcode"]["p50"] > 0 and speed["bare"]["bm25"]["p50"] > 0
    assert speed["exhaustive"]["agreement_at_10"] > 0.5
    assert "plain sqlite3, same FTS query" in result.stdout
