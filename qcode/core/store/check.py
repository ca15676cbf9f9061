"""``qcode check``: is this project healthy? SQLite's own checks plus qcode's invariants.

Invariants: every coding points at an existing paragraph, code and coder (foreign keys);
each paragraph's offsets cut its text out of the document; text hashes match; a
coding's exact spans lie in its document and touch its paragraph; the
full-text index matches the paragraphs; and the event log replays to exactly the codings,
codes, attributes, memos, review marks and documents the project holds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qcode.core.errors import ProjectError
from qcode.core.ids import sha256, text_hash
from qcode.core.linebreaks import fits
from qcode.core.spans import load as load_spans
from qcode.core.spans import problem as span_problem
from qcode.core.store import counts
from qcode.core.store.backup import automatic_backup, latest_backup
from qcode.core.store.changes import KEYS
from qcode.core.store.db import transaction
from qcode.core.store.health import missing_objects, quick_check, sqlite_check
from qcode.core.store.rows import unpack
from qcode.core.store.texts import join_text, offsets

# Tables whose every row the event log accounts for.
REPLAYED = ("codes", "codings", "document_attributes", "memos", "reviews")


@dataclass
class CheckReport:
    """Problems found (empty = healthy), which of them ``--repair`` can fix, what a
    repair fixed, and what a person can do about the rest."""

    problems: list[str] = field(default_factory=list)
    repairable: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    backup: str | None = None
    advice: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def add(self, problem: str, *, repairable: bool = False) -> None:
        """Record a problem (and whether a repair fixes it)."""
        self.problems.append(problem)
        if repairable:
            self.repairable.append(problem)


# What integrity_check says about an index that REINDEX rebuilds from its table.
_INDEX_PROBLEMS = ("missing from index", "wrong # of entries in index")
# Problems with the file itself rather than with qcode's rows.
_STRUCTURAL = ("sqlite integrity", "schema", "SQLite cannot read", "event log: a recorded")
# FTS5 reports its own index out of step as SQLITE_CORRUPT_VTAB; plain CORRUPT (11) is
# the file.
_CORRUPT_VTAB = 267


def check(conn: sqlite3.Connection, path: Path | None = None) -> CheckReport:
    """Run every check; never writes. Damage a check meets (an unreadable page, a
    missing table, an event log that no longer parses) is a problem in the report,
    never an exception. With ``path``, the report says what a person can do."""
    report = CheckReport()
    steps: list[tuple[str, Callable[[sqlite3.Connection, CheckReport], None]]] = [
        ("schema", _check_schema), ("sqlite integrity", _check_integrity),
        ("foreign keys", _check_foreign_keys), ("texts", _check_texts),
        ("coding GUIDs", _check_unique_guids), ("coding spans", _check_spans),
        ("search index", _check_search_index), ("kept counts", _check_counts),
        ("event log", _check_replay),
    ]
    for name, step in steps:
        try:
            step(conn, report)
        except sqlite3.Error as exc:
            report.add(f"SQLite cannot read the {name} ({exc})")
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            # ValueError covers an event whose JSON was cut short (JSONDecodeError).
            report.add(f"{name}: a recorded row cannot be read ({type(exc).__name__}: {exc})")
    if any(p.startswith(_STRUCTURAL) and p not in report.repairable for p in report.problems):
        # The file itself is damaged: rebuilding indexes on top of it could make it
        # worse, so a repair is not offered; a backup is the way back.
        report.repairable = []
    if path is not None:
        report.advice = advise(report, path)
    return report


def unreadable(problem: str, path: Path) -> CheckReport:
    """The report on a file SQLite cannot even open as a database."""
    report = CheckReport()
    report.add(f"SQLite cannot read the project file ({problem})")
    report.advice = advise(report, path)
    return report


def advise(report: CheckReport, path: Path) -> list[str]:
    """What ``--repair`` or a backup can do about the problems found."""
    if report.healthy:
        return []
    advice = []
    if report.repairable:
        advice.append(f"`qcode check --repair` fixes {len(report.repairable)} of these "
                      "(indexes, the search index, text hashes), after a backup")
    if len(report.repairable) < len(report.problems):
        backup = latest_backup(path)
        fix = ("`qcode check --repair` cannot fix the rest" if report.repairable
               else "`qcode check --repair` cannot fix these (it rebuilds indexes, the "
               "search index and text hashes only)")
        if backup is not None:
            advice.append(f"{fix}: restore a backup, e.g. the latest, {backup} (copy it "
                          "over the project while no qcode is running)")
        else:
            advice.append(f"{fix}, and there is no backup beside the project: `sqlite3 "
                          f"{path} .recover` saves what SQLite can still read")
    return advice


def _check_schema(conn: sqlite3.Connection, report: CheckReport) -> None:
    for line in missing_objects(conn):
        report.add(f"schema: {line}")


def _check_integrity(conn: sqlite3.Connection, report: CheckReport) -> None:
    try:
        lines = sqlite_check(conn, "integrity_check")
    except sqlite3.DatabaseError:
        # The full check gives up on some damage the quick one still describes.
        lines = quick_check(conn)
    for line in lines:
        report.add(f"sqlite integrity: {line}",
                   repairable=any(marker in line for marker in _INDEX_PROBLEMS))


def _check_foreign_keys(conn: sqlite3.Connection, report: CheckReport) -> None:
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        report.add(f"{table} row {rowid} points at a missing {parent} row")


def _check_texts(conn: sqlite3.Connection, report: CheckReport) -> None:
    """Each document's text, joined from its paragraphs, hashes to its sha256; each
    paragraph's offsets are where the join puts it; each text hash matches its text."""
    count = 0
    for doc_id, name, trailing, stored, breaks in conn.execute(
        "SELECT id, name, trailing, sha256, line_breaks FROM documents"
    ).fetchall():
        rows = conn.execute(
            'SELECT id, ordinal, start, "end", preceding, text, text_hash FROM paragraphs '
            "WHERE document_id = ? ORDER BY ordinal", (doc_id,)).fetchall()
        pieces = [(r[4], r[5]) for r in rows]
        text = join_text(pieces, trailing)
        if sha256(text) != stored:
            report.add(f"document {name}: sha256 does not match its text")
        if not fits(text, breaks):
            report.add(f"document {name}: its recorded line breaks do not match its text")
        for (pid, ordinal, start, end, _before, ptext, phash), place in zip(
                rows, offsets(pieces), strict=True):
            count += 1
            if (start, end) != place:
                report.add(f"{name} ¶{ordinal}: offsets do not cut its text from the document")
            if text_hash(ptext) != phash:
                report.add(f"paragraph #{pid}: text hash does not match its text",
                           repairable=True)
    report.checked["paragraphs"] = count


def _check_unique_guids(conn: sqlite3.Connection, report: CheckReport) -> None:
    """Every coding has a GUID of its own (kept by the writer, not by an index)."""
    shared = conn.execute("SELECT guid, COUNT(*) FROM codings GROUP BY guid "
                          "HAVING COUNT(*) > 1 LIMIT 5").fetchall()
    for guid, count in shared:
        report.add(f"codings: {count} share the GUID {guid}")


def _check_spans(conn: sqlite3.Connection, report: CheckReport) -> None:
    """Every exact span of a coding lies in its document's text and shares at least one
    character with the coding's paragraph (qcode.core.spans)."""
    lengths = {r[0]: r[1] for r in conn.execute(
        'SELECT d.id, COALESCE(MAX(p."end"), 0) + length(d.trailing) FROM documents d '
        "LEFT JOIN paragraphs p ON p.document_id = d.id GROUP BY d.id")}
    count = 0
    for coding_id, spans, start, end, doc_id in conn.execute(
            'SELECT c.id, c.spans, p.start, p."end", p.document_id FROM codings c '
            "JOIN paragraphs p ON p.id = c.paragraph_id WHERE c.spans IS NOT NULL"):
        try:
            found = load_spans(spans)
        except ValueError as exc:
            report.add(f"coding #{coding_id}: its spans cannot be read ({exc})")
            continue
        for span in found:
            count += 1
            wrong = span_problem(span, (start, end), lengths.get(doc_id, 0))
            if wrong is not None:
                report.add(f"coding #{coding_id}: {wrong}")
    report.checked["coding spans"] = count


def _check_search_index(conn: sqlite3.Connection, report: CheckReport) -> None:
    has_fts = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'paragraphs_fts'").fetchone()
    if not has_fts:
        return
    try:
        conn.execute(
            "INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        # FTS5 runs its integrity check as a write command; a read-only file skips it.
        report.checked["search index (skipped: read-only)"] = 0
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) != _CORRUPT_VTAB:
            raise  # the file, not the index: reported as such by check()
        report.add(f"search index out of step with the paragraphs ({exc})", repairable=True)


def _check_counts(conn: sqlite3.Connection, report: CheckReport) -> None:
    has_counts = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'count_cells'").fetchone()
    if not has_counts:
        return
    for problem in counts.differences(conn):
        report.add(f"kept counts out of step with the codings ({problem})", repairable=True)
    report.checked["kept counts"] = conn.execute("SELECT COUNT(*) FROM count_cells").fetchone()[0]


def _key(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in KEYS[table])


def replay(conn: sqlite3.Connection) -> tuple[dict[str, dict[tuple[Any, ...], dict[str, Any]]],
                                             set[int]]:
    """The state the event log describes: rows per replayed table, and document ids."""
    state: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {t: {} for t in REPLAYED}
    state["meta"] = {}
    documents: set[int] = set()
    # The review marks each document's latest removal took with it: logs written before
    # a re-inserted document listed the marks it brought back have them only there.
    removed_reviews: dict[int, list[dict[str, Any]]] = {}

    def put(table: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            state[table][_key(table, row)] = dict(row)

    for (changes,) in conn.execute("SELECT changes FROM events ORDER BY id"):
        for change in json.loads(changes):
            op, table = change["op"], change.get("table")
            if op == "insert" and table in state:
                put(table, unpack(change["rows"]))
            elif op == "delete" and table in state:
                for row in unpack(change["rows"]):
                    state[table].pop(_key(table, row), None)
            elif op == "update" and table in state:
                state[table].setdefault(_key(table, change["key"]), dict(change["key"])).update(
                    change["after"])
            elif op == "insert_document":
                documents.add(change["id"])
                source = change.get("snapshot") or change
                attributes = source.get("attributes") or {}
                put("document_attributes", [
                    {"document_id": change["id"], "key": k, "value": v}
                    for k, v in attributes.items()])
                put("codings", unpack(source.get("codings") or []))
                put("memos", unpack(source.get("memos") or []))
                brought = source.get("reviews")
                put("reviews", unpack(brought) if brought is not None
                    else removed_reviews.get(change["id"], []))
            elif op == "delete_document":
                documents.discard(change["id"])
                snapshot = change["snapshot"]
                removed_reviews[change["id"]] = unpack(snapshot.get("reviews") or [])
                for table_name, rows in (("codings", snapshot["codings"]),
                                         ("memos", snapshot["memos"]),
                                         ("reviews", snapshot.get("reviews") or [])):
                    for row in unpack(rows):
                        state[table_name].pop(_key(table_name, row), None)
                for key in snapshot["attributes"]:
                    state["document_attributes"].pop((change["id"], key), None)
    return state, documents


def _check_replay(conn: sqlite3.Connection, report: CheckReport) -> None:
    state, documents = replay(conn)
    actual_docs = {r[0] for r in conn.execute("SELECT id FROM documents")}
    if actual_docs != documents:
        report.add(
            f"event log and documents disagree: log has {sorted(documents - actual_docs)[:5]} "
            f"not in the project, project has {sorted(actual_docs - documents)[:5]} not in the log")
    for table in REPLAYED:
        actual = {_key(table, dict(r)): dict(r) for r in conn.execute(f"SELECT * FROM {table}")}
        expected = state[table]
        missing = expected.keys() - actual.keys()
        extra = actual.keys() - expected.keys()
        differ = [k for k in expected.keys() & actual.keys()
                  if any(actual[k].get(c) != v for c, v in expected[k].items())]
        for what, keys in (("missing from the project", missing),
                           ("not in the event log", extra), ("differ from the log", differ)):
            if keys:
                report.add(f"{table}: {len(keys)} rows {what} (e.g. {sorted(keys)[:3]})")
        report.checked[table] = len(actual)
    report.checked["events"] = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def repair(conn: sqlite3.Connection, path: Path, *, readonly: bool = False) -> CheckReport:
    """Fix what can be fixed without judgement, after a backup; then check again.

    Safe repairs: rebuild indexes and the search index, recompute paragraph text hashes.
    Anything else (a damaged page, orphaned rows, a log that disagrees) is reported for
    a person to decide, with the backup at hand. Nothing is written, not even a backup,
    when there is nothing a repair would fix, or when the project is read-only.
    """
    before = check(conn, path)
    if not before.repairable:
        return before
    if readonly:
        raise ProjectError(f"{path}: the project is read-only; nothing was repaired "
                           "(and no backup written)")
    backup = automatic_backup(conn, path, "before-repair")
    repaired: list[str] = []
    with transaction(conn, path):
        conn.execute("REINDEX")
        repaired.append("rebuilt indexes")
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'paragraphs_fts'").fetchone():
            conn.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('rebuild')")
            repaired.append("rebuilt the search index")
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'count_cells'").fetchone():
            counts.recount_all(conn)
            repaired.append("recounted the kept counts")
        stale = [(text_hash(text), pid) for pid, text, stored in
                 conn.execute("SELECT id, text, text_hash FROM paragraphs")
                 if text_hash(text) != stored]
        conn.executemany("UPDATE paragraphs SET text_hash = ? WHERE id = ?", stale)
        if stale:
            repaired.append(f"recomputed {len(stale)} paragraph text hashes")
    report = check(conn, path)
    report.repaired = repaired
    report.backup = str(backup)
    return report
