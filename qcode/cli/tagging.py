"""The bodies of ``qcode tag`` and ``qcode untag``, without click: the click commands
(:mod:`qcode.cli.coding`) and the scripted path (:mod:`qcode.cli.scripted`) both run
these, so the two cannot differ in what they do or print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qcode.cli.plain import say

if TYPE_CHECKING:
    from qcode.core.project import Project


def _resolve(project: Project, document: str, paragraph: str,
             codes: tuple[str, ...]) -> tuple[int, list[int], str, str]:
    """(paragraph id, code ids, where, the codes' names): what is echoed is the
    project's spelling, and says whether the paragraph was found by label or position."""
    doc = project.document(document)
    para, by_position = project.locate_paragraph(doc, paragraph)
    resolved = list({c.id: c for c in (project.code(name) for name in codes)}.values())
    where = para.ref
    if by_position:
        where = f"¶{para.ordinal} (position" + (f", labelled {para.label})" if para.label
                                                 else ")")
    names = ", ".join(repr(c.name) for c in resolved)
    return para.id, [c.id for c in resolved], f"{doc.name} {where}", names


def tag(project: Project, document: str, paragraph: str, codes: tuple[str, ...], *,
        coder: str, memo: str | None) -> None:
    """Tag a paragraph of ``document`` with ``codes`` as ``coder``, and say so."""
    para, code_ids, where, names = _resolve(project, document, paragraph, codes)
    result = project.tag([para], code_ids, coder=coder, memo=memo)
    if result.changed:
        say(f"tagged {where} with {names}", dim=f"({coder})")
    else:
        say(f"{where} already carries {names} for {coder}")


def untag(project: Project, document: str, paragraph: str, codes: tuple[str, ...], *,
          coder: str) -> None:
    """Remove ``coder``'s codings of ``codes`` from a paragraph, and say so."""
    para, code_ids, where, names = _resolve(project, document, paragraph, codes)
    result = project.untag([para], code_ids, coder=coder)
    if result.changed:
        say(f"untagged {names} from {where}", dim=f"({coder})")
    else:
        say(f"{where} carries none of {names} for {coder}")
