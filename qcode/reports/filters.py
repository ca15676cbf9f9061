"""What a report counts: filters, their resolution against a project, and the code tree.

Filters compose: values of one kind are alternatives (``--coder alice --coder bob``
counts either coder's codings), different kinds all apply (``--coder alice
--attribute generation=post-Soviet`` counts Alice's codings in post-Soviet documents).
Two ``--attribute`` values with the same key are alternatives, different keys all apply.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from qcode import __version__
from qcode.core.errors import NotFoundError, QcodeError
from qcode.core.project import Project
from qcode.core.suggest import did_you_mean


@dataclass(frozen=True)
class ReportFilter:
    """Which codings a report counts; an empty filter counts everything.

    ``coders``, ``documents`` and ``codes`` hold names (or GUIDs) as a person types
    them; ``attributes`` holds (key, value) pairs of document attributes.
    """

    coders: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """One line naming the active filters ("all codings" when there are none)."""
        parts = []
        if self.coders:
            parts.append("coder " + " or ".join(self.coders))
        if self.documents:
            parts.append("document " + " or ".join(self.documents))
        if self.codes:
            parts.append("code " + " or ".join(self.codes))
        keys = dict.fromkeys(k for k, _ in self.attributes)
        for key in keys:
            values = [v for k, v in self.attributes if k == key]
            parts.append(f"{key} = " + " or ".join(values))
        return "; ".join(parts) if parts else "all codings"


def parse_attribute(text: str) -> tuple[str, str]:
    """``"generation=post-Soviet"`` -> ``("generation", "post-Soviet")``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise QcodeError(
            f"--attribute {text!r}: write it as KEY=VALUE (e.g. generation=post-Soviet)")
    return key.strip(), value.strip()


@dataclass(frozen=True)
class Scope:
    """A filter resolved to row ids. ``None`` means "no restriction"."""

    coder_ids: tuple[int, ...] | None
    document_ids: tuple[int, ...] | None
    code_ids: tuple[int, ...] | None


def resolve(project: Project, flt: ReportFilter) -> Scope:
    """Look every name of ``flt`` up; an unknown one raises with the closest match."""
    coder_ids = (
        tuple(dict.fromkeys(project.find_coder(name).id for name in flt.coders))
        if flt.coders else None
    )
    code_ids = (
        tuple(dict.fromkeys(project.code(name).id for name in flt.codes)) if flt.codes else None
    )
    documents: set[int] | None = None
    if flt.documents:
        documents = {project.document(ref).id for ref in flt.documents}
    by_key: dict[str, list[str]] = {}
    for key, value in flt.attributes:
        by_key.setdefault(key, []).append(value)
    for key, values in by_key.items():
        matching = _documents_with(project.conn, key, values)
        documents = matching if documents is None else documents & matching
    return Scope(
        coder_ids=coder_ids,
        document_ids=None if documents is None else tuple(sorted(documents)),
        code_ids=code_ids,
    )


def attribute_keys(conn: sqlite3.Connection) -> list[str]:
    """Every document attribute key in the project, sorted."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT key FROM document_attributes ORDER BY key COLLATE NOCASE")]


def check_attribute_key(conn: sqlite3.Connection, key: str) -> None:
    """Raise :class:`NotFoundError` when no document carries attribute ``key``."""
    row = conn.execute(
        "SELECT 1 FROM document_attributes WHERE key = ? LIMIT 1", (key,)).fetchone()
    if row is None:
        keys = attribute_keys(conn)
        hint = did_you_mean(key, keys)
        if not hint:
            hint = f" (attributes here: {', '.join(keys)})" if keys else " (no document has any)"
        raise NotFoundError(f"no document has an attribute {key!r}{hint}")


def _documents_with(conn: sqlite3.Connection, key: str, values: list[str]) -> set[int]:
    check_attribute_key(conn, key)
    known = [r[0] for r in conn.execute(
        "SELECT DISTINCT value FROM document_attributes WHERE key = ? ORDER BY value", (key,))]
    for value in values:
        if value not in known:
            shown = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
            hint = did_you_mean(value, known)
            raise NotFoundError(
                f"no document has {key}={value!r}{hint}" + ("" if hint else f" ({key}: {shown})")
            )
    marks = ", ".join("?" * len(values))
    rows = conn.execute(
        f"SELECT document_id FROM document_attributes WHERE key = ? AND value IN ({marks})",
        (key, *values),
    )
    return {r[0] for r in rows}


def coder_names(conn: sqlite3.Connection) -> dict[int, str]:
    """coder id -> name."""
    return {r[0]: r[1] for r in conn.execute("SELECT id, name FROM coders")}


def document_names(conn: sqlite3.Connection) -> dict[int, str]:
    """document id -> name, in name order."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT id, name FROM documents ORDER BY name COLLATE NOCASE")}


@dataclass(frozen=True)
class ReportContext:
    """Where a report came from, for titles and the footer that makes it traceable."""

    title: str
    project: str
    path: str
    codebook: str | None
    codebook_version: str | None
    filters: str
    generated_at: str
    qcode_version: str = __version__

    def footer(self) -> str:
        """One line: project, codebook and version, date, filters."""
        book = self.codebook or "no codebook"
        if self.codebook_version:
            book += f" v{self.codebook_version}"
        return (f"{self.project} ({self.path}) · codebook: {book} · filters: {self.filters} · "
                f"generated {self.generated_at} by qcode {self.qcode_version}")


def report_context(project: Project, flt: ReportFilter | None, title: str) -> ReportContext:
    """The context of a report on ``project`` made now."""
    return ReportContext(
        title=title,
        project=project.name,
        path=str(project.path),
        codebook=project.meta("codebook_name"),
        codebook_version=project.meta("codebook_version"),
        filters=(flt or ReportFilter()).describe(),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
