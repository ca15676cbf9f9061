"""What the reader can be narrowed to: a theme (a code with every code below it) or a
speaker's turns.

A theme means the same paragraphs here as in every report: the roll-up is
:meth:`qcode.core.codebook.tree.CodeTree.subtree`, the one the reports use, so
"state pressure on NGOs" shows the paragraphs of its four sub-codes too.
"""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.codebook.tree import code_tree
from qcode.core.model import Code
from qcode.core.reading import ProjectReader
from qcode.tui.wording import plural


@dataclass(frozen=True)
class Filter:
    """A theme (``code`` and ``code_ids``, itself first) or a ``speaker``."""

    code: Code | None = None
    code_ids: tuple[int, ...] = ()
    speaker: str | None = None

    @property
    def sub_codes(self) -> int:
        """How many codes below the theme it includes."""
        return max(len(self.code_ids) - 1, 0)

    @property
    def label(self) -> str:
        """"'state pressure on NGOs' +4 sub-codes" or "speaker 'Anna Petrova'"."""
        if self.code is not None:
            more = f" +{plural(self.sub_codes, 'sub-code')}" if self.sub_codes else ""
            return f"{self.code.name!r}{more}"
        return f"speaker {self.speaker!r}"

    def matched(self, count: int) -> str:
        """What the status line says once the filter is on."""
        if self.code is not None:
            what = f"{self.code.name!r}"
            if self.sub_codes:
                what += f" or its {plural(self.sub_codes, 'sub-code')}"
            verb = "carries" if count == 1 else "carry"
            return f"{plural(count, 'paragraph')} {verb} {what} (F shows all)"
        return f"{plural(count, 'turn')} by {self.speaker!r} (F shows all)"


def theme(project: ProjectReader, code: Code) -> Filter:
    """The filter for a code and everything below it."""
    return Filter(code=code, code_ids=tuple(code_tree(project).subtree(code.id)))


def speaker(project: ProjectReader, document_id: int, name: str) -> Filter:
    """The filter for a speaker of the document (refused, with "did you mean", when the
    document has no such speaker)."""
    return Filter(speaker=project.speaker(document_id, name))


def paragraphs(project: ProjectReader, document_id: int, wanted: Filter,
               coder: str | None) -> set[int]:
    """Ids of the document's paragraphs the filter keeps; a theme counts the codings of
    ``coder`` only (blind mode) or of anyone (None)."""
    if wanted.code is not None:
        return project.paragraphs_with_codes(document_id, wanted.code_ids, coder)
    if wanted.speaker is not None:
        return project.paragraphs_by_speaker(document_id, wanted.speaker)
    return set()


__all__ = ["Filter", "paragraphs", "speaker", "theme"]
