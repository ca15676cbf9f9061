"""Planning a merge of someone's codebook into the project's: a list of proposals.

:func:`plan_merge` is pure: it compares the project's codebook ("ours") with an
incoming one ("theirs") and returns a :class:`MergePlan`, a list of
:class:`Proposal` objects each with a kind, the codes on either side, a similarity
score where a guess was made, and an ``accepted`` flag a person (or the TUI review
screen) may flip before :meth:`qcode.Project.merge_codebook` applies the accepted ones
as one undoable event (:mod:`qcode.core.codebook.merge_apply`).

Pairing (:mod:`qcode.core.codebook.match`) is by GUID (or a GUID an earlier merge
folded into one of ours), then by folded name; those are certain. Name similarity
above the threshold is a guess, so it is only *proposed*: accepted by default only
when the caller says so (``--accept-fuzzy``). Guesses are:

``merge``
    their code is ours under another name (a typo, a variant): it is not added, and
    its texts are reconciled with ours. Declined, it is added as a new code.
``duplicate``
    one of our codes, absent from their file, looks like a code that is (``into``):
    the two become one, and its codings, sub-codes, texts and memos move to ``into``.

Certain differences are proposed as ``add`` (their code is new), ``rename``, ``move``
(another parent), ``recolour``, ``codable`` (folder or not) and ``text`` (one of the
definition fields). Nothing is ever removed: a code only we have stays.

The ``rule`` decides conflicts, where both sides have a value and they differ:
``ours`` keeps ours (the proposals are listed, declined); ``theirs`` takes theirs;
``both`` takes their name, place and colour, and keeps both texts, theirs marked:
``"ours … / theirs (from FILE): …"``. A value only one side has is always kept, and a
text that already contains the other is kept as it is, so merging twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from qcode.core.codebook.match import (
    DEFAULT_THRESHOLD,
    CodeRef,
    Matching,
    Pair,
    TreeIndex,
    best_matches,
    fuzzy_pairs,
    sure_pairs,
)
from qcode.core.codebook.model import TEXT_FIELDS, Codebook
from qcode.core.errors import QcodeError

Rule = Literal["ours", "theirs", "both"]
# Proposals made from name similarity alone: they start declined and are shown as guesses.
GUESSES = frozenset({"merge", "duplicate"})
RULES: tuple[Rule, ...] = ("ours", "theirs", "both")
KINDS = ("add", "merge", "duplicate", "rename", "move", "recolour", "codable", "text")


@dataclass
class Proposal:
    """One change the merge would make; ``accepted`` says whether it will."""

    kind: str
    ours: CodeRef | None
    theirs: CodeRef | None
    score: float | None = None
    accepted: bool = True
    field: str | None = None
    before: Any = None
    after: Any = None
    method: str | None = None
    # For "duplicate": the code of ours that the duplicate ("ours") becomes.
    into: CodeRef | None = None
    # For "text": their value as it is (``after`` may combine it with ours).
    offered: str | None = None
    # Index of the merge proposal this one belongs to: applied only if that is accepted.
    requires: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The proposal as plain data."""
        return asdict(self)


@dataclass
class MergePlan:
    """Everything a merge would do, before it does it."""

    source: str
    rule: Rule
    threshold: float
    theirs: Codebook
    ours_fingerprint: str
    proposals: list[Proposal] = field(default_factory=list)
    # theirs GUID -> ours GUID for the certain pairs (by GUID or name)
    matched: dict[str, str] = field(default_factory=dict)
    unchanged: int = 0
    only_ours: list[CodeRef] = field(default_factory=list)

    def accepted(self) -> list[Proposal]:
        """The proposals that will be applied."""
        return [p for p in self.proposals if self.is_applied(p)]

    def is_applied(self, proposal: Proposal) -> bool:
        """Accepted, and so is the merge it depends on (if any)."""
        if not proposal.accepted:
            return False
        return proposal.requires is None or self.proposals[proposal.requires].accepted

    def to_json(self) -> dict[str, Any]:
        """The plan as plain data (for ``--json`` and the TUI)."""
        return {
            "source": self.source, "rule": self.rule, "threshold": self.threshold,
            "unchanged": self.unchanged,
            "only_ours": [asdict(ref) for ref in self.only_ours],
            "proposals": [p.to_json() for p in self.proposals],
        }


def fingerprint(codebook: Codebook) -> str:
    """A digest of a codebook's content, to tell whether a project changed since a plan."""
    rows = [
        [spec.guid, parent.guid if parent else None, spec.name, spec.colour, spec.codable,
         *(getattr(spec, key) for key in TEXT_FIELDS)]
        for spec, parent, _depth in codebook.walk()
    ]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def combine(ours: str, theirs: str, source: str) -> str:
    """Both texts, theirs marked with where it came from."""
    return f"{ours} / theirs (from {source}): {theirs}"


def reconcile(ours: str | None, theirs: str | None, rule: Rule,
              source: str) -> tuple[str | None, bool] | None:
    """(value, accepted) for a text field, or None when there is nothing to propose."""
    if not theirs or theirs == ours:
        return None
    if not ours:
        return theirs, True
    if theirs in ours:
        return None
    if ours in theirs and rule != "ours":
        return theirs, True
    if rule == "both":
        return combine(ours, theirs, source), True
    return theirs, rule == "theirs"


def plan_merge(
    ours: Codebook,
    theirs: Codebook,
    *,
    source: str,
    rule: Rule = "both",
    threshold: float = DEFAULT_THRESHOLD,
    accept_fuzzy: bool = False,
    aliases: dict[str, str] | None = None,
) -> MergePlan:
    """Compare ``theirs`` (from ``source``) with ``ours`` and list what merging would do.

    ``aliases`` maps GUIDs that earlier merges folded away to the code of ours they
    became (:func:`qcode.core.codebook.merge_apply.load_aliases`)."""
    if rule not in RULES:
        raise QcodeError(f"unknown rule {rule!r}: choose ours, theirs or both")
    a, b = TreeIndex(ours), TreeIndex(theirs)
    matching = sure_pairs(a, b, aliases)
    plan = MergePlan(source, rule, threshold, theirs, fingerprint(ours))
    plan.matched = {pair.theirs: pair.ours for pair in matching.pairs}
    planner = _Planner(plan, a, b, accept_fuzzy)
    merges = fuzzy_pairs(matching, threshold)
    if accept_fuzzy:
        # so a code whose parent is merged is not also proposed for a move
        planner.target.update((pair.theirs, pair.ours) for pair in merges)
    planner.certain(matching.pairs)
    matching.pairs.extend(merges)
    planner.merges(merges)
    planner.folds(matching, threshold)
    planner.duplicates(matching, threshold)
    planner.adds()
    partnered = matching.paired_ours() | planner.merged_into | planner.duplicated
    plan.only_ours = [a.ref(g) for g in a.order if g not in partnered]
    return plan


class _Planner:
    """Builds the proposals of one plan (state shared between the phases)."""

    def __init__(self, plan: MergePlan, ours: TreeIndex, theirs: TreeIndex,
                 accept_fuzzy: bool) -> None:
        self.plan, self.ours, self.theirs = plan, ours, theirs
        self.accept_fuzzy = accept_fuzzy
        # theirs GUID -> ours GUID it will be (certain pairs and proposed merges)
        self.target: dict[str, str] = {}
        self.merged_into: set[str] = set()
        self.duplicated: set[str] = set()

    def _add(self, proposal: Proposal) -> int:
        self.plan.proposals.append(proposal)
        return len(self.plan.proposals) - 1

    def certain(self, pairs: list[Pair]) -> None:
        """Codes paired by GUID or name: propose what differs."""
        for pair in pairs:
            self.target[pair.theirs] = pair.ours
        # A variant (alias) of a code that has its own partner was reconciled when it
        # was folded in; comparing it again would only re-propose the variant.
        seen = {pair.ours for pair in pairs if pair.method != "alias"}
        for pair in pairs:
            if pair.method == "alias":
                if pair.ours in seen:
                    self.plan.unchanged += 1
                    continue
                seen.add(pair.ours)
            before = len(self.plan.proposals)
            self._structure(pair)
            self._texts(pair, requires=None)
            if len(self.plan.proposals) == before:
                self.plan.unchanged += 1

    def _structure(self, pair: Pair) -> None:
        ours, theirs = self.ours.spec[pair.ours], self.theirs.spec[pair.theirs]
        refs = self.ours.ref(pair.ours), self.theirs.ref(pair.theirs)
        take = self.plan.rule != "ours"
        # an alias is a variant name an earlier merge already chose against
        if ours.name != theirs.name and pair.method != "alias":
            self._add(Proposal("rename", *refs, accepted=take, before=ours.name,
                               after=theirs.name, method=pair.method))
        their_parent = self.theirs.parent[pair.theirs]
        wanted = self.target.get(their_parent, their_parent) if their_parent else None
        if wanted != self.ours.parent[pair.ours]:
            self._add(Proposal("move", *refs, accepted=take,
                               before=self.ours.parent_path(pair.ours),
                               after=self.theirs.parent_path(pair.theirs), method=pair.method))
        if theirs.colour and ours.colour != theirs.colour:
            self._add(Proposal("recolour", *refs, accepted=take or not ours.colour,
                               before=ours.colour, after=theirs.colour, method=pair.method))
        if ours.codable != theirs.codable:
            self._add(Proposal("codable", *refs, accepted=take, before=ours.codable,
                               after=theirs.codable, method=pair.method))

    def _texts(self, pair: Pair, requires: int | None) -> None:
        ours, theirs = self.ours.spec[pair.ours], self.theirs.spec[pair.theirs]
        refs = self.ours.ref(pair.ours), self.theirs.ref(pair.theirs)
        for key in TEXT_FIELDS:
            found = reconcile(getattr(ours, key), getattr(theirs, key), self.plan.rule,
                              self.plan.source)
            if found is not None:
                value, accepted = found
                self._add(Proposal("text", *refs, accepted=accepted, field=key,
                                   before=getattr(ours, key), after=value, method=pair.method,
                                   requires=requires, offered=getattr(theirs, key)))

    def merges(self, pairs: list[Pair]) -> None:
        """Their unpaired code looks like one of our unpaired codes."""
        for pair in pairs:
            self._merge(pair)

    def _merge(self, pair: Pair) -> None:
        index = self._add(Proposal(
            "merge", self.ours.ref(pair.ours), self.theirs.ref(pair.theirs),
            score=round(pair.score, 1), accepted=self.accept_fuzzy, method="fuzzy"))
        self.target[pair.theirs] = pair.ours
        self.merged_into.add(pair.ours)
        self._texts(pair, requires=index)

    def folds(self, matching: Matching, threshold: float) -> None:
        """Their unpaired code looks like one of ours that already has a partner."""
        free = [(g, self.theirs.spec[g].name) for g in matching.only_theirs()]
        candidates = [(g, self.ours.spec[g].name) for g in self.ours.order]
        done: set[str] = set()
        for score, theirs, ours in best_matches(free, candidates, threshold):
            if theirs not in done:
                done.add(theirs)
                self._merge(Pair(ours, theirs, "fuzzy", score))

    def duplicates(self, matching: Matching, threshold: float) -> None:
        """Our unpaired code looks like a code that has a partner: fold it into that one."""
        partnered = matching.paired_ours() | self.merged_into
        alone = [guid for guid in self.ours.order if guid not in partnered]
        if not alone:
            return
        partners: dict[str, list[str]] = {}
        for theirs, ours in self.target.items():
            partners.setdefault(ours, []).append(theirs)
        # every name a surviving code goes by: its own and those of its partners
        names = [(self.ours.spec[g].name, g, g) for g in self.ours.order if g in partnered]
        names += [(self.theirs.spec[t].name, o, t) for o, ts in partners.items() for t in ts]
        candidates = [(str(i), name) for i, (name, _o, _t) in enumerate(names)]
        queries = [(guid, self.ours.spec[guid].name) for guid in alone]
        for score, guid, index in best_matches(queries, candidates, threshold):
            if guid in self.duplicated:
                continue  # a better match for it came first
            _name, other, via = names[int(index)]
            self.duplicated.add(guid)
            partner = via if via in self.theirs.spec else next(iter(partners.get(other, [])),
                                                                 None)
            self._add(Proposal("duplicate", self.ours.ref(guid),
                               self.theirs.ref(partner) if partner else None,
                               score=round(score, 1), accepted=self.accept_fuzzy,
                               method="fuzzy", into=self.ours.ref(other)))

    def adds(self) -> None:
        """Their codes with no partner at all are new."""
        for guid in self.theirs.order:
            if guid not in self.target:
                self._add(Proposal("add", None, self.theirs.ref(guid), method=None))
