"""Which code in one codebook is which code in another.

Two copies of a codebook drift apart: codes are renamed, moved, re-described, and a
code created twice gets two GUIDs. Codes are paired, most certain first: by GUID; then
by the same name at the same place (case, accents, dashes and spacing ignored,
:func:`qcode.core.ids.fold`); then by the same name anywhere, when it is unique on both
sides; and last by name similarity (rapidfuzz ``ratio`` on folded names, 0–100), best
pairs first. The diff and the merge both stand on this. A project remembers the GUIDs
its merges folded away (aliases), so the same code arriving again pairs at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.ids import fold

# ratio of folded names: a typo ("regional variaton") scores ~97; the closest distinct
# codes of the study codebook score 71 ("international dimension" / "international NGOs
# in Russia"), so 85 separates the two with room on both sides.
DEFAULT_THRESHOLD = 85.0


@dataclass(frozen=True)
class CodeRef:
    """A code as a person reads it in a plan or a diff."""

    guid: str
    name: str
    path: str


class TreeIndex:
    """A codebook indexed by GUID: each code, its parent and its path of names."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.order: list[str] = []
        self.spec: dict[str, CodeSpec] = {}
        self.parent: dict[str, str | None] = {}
        self.names: dict[str, tuple[str, ...]] = {}
        for spec, parent, _depth in codebook.walk():
            self.order.append(spec.guid)
            self.spec[spec.guid] = spec
            self.parent[spec.guid] = parent.guid if parent else None
            up = self.names[parent.guid] if parent else ()
            self.names[spec.guid] = (*up, spec.name)

    def ref(self, guid: str) -> CodeRef:
        """The code with its "parent/child" path."""
        return CodeRef(guid, self.spec[guid].name, "/".join(self.names[guid]))

    def parent_path(self, guid: str) -> str | None:
        """The path of the code's parent, or None at the top level."""
        parent = self.parent[guid]
        return "/".join(self.names[parent]) if parent else None

    def folded_path(self, guid: str) -> tuple[str, ...]:
        """The path with every name folded, for exact matching."""
        return tuple(fold(name) for name in self.names[guid])


@dataclass(frozen=True)
class Pair:
    """Code ``ours`` in one codebook is ``theirs`` in the other."""

    ours: str
    theirs: str
    method: str  # "guid", "alias", "name" or "fuzzy"
    score: float


@dataclass
class Matching:
    """The pairs found between two codebooks, and what is left on each side."""

    ours: TreeIndex
    theirs: TreeIndex
    pairs: list[Pair] = field(default_factory=list)

    def paired_ours(self) -> set[str]:
        """GUIDs of our codes that have a partner."""
        return {p.ours for p in self.pairs}

    def paired_theirs(self) -> set[str]:
        """GUIDs of their codes that have a partner."""
        return {p.theirs for p in self.pairs}

    def only_ours(self) -> list[str]:
        """Our codes without a partner, in tree order."""
        paired = self.paired_ours()
        return [g for g in self.ours.order if g not in paired]

    def only_theirs(self) -> list[str]:
        """Their codes without a partner, in tree order."""
        paired = self.paired_theirs()
        return [g for g in self.theirs.order if g not in paired]


def sure_pairs(ours: TreeIndex, theirs: TreeIndex,
               aliases: dict[str, str] | None = None) -> Matching:
    """Pairs by GUID (or a GUID known to stand for one of ours, ``aliases``), then by
    folded path, then by a folded name unique on both sides."""
    matching = Matching(ours, theirs)
    for guid in theirs.order:
        if guid in ours.spec:
            matching.pairs.append(Pair(guid, guid, "guid", 100.0))
    # Several GUIDs may stand for one code: a merge can fold more than one into it.
    for guid in matching.only_theirs():
        alias = (aliases or {}).get(guid)
        if alias in ours.spec:
            matching.pairs.append(Pair(alias, guid, "alias", 100.0))
    free_ours, free_theirs = matching.only_ours(), matching.only_theirs()
    by_path = {ours.folded_path(g): g for g in free_ours}
    for guid in free_theirs:
        found = by_path.pop(theirs.folded_path(guid), None)
        if found is not None:
            matching.pairs.append(Pair(found, guid, "name", 100.0))
    free_ours, free_theirs = matching.only_ours(), matching.only_theirs()
    ours_names = Counter(fold(ours.spec[g].name) for g in free_ours)
    theirs_names = Counter(fold(theirs.spec[g].name) for g in free_theirs)
    by_name = {fold(ours.spec[g].name): g for g in free_ours}
    for guid in free_theirs:
        key = fold(theirs.spec[guid].name)
        if ours_names[key] == 1 and theirs_names[key] == 1:
            matching.pairs.append(Pair(by_name[key], guid, "name", 100.0))
    return matching


def best_matches(
    names: Iterable[tuple[str, str]], candidates: Iterable[tuple[str, str]], threshold: float
) -> list[tuple[float, str, str]]:
    """(score, guid, candidate guid) for every pair scoring at least ``threshold``,
    best first; ``names`` and ``candidates`` are (guid, name) pairs."""
    choices = [(guid, fold(name)) for guid, name in candidates]
    folded = [name for _guid, name in choices]
    found: list[tuple[float, int, int, str, str]] = []
    for rank, (guid, name) in enumerate(names):
        for _choice, score, index in process.extract(
            fold(name), folded, scorer=fuzz.ratio, processor=None, score_cutoff=threshold,
            limit=None,
        ):
            found.append((-float(score), rank, index, guid, choices[index][0]))
    found.sort()
    return [(-score, guid, other) for score, _rank, _index, guid, other in found]


def fuzzy_pairs(matching: Matching, threshold: float) -> list[Pair]:
    """One-to-one pairs by name similarity among the codes still unpaired, best first."""
    free_theirs = [(g, matching.theirs.spec[g].name) for g in matching.only_theirs()]
    free_ours = [(g, matching.ours.spec[g].name) for g in matching.only_ours()]
    taken_ours: set[str] = set()
    taken_theirs: set[str] = set()
    pairs: list[Pair] = []
    for score, theirs, ours in best_matches(free_theirs, free_ours, threshold):
        if theirs in taken_theirs or ours in taken_ours:
            continue
        taken_theirs.add(theirs)
        taken_ours.add(ours)
        pairs.append(Pair(ours, theirs, "fuzzy", score))
    return pairs


def match_codes(ours: Codebook, theirs: Codebook,
                threshold: float = DEFAULT_THRESHOLD) -> Matching:
    """Pair the codes of two codebooks one-to-one (sure pairs, then fuzzy ones)."""
    matching = sure_pairs(TreeIndex(ours), TreeIndex(theirs))
    matching.pairs.extend(fuzzy_pairs(matching, threshold))
    return matching
