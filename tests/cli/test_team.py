"""The team-coding scenario end to end: two coders tag the bundled article in their own
files, `qcode merge` brings them together, `qcode agree` gives κ and α per theme that
match the hand computation below."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Cli

DOC = "sieca-kozlowski-2009"
ALICE = {"generational shift": ["§10", "§11"], "regional variation": ["§12"],
         "2006 NGO law": ["§13"], "foreign funding": ["§17"]}
BOB = {"generational shift": ["§10"], "regional variation": ["§12", "§13"],
       "2006 NGO law": ["§13"], "foreign funding": ["§16", "§17"]}

# Hand computation, 56 paragraphs, each theme but the 2006 law with one disagreement:
#   percent agreement 55/56 = 0.982
#   Cohen:  p_o = 55/56; p_e = (2/56)(1/56) + (54/56)(55/56) = 2972/3136;
#           kappa = (3080 - 2972) / (3136 - 2972) = 108/164 = 0.659
#   Fleiss: pooled p(1) = 3/112, p(0) = 109/112; P_e = 11890/12544;
#           kappa = (12320 - 11890) / (12544 - 11890) = 430/654 = 0.657
#   alpha:  n = 112 values (3 ones); o_01 + o_10 = 2; sum n_c n_k (c != k) = 2 * 3 * 109;
#           alpha = 1 - 111 * 2 / 654 = 0.661
# The 2006 law: both coders on §13 only, so every coefficient is 1.
EXPECTED = {
    "generational shift": (0.982, 0.659, 0.657, 0.661),
    "regional variation": (0.982, 0.659, 0.657, 0.661),
    "foreign funding": (0.982, 0.659, 0.657, 0.661),
    "2006 NGO law": (1.0, 1.0, 1.0, 1.0),
}


def code(cli: Cli, tagging: dict[str, list[str]], coder: str) -> None:
    for theme, labels in tagging.items():
        for label in labels:
            assert cli("tag", DOC, label, theme, coder=coder).exit_code == 0


def test_two_files_merged_then_agreement_per_theme(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = Cli(tmp_path / "alice.db"), Cli(tmp_path / "bob.db")
    shutil.copy(study_cli.path, alice.path)
    shutil.copy(study_cli.path, bob.path)
    code(alice, ALICE, "alice")
    code(bob, BOB, "bob")
    for other in (alice, bob):
        merged = json.loads(study_cli("merge", str(other.path), "--json").output)
        assert merged["unplaced"] == []
    assert json.loads(study_cli("status", "--json").output)["codings"] == 11
    result = study_cli("agree", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [c["name"] for c in report["coders"]] == ["alice", "bob"]
    by_code = {c["code"]: c for c in report["codes"]}
    for theme, (percent, cohen, fleiss, alpha) in EXPECTED.items():
        row = by_code[theme]
        assert row["units"] == 56
        assert row["percent_agreement"]["value"] == pytest.approx(percent, abs=5e-4)
        assert row["cohen_kappa"]["value"] == pytest.approx(cohen, abs=5e-4)
        assert row["fleiss_kappa"]["value"] == pytest.approx(fleiss, abs=5e-4)
        assert row["krippendorff_alpha"]["value"] == pytest.approx(alpha, abs=5e-4)
    assert by_code["long-term impact"]["cohen_kappa"]["value"] is None
    assert "no variation" in by_code["long-term impact"]["cohen_kappa"]["reason"]
    disagreements = study_cli("agree", "--disagreements", "--format", "json")
    rows = json.loads(disagreements.output)
    assert sorted((r["code"], r["paragraph"], r["with_code"], r["without_code"]) for r in rows) == [
        ("foreign funding", "§16", ["bob"], ["alice"]),
        ("generational shift", "§11", ["alice"], ["bob"]),
        ("regional variation", "§13", ["bob"], ["alice"]),
    ]
