"""REFI-QDA projects: ``qcode import FILE.qdpx`` (or a bare ``.qde``) and, through
:mod:`qcode.exchange.refi_qdpx_export`, ``qcode export FILE.qdpx``.

An import runs in two phases. First everything is read and checked without touching
the project (:func:`plan_import`): the archive is opened defensively (no path escapes,
no zip bombs, :mod:`qcode.exchange.zipsafe`), the XML with defusedxml
(:mod:`qcode.exchange.xmlsafe`), each source's positions are converted from the unit
its writer counted in (:mod:`qcode.exchange.refi_offsets`), and every selection is
placed on paragraphs. Only then is the project written (:func:`import_qdpx`): a backup
copy, the codebook, memos on codes and the project, then one event per document, so a
crash leaves each document wholly present or absent and a bad file changes nothing.

The rule for selections: a selection is coded onto every paragraph it overlaps. The
report counts those that cover a whole paragraph, those that cover part of one, those
that span several, and those that touch no paragraph, with examples.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcode.core.codebook.model import Codebook
from qcode.core.coded_import import ImportedMemo
from qcode.core.errors import ImportFailed
from qcode.core.model import ParsedDocument
from qcode.core.project import Project
from qcode.core.store.backup import automatic_backup
from qcode.core.textfile import open_regular
from qcode.exchange import refi_layout
from qcode.exchange.limits import MAX_FILE_BYTES, read_capped
from qcode.exchange.refi_codings import Coders, CodingContext, fill_codings
from qcode.exchange.refi_mapping import ParagraphIndex, Placement, SourcePlan
from qcode.exchange.refi_offsets import SourceText, choose_unit, unit_by_key, unit_for_origin
from qcode.exchange.refi_plan import (
    ImportPlan,
    ImportReport,
    adopt_codes_by_name,
    refit_on_existing,
)
from qcode.exchange.refi_project_read import (
    RefiProject,
    RefiSelection,
    RefiSource,
    read_project,
)
from qcode.exchange.refi_sources import Archive, note_text, source_text
from qcode.exchange.xmlsafe import parse_xml
from qcode.exchange.zipsafe import find_member, open_archive, read_member
from qcode.ingest.spans import paragraph_mode, split_spans

_LAYOUTS = {"lines": "one paragraph per line (the text has almost no blank lines)",
            "blank-lines": "paragraphs split on blank lines"}


def plan_import(path: Path, *, coder: str) -> ImportPlan:
    """Read ``path`` (.qdpx or .qde) and work out the import; the project is not touched."""
    if not _is_zip(path):
        root = parse_xml(read_capped(path, max_bytes=MAX_FILE_BYTES), str(path))
        return _plan(read_project(root, str(path), default_name=path.stem),
                     Archive(path, None), path, coder, None)
    with open_archive(path) as archive:
        info = find_member(archive, "project.qde")
        if info is None:
            found = [i for i in archive.infolist() if i.filename.lower().endswith(".qde")]
            if len(found) != 1:
                raise ImportFailed(f"{path}: no project.qde inside; is this a REFI-QDA "
                                   "project (.qdpx)?")
            info = found[0]
        where = f"{path}: {info.filename}"
        root = parse_xml(read_member(archive, info, where, MAX_FILE_BYTES), where)
        project = read_project(root, where, default_name=path.stem)
        files = Archive(path, archive)
        layout_data = files.member(refi_layout.MEMBER) if project.ours else None
        layouts = refi_layout.load(layout_data) if layout_data is not None else None
        return _plan(project, files, path, coder, layouts)


def _plan(project: RefiProject, files: Archive, path: Path, coder: str,
          layouts: dict[str, Any] | None) -> ImportPlan:
    report = ImportReport(path=str(path), origin=project.origin)
    codebook = project.codebook
    codes = {spec.guid for spec, _p, _d in codebook.walk()} if codebook else set()
    context = CodingContext(project, codes, Coders(project, coder),
                            {g: note_text(n, files) for g, n in project.notes.items()})
    set_names = _sets_by_source(project)
    documents: list[tuple[ParsedDocument, SourcePlan]] = []
    for source in project.sources:
        loaded, why = source_text(source, files)
        if loaded is None:
            report.skipped.append(f"{source.name} ({_kind(source.kind)}): {why}")
            report.skipped_selections += len(source.selections) + len(source.codings)
            continue
        planned = _plan_source(project, source, loaded, layouts, report)
        if planned is None:
            report.skipped.append(f"{source.name} (text): it has no paragraphs, only headings")
            report.skipped_selections += len(source.selections) + len(source.codings)
            continue
        parsed, plan = planned
        plan.memos = context.memos(source.notes, "document")
        fill_codings(plan, context)
        parsed.attributes.update(source.variables)
        if set_names.get(source.guid):
            parsed.attributes.setdefault("set", "; ".join(set_names[source.guid]))
        documents.append((parsed, plan))
        report.documents.append(plan)
    if codebook is not None:
        _make_coded_codes_codable(codebook, documents, report)
    memos = context.memos(project.project_notes, "project")
    for code_guid, notes in project.code_notes.items():
        memos.extend(context.memos(notes, "code", code_guid=code_guid))
    attached = {g for s in project.sources for g in _source_note_refs(s)}
    attached.update(project.project_notes, *project.code_notes.values())
    for note in project.notes.values():
        text = context.note_texts.get(note.guid)
        if note.guid not in attached and text:
            # A note attached to nothing is about the project; its name says what.
            memos.append(ImportedMemo("project", context.people.get(note.user),
                                      f"{note.name}\n\n{text}" if note.name else text,
                                      guid=note.guid, created_at=note.created))
    return ImportPlan(project, codebook, documents, memos, report, context)


def _plan_source(project: RefiProject, source: RefiSource, source_text: SourceText,
                 layouts: dict[str, Any] | None, report: ImportReport,
                 ) -> tuple[ParsedDocument, SourcePlan] | None:
    text = source_text.text
    layout = refi_layout.layout_for(layouts.get(source.guid), text) if layouts else None
    if layouts and layout is None:
        report.notes.append(f"{source.name}: its qcode layout does not match the text; "
                            "paragraphs split afresh")
    spans = layout.paragraphs if layout else split_spans(text)
    if not spans:
        return None
    name = (layout.fields.get("name") if layout else None) or source.name
    parsed = ParsedDocument(name=name, text=text, paragraphs=spans)
    if layout:
        for key, value in layout.fields.items():
            if key != "name" and value is not None:
                setattr(parsed, key, value)
    else:
        parsed.source = f"{Path(report.path).name} ({project.origin or 'REFI-QDA project'})"
    positions = [(s.start, s.end) for s in source.selections]
    if project.ours:
        # qcode writes each document's positions the way the tool it came from counted
        # them, and says which in qcode.json (code points when it says nothing).
        unit = unit_by_key(layout.positions if layout else None)
        choice = choose_unit(source_text, [], unit)
        reason = "written by qcode"
    elif project.positions is not None:
        choice = choose_unit(source_text, [], unit_by_key(project.positions))
        reason = f"as {project.origin or 'the writer'} counts them"
    else:
        choice = choose_unit(source_text, positions, unit_for_origin(project.origin))
        reason = choice.reason
    parsed.positions, parsed.line_breaks = choice.unit.key, source_text.line_breaks
    plan = SourcePlan(name=name, guid=source.guid, unit=choice.unit.name, unit_reason=reason,
                      layout="as exported by qcode" if layout else _LAYOUTS[paragraph_mode(text)])
    index = ParagraphIndex(spans, text)
    for selection in source.selections:
        start = source_text.to_text(selection.start, choice.unit)
        end = source_text.to_text(selection.end, choice.unit)
        if start is None or end is None:
            line = f"line {selection.line}: " if selection.line else ""
            raise ImportFailed(
                f"{report.path}: {line}selection {selection.guid} at "
                f"{selection.start}–{selection.end} lies outside its source {source.name!r} "
                f"({len(text)} characters); nothing was imported")
        plan.add(index.place(selection, start, end))
    for coding in source.codings:
        # A coding of the whole source is a selection of all its text.
        whole = RefiSelection(guid=coding.guid, start=0, end=len(text), user=coding.user,
                              codings=[coding], line=source.line)
        plan.add(index.place(whole, 0, len(text)))
    return parsed, plan


def plan_records(project: RefiProject, path: Path, *, coder: str) -> ImportPlan:
    """The import of a project already read into records (another tool's format turned
    into what a ``project.qde`` says, every text inline)."""
    return _plan(project, Archive(path, None), path, coder, None)


def import_qdpx(project: Project, path: Path, *, coder: str,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a REFI-QDA project (.qdpx or .qde) into ``project``; see the module doc.

    ``progress(done, total)`` is called after each document (each its own transaction,
    so stopping between two leaves every imported document whole)."""
    project.ensure_writable()
    return write_plan(project, plan_import(path, coder=coder), path, coder=coder,
                      progress=progress)


def write_plan(project: Project, plan: ImportPlan, path: Path, *, coder: str,
               progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Write a planned import: a backup, coders, codebook, memos, then each document
    as one event (the second half of :func:`import_qdpx`)."""
    project.ensure_writable()
    project.verify()
    report = plan.report
    refit_on_existing(project, plan)
    adopt_codes_by_name(project, plan)
    report.backup = str(automatic_backup(project.conn, project.path, "before-import"))
    report.coders_added = project.import_coders(
        [plan.context.people.get(g) for g in plan.project.users], coder=coder,
        source=path.name)
    if plan.codebook is not None and plan.codebook.codes:
        loaded = project.load_codebook(plan.codebook, coder=coder)
        report.codes_added = list(loaded.added_paths)
        report.codes_updated = list(loaded.updated_paths)
    if plan.project_memos:
        added, present = project.import_memos(
            plan.project_memos, coder=coder, summary=f"memos from {path.name}")
        report.memos_added += added
        report.memos_present += present
    for number, (parsed, source) in enumerate(plan.documents, start=1):
        done = project.import_coded_document(parsed, source.codings, coder=coder,
                                             guid=source.guid, memos=source.memos)
        (report.documents_added if done.new else report.documents_matched).append(
            done.document.name)
        report.codings_added += done.codings_added
        report.codings_present += done.codings_present
        report.memos_added += done.memos_added
        report.memos_present += done.memos_present
        if progress:
            progress(number, len(plan.documents))
    return report


def _source_note_refs(source: RefiSource) -> list[str]:
    refs = list(source.notes)
    for selection in source.selections:
        refs.extend(selection.notes)
        for coding in selection.codings:
            refs.extend(coding.notes)
    for coding in source.codings:
        refs.extend(coding.notes)
    return refs


def _sets_by_source(project: RefiProject) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, members in project.sets.items():
        for guid in members:
            found.setdefault(guid, []).append(name)
    return found


def _make_coded_codes_codable(codebook: Codebook,
                              documents: list[tuple[ParsedDocument, SourcePlan]],
                              report: ImportReport) -> None:
    used = {c.code_guid for _parsed, plan in documents for c in plan.codings}
    for spec, _parent, _depth in codebook.walk():
        if spec.guid in used and not spec.codable:
            spec.codable = True
            report.notes.append(f"code {spec.name!r} is marked as a folder but carries "
                                "codings; imported as codable")


def _is_zip(path: Path) -> bool:
    """Whether ``path`` starts like a zip archive (a .qdpx), whatever its name says."""
    try:
        with open_regular(path) as handle:
            return handle.read(4) == b"PK\x03\x04"
    except (ImportFailed, OSError):
        return False  # read_capped then names the problem (missing, a pipe, unreadable)


def _kind(kind: str) -> str:
    return {"TextSource": "text", "PDFSource": "PDF", "PictureSource": "picture",
            "AudioSource": "audio", "VideoSource": "video"}.get(kind, kind)


__all__ = ["Placement", "import_qdpx", "plan_import", "plan_records", "write_plan"]
