"""The floor: the same study in bare sqlite3, stored and queried as plainly as it can be.

The same documents (text once, in their paragraphs), the same paragraphs, codes and
codings (with their GUIDs and timestamps, which are data too), one FTS5 index — and
nothing else: no secondary indexes, no event log. Each query the benchmark compares
with is the obvious one (a plain GROUP BY for frequencies). The codings are the very
same: the study draws them over the same lists of paragraphs and codes.
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.synth import Study
from qcode.core.ids import new_guids

SCHEMA = """
CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE paragraphs (id INTEGER PRIMARY KEY, document_id INTEGER, ordinal INTEGER,
                         speaker TEXT, text TEXT);
CREATE TABLE codes (id INTEGER PRIMARY KEY, name TEXT, path TEXT, parent_id INTEGER);
CREATE TABLE coders (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE codings (id INTEGER PRIMARY KEY, guid TEXT, paragraph_id INTEGER,
                      code_id INTEGER, coder_id INTEGER, created_at TEXT);
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, content='paragraphs', content_rowid='id',
                                               tokenize='unicode61 remove_diacritics 2');
"""
_BLANK = re.compile(r"\n\s*\n")
_SPEAKER = re.compile(r"^(Q|A): ")


def median_seconds(call: object, runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@dataclass
class BareStudy:
    """The bare copy and how long building it took."""

    path: Path
    paragraphs: int
    codings: int
    import_seconds: float
    codings_seconds: float
    size_bytes: int

    @classmethod
    def build(cls, path: Path, transcripts: list[Path], study: Study) -> BareStudy:
        """Load the transcripts and the study's codings into a bare database."""
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.executescript(SCHEMA)
        start = time.perf_counter()
        conn.execute("BEGIN")
        for number, transcript in enumerate(transcripts, start=1):
            conn.execute("INSERT INTO documents VALUES (?, ?)", (number, transcript.stem))
            chunks = [c.strip() for c in _BLANK.split(transcript.read_text(encoding="utf-8"))]
            rows = []
            for ordinal, chunk in enumerate((c for c in chunks if c), start=1):
                match = _SPEAKER.match(chunk)
                rows.append((number, ordinal, match.group(1) if match else None,
                             chunk[match.end():] if match else chunk))
            conn.executemany("INSERT INTO paragraphs (document_id, ordinal, speaker, text) "
                             "VALUES (?, ?, ?, ?)", rows)
        conn.execute("INSERT INTO paragraphs_fts (rowid, text) SELECT id, text FROM paragraphs")
        conn.execute("COMMIT")
        import_seconds = time.perf_counter() - start
        codes = []
        for spec, parent, _depth in study.codebook().walk():
            codes.append((len(codes) + 1, spec.name, spec.name if parent is None
                          else f"{parent.name}/{spec.name}",
                          next((c[0] for c in codes if c[1] == parent.name), None)
                          if parent else None))
        conn.executemany("INSERT INTO codes VALUES (?, ?, ?, ?)", codes)
        conn.executemany("INSERT INTO coders VALUES (?, ?)",
                         list(enumerate(study.coder_names(), start=1)))
        paragraph_ids = [r[0] for r in conn.execute(
            "SELECT id FROM paragraphs ORDER BY document_id, ordinal")]
        triples = list(study.pairs(paragraph_ids, [c[0] for c in codes]))
        guids = new_guids(len(triples))
        stamp = "2026-12-03T00:00:00.000+00:00"
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO codings (guid, paragraph_id, code_id, coder_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            ((g, p, c, k + 1, stamp) for g, (k, p, c) in zip(guids, triples, strict=True)))
        conn.execute("COMMIT")
        codings_seconds = time.perf_counter() - start
        paragraphs = len(paragraph_ids)
        conn.close()
        return cls(path, paragraphs, len(triples), import_seconds, codings_seconds,
                   path.stat().st_size)

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    # -- the same questions, asked plainly ----------------------------------------------

    def documents_progress(self, coder: str) -> tuple[float, dict[str, int]]:
        """(seconds, document name -> the coder's codings in it)."""
        sql = ("SELECT d.name, COUNT(c.id) FROM documents d "
               "LEFT JOIN paragraphs p ON p.document_id = d.id "
               "LEFT JOIN codings c ON c.paragraph_id = p.id AND c.coder_id = "
               "(SELECT id FROM coders WHERE name = ?) GROUP BY d.id")
        conn = self.connect()
        seconds = median_seconds(lambda: conn.execute(sql, (coder,)).fetchall())
        found = dict(conn.execute(sql, (coder,)).fetchall())
        conn.close()
        return seconds, found

    def first_screen_seconds(self) -> float:
        """What a first screen needs: the documents and the first page of the first."""
        conn = self.connect()

        def screen() -> None:
            conn.execute("SELECT id, name FROM documents ORDER BY name").fetchall()
            conn.execute("SELECT id, ordinal, speaker, text FROM paragraphs "
                         "WHERE document_id = 1 ORDER BY ordinal LIMIT 60").fetchall()
            conn.execute("SELECT code_id, coder_id FROM codings WHERE paragraph_id IN "
                         "(SELECT id FROM paragraphs WHERE document_id = 1 AND ordinal <= 60)"
                         ).fetchall()

        seconds = median_seconds(screen)
        conn.close()
        return seconds

    def frequencies(self) -> tuple[float, dict[str, tuple[int, int]]]:
        """(seconds, code path -> (distinct paragraphs, codings)) by a plain GROUP BY."""
        sql = ("SELECT code_id, COUNT(DISTINCT paragraph_id), COUNT(*) FROM codings "
               "GROUP BY code_id")
        conn = self.connect()
        seconds = median_seconds(lambda: conn.execute(sql).fetchall())
        paths = dict(conn.execute("SELECT id, path FROM codes").fetchall())
        found = {path: (0, 0) for path in paths.values()}
        found.update({paths[c]: (n, k) for c, n, k in conn.execute(sql)})
        conn.close()
        return seconds, found

    def frequencies_by_document(self) -> tuple[float, dict[tuple[str, str], int]]:
        sql = ("SELECT k.path, d.name, COUNT(DISTINCT c.paragraph_id) FROM codings c "
               "JOIN paragraphs p ON p.id = c.paragraph_id JOIN documents d "
               "ON d.id = p.document_id JOIN codes k ON k.id = c.code_id GROUP BY k.id, d.id")
        conn = self.connect()
        seconds = median_seconds(lambda: conn.execute(sql).fetchall(), 1)
        found = {(path, name): n for path, name, n in conn.execute(sql)}
        conn.close()
        return seconds, found

    def cooccurrence(self) -> tuple[float, dict[tuple[str, str], int]]:
        sql = ("SELECT a.code_id, b.code_id, COUNT(DISTINCT a.paragraph_id) FROM codings a "
               "JOIN codings b ON b.paragraph_id = a.paragraph_id AND b.code_id > a.code_id "
               "GROUP BY 1, 2")
        conn = self.connect()
        seconds = median_seconds(lambda: conn.execute(sql).fetchall(), 1)
        names = dict(conn.execute("SELECT id, name FROM codes").fetchall())
        found = {(names[a], names[b]): n for a, b, n in conn.execute(sql)}
        conn.close()
        return seconds, found

    def agreement_seconds(self) -> float:
        """Who applied each code on each paragraph, as a bit per coder."""
        sql = ("SELECT code_id, paragraph_id, SUM(1 << coder_id) FROM codings "
               "GROUP BY code_id, paragraph_id")
        conn = self.connect()
        seconds = median_seconds(lambda: conn.execute(sql).fetchall(), 1)
        conn.close()
        return seconds

    def paragraphs_with(self, word: str) -> set[tuple[str, int]]:
        """(document, ordinal) of the paragraphs containing ``word``."""
        conn = self.connect()
        found = {(r[0], r[1]) for r in conn.execute(
            "SELECT d.name, p.ordinal FROM paragraphs_fts JOIN paragraphs p "
            "ON p.id = paragraphs_fts.rowid JOIN documents d ON d.id = p.document_id "
            "WHERE paragraphs_fts MATCH ?", (f'"{word}"',))}
        conn.close()
        return found

    def search_seconds(self, words: list[str]) -> float:
        """FTS5 matching each word as it should have been typed, best 50 by bm25."""
        conn = self.connect()
        samples = []
        for word in words:
            start = time.perf_counter()
            conn.execute("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? "
                         "ORDER BY rank LIMIT 50", (f'"{word}"',)).fetchall()
            samples.append(time.perf_counter() - start)
        conn.close()
        return statistics.median(samples)

