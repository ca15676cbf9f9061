"""Who speaks in the transcripts: the speakers paragraphs carry, and finding one by a
name as a researcher types it (any case, accents and dashes optional)."""

from __future__ import annotations

from qcode.core.errors import NotFoundError
from qcode.core.ids import fold
from qcode.core.reading import ProjectReader
from qcode.core.suggest import did_you_mean


def speakers(project: ProjectReader, document_id: int | None = None) -> list[tuple[str, int]]:
    """(speaker, paragraphs) of every speaker in the project (or one document), most
    paragraphs first."""
    where = "" if document_id is None else " AND document_id = :document"
    rows = project.conn.execute(
        "SELECT speaker, COUNT(*) FROM paragraphs WHERE speaker IS NOT NULL"
        f"{where} GROUP BY speaker ORDER BY COUNT(*) DESC, speaker",
        {"document": document_id}).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def find_speaker(project: ProjectReader, name: str, document_id: int | None = None) -> str:
    """The speaker named ``name`` as the paragraphs spell it ("interviewer" finds
    "INTERVIEWER"); an unknown name is refused with the closest one."""
    known = [s for s, _n in speakers(project, document_id)]
    wanted = fold(name)
    for speaker in known:
        if fold(speaker) == wanted:
            return speaker
    if not known:
        raise NotFoundError(f"no speaker {name!r}: no paragraph has a speaker")
    raise NotFoundError(f"no speaker {name!r}{did_you_mean(name, known)}")


__all__ = ["find_speaker", "speakers"]
