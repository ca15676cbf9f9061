"""The analysis views every project carries (for sqlite-utils, datasette, R…): each is
checked against the tables themselves, computed here in plain Python, and read by the
sqlite-utils command line as a researcher would (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from qcode import Project

DOC = "sieca-kozlowski-2009"


@pytest.fixture
def coded(study: Project) -> Project:
    doc = study.document(DOC)
    refs = {r: study.paragraph(doc, r).id for r in ("§12", "§13", "§15", "note 3")}
    rv, law = study.code("regional variation"), study.code("2006 NGO law")
    study.tag([refs["§12"], refs["§13"]], [rv.id], coder="alice")
    study.tag([refs["§13"], refs["§15"]], [rv.id, law.id], coder="bob")
    study.tag([refs["note 3"]], [law.id], coder="bob")
    study.set_coding_memo(refs["§13"], rv.id, "the regions again", coder="bob")
    return study


def rows(project: Project, sql: str) -> list[dict[str, Any]]:
    return [dict(r) for r in project.conn.execute(sql)]


def paths(project: Project) -> dict[int, str]:
    found = {}
    for code in project.codes():
        names, parent = [code.name], code.parent_id
        while parent is not None:
            up = project.code_by_id(parent)
            names.append(up.name)
            parent = up.parent_id
        found[code.id] = "/".join(reversed(names))
    return found


def test_coded_segments_is_one_row_per_coding(coded: Project) -> None:
    path = paths(coded)
    expected = set()
    for g in rows(coded, "SELECT * FROM codings"):
        p = rows(coded, f"SELECT * FROM paragraphs WHERE id = {g['paragraph_id']}")[0]
        d = rows(coded, f"SELECT name FROM documents WHERE id = {p['document_id']}")[0]
        k = rows(coded, f"SELECT name FROM coders WHERE id = {g['coder_id']}")[0]
        expected.add((d["name"], p["label"], p["speaker"], p["section"],
                      path[g["code_id"]].split("/")[-1], path[g["code_id"]], k["name"],
                      p["text"], g["memo"], g["created_at"]))
    found = {(r["document"], r["label"], r["speaker"], r["section"], r["code"],
              r["code_path"], r["coder"], r["text"], r["memo"], r["coded_at"])
             for r in rows(coded, "SELECT * FROM coded_segments")}
    assert found == expected
    assert len(expected) == 7


def test_code_counts_roll_sub_codes_up_into_their_theme(coded: Project) -> None:
    path = paths(coded)
    codings = rows(coded, "SELECT c.code_id, c.paragraph_id, p.document_id FROM codings c "
                          "JOIN paragraphs p ON p.id = c.paragraph_id")
    expected = {}
    for code_path in path.values():
        under = [c for c in codings if path[c["code_id"]] == code_path
                 or path[c["code_id"]].startswith(code_path + "/")]
        expected[code_path] = (len({c["paragraph_id"] for c in under}),
                               len({c["document_id"] for c in under}), len(under))
    found = {r["path"]: (r["paragraphs"], r["documents"], r["codings"])
             for r in rows(coded, "SELECT * FROM code_counts")}
    assert found == expected
    theme = path[coded.code("regional variation").parent_id]  # type: ignore[index]
    assert found[theme][0] >= found[path[coded.code("regional variation").id]][0] == 3


def test_paragraph_codes_lists_each_paragraphs_codes(coded: Project) -> None:
    path = paths(coded)
    expected: dict[int, set[str]] = defaultdict(set)
    for g in rows(coded, "SELECT paragraph_id, code_id FROM codings"):
        expected[g["paragraph_id"]].add(path[g["code_id"]])
    found = {(r["document"], r["ordinal"]): json.loads(r["codes"])
             for r in rows(coded, "SELECT * FROM paragraph_codes")}
    ordinals = {p["id"]: p["ordinal"] for p in rows(coded, "SELECT id, ordinal FROM paragraphs")}
    assert len(found) == len(ordinals)
    for pid, ordinal in ordinals.items():
        assert found[(DOC, ordinal)] == sorted(expected.get(pid, set()))


def sqlite_utils(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "sqlite_utils", *args],
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_the_sqlite_utils_command_line_reads_the_views(coded: Project) -> None:
    coded.close()
    path = str(Path(coded.path))
    views = {v["view"] for v in json.loads(sqlite_utils("views", path))}
    assert {"coded_segments", "code_counts", "paragraph_codes", "code_paths"} <= views
    listed = json.loads(sqlite_utils("rows", path, "coded_segments", "--limit", "100"))
    assert {(r["label"], r["code"], r["coder"]) for r in listed} >= {
        ("§12", "regional variation", "alice"), ("note 3", "2006 NGO law", "bob")}
