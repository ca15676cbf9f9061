"""A seeded synthetic interview study of any size, made the way researchers make theirs.

Transcripts are plain-text files of question/answer turns with answers of realistic
length (a few sentences to a few hundred words), written from a vocabulary of tens of
thousands of distinct words used with a Zipf distribution, so search meets a realistic
index; a few stock sentences recur so that a typo'd query has something to find. The
codebook has two levels. Codings go in through qcode's own bulk path, coder by coder
and a batch of documents at a time (what merging a colleague's file or auto-coding
does), so the project is exactly what qcode makes: event log included, no statistics
unless qcode gathered them. The same seed gives the same study.

    from benchmarks.synth import Study
    study = Study(interviews=1000, paragraphs=200, codes=40, coders=3, codings=1_000_000)
    study.write_transcripts(folder)            # files for `qcode import`
    study.code(project)                        # the codings, through Project.tag_many
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec

STOCK = (
    "the regional police chief agreed to meet us only after a long wait",
    "foreign funding made the difference for our training programme",
    "after the 2006 law we had to re-register and answer endless inspections",
    "personal relations with officials are what opens doors here",
    "the younger activists prefer cooperation to open denunciation",
    "we publish a handbook for officers on the rights of detainees",
    "le chef de la police régionale a finalement accepté de nous recevoir",
    "начальник областной полиции согласился встретиться с нами",
)
QUESTIONS = (
    "How did your organisation first come into contact with the ministry",
    "What changed after the new law on NGOs",
    "Comment décririez-vous vos relations avec la police",
    "Как изменилась ваша работа за последние годы",
)
THEMES = (
    "relations with the power ministries", "state pressure", "impact", "international",
    "ministries' view", "institutional cooperation", "generations", "regions",
    "law enforcement", "civil society",
)
SYLLABLES = (
    "ka", "lo", "mi", "ne", "ra", "sto", "vel", "dor", "pri", "gen", "tur", "bas", "col",
    "fin", "mar", "ost", "plu", "que", "ren", "sil", "tan", "ump", "var", "wes", "xor",
    "yel", "zan", "bri", "cha", "dru", "eng", "fro", "gla", "hom", "ist", "jor", "kle",
)
# How many distinct words the study writes with (the issue asks for at least 50,000).
VOCABULARY = 60_000


@dataclass
class Study:
    """Size and seed of a synthetic study."""

    interviews: int = 1000
    paragraphs: int = 200
    codes: int = 40
    coders: int = 3
    codings: int = 1_000_000
    seed: int = 2009
    vocabulary: int = VOCABULARY

    @property
    def total_paragraphs(self) -> int:
        """Paragraphs in the whole study."""
        return self.interviews * self.paragraphs

    def words(self) -> list[str]:
        """The study's vocabulary, most frequent first (distinct pseudo-words)."""
        rng = random.Random(self.seed)
        found: dict[str, None] = {}
        while len(found) < self.vocabulary:
            length = rng.choice((2, 2, 3, 3, 3, 4))
            found.setdefault("".join(rng.choice(SYLLABLES) for _ in range(length)), None)
        return list(found)

    def _weights(self, count: int) -> list[float]:
        # Zipf's law (exponent ~1.07, as in English text): the k-th word ~ 1/k.
        return list(itertools.accumulate(1 / (k + 1) ** 1.07 for k in range(count)))

    def transcript(self, n: int, words: list[str], cumulative: list[float]) -> str:
        """Interview ``n``: questions, then answers of 15–400 words (median ~60)."""
        rng = random.Random(self.seed * 100_003 + n)
        total = cumulative[-1]
        turns = []
        for i in range(self.paragraphs):
            if i % 2 == 0:
                turns.append(f"Q: {rng.choice(QUESTIONS)}?")
                continue
            length = max(15, min(400, int(rng.lognormvariate(4.1, 0.6))))
            picks = [words[bisect.bisect(cumulative, rng.random() * total)]
                     for _ in range(length)]
            if rng.random() < 0.3:
                at = rng.randrange(len(picks))
                picks[at:at] = rng.choice(STOCK).split()
            sentences = [" ".join(picks[k:k + 14]) for k in range(0, len(picks), 14)]
            turns.append("A: " + ". ".join(s.capitalize() for s in sentences) + ".")
        return "\n\n".join(turns) + "\n"

    def write_transcripts(self, folder: Path) -> list[Path]:
        """Write every interview as ``interview-NNNN.txt``; return the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        words = self.words()
        cumulative = self._weights(len(words))
        paths = []
        for n in range(self.interviews):
            path = folder / f"interview-{n:04d}.txt"
            path.write_text(self.transcript(n, words, cumulative), encoding="utf-8")
            paths.append(path)
        return paths

    def codebook(self) -> Codebook:
        """A two-level codebook of ``codes`` codes: a parent per theme, then children."""
        rng = random.Random(self.seed)
        parents = max(1, self.codes // 5)
        roots = [CodeSpec(name=THEMES[i % len(THEMES)] + ("" if i < len(THEMES) else f" {i}"),
                          colour=f"#{rng.randrange(0x404040, 0xFFFFFF):06X}")
                 for i in range(parents)]
        for i in range(self.codes - parents):
            parent = roots[i % parents]
            parent.children.append(CodeSpec(name=f"{parent.name}: aspect {i + 1}",
                                            colour=parent.colour))
        return Codebook(name="synthetic study", version="1", codes=roots)

    def coder_names(self) -> list[str]:
        """Coder names: coder1, coder2, …"""
        return [f"coder{i + 1}" for i in range(self.coders)]

    def pairs(self, paragraph_ids: list[int], code_ids: list[int]
              ) -> Iterator[tuple[int, int, int]]:
        """``codings`` distinct (coder index, paragraph, code), skewed like real coding:
        some themes are common, most paragraphs carry one or two codes; coder 1 codes
        the most (so there is a heaviest coder)."""
        rng = random.Random(self.seed + 1)
        weights = [1 / (rank + 1) for rank in range(len(code_ids))]
        coder_weights = [1 + 0.25 * (self.coders - i) for i in range(self.coders)]
        seen: set[tuple[int, int, int]] = set()
        target = min(self.codings, len(paragraph_ids) * len(code_ids) * self.coders)
        while len(seen) < target:
            batch = target - len(seen)
            keys = zip(rng.choices(range(self.coders), weights=coder_weights, k=batch),
                       rng.choices(paragraph_ids, k=batch),
                       rng.choices(code_ids, weights=weights, k=batch), strict=True)
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    yield key

    def batches(self, project: Project, *, documents_per_event: int = 100
                ) -> list[tuple[str, str, list[tuple[int, int]]]]:
        """The study's codings as :meth:`code` applies them: (coder, summary, pairs) per
        event, each coder a batch of documents at a time. Drawn before any timing, as
        the bare copy's are: the figure is qcode's, not the random generator's."""
        codable = [c.id for c in project.codes() if c.codable]
        runs = sorted((d.document.id, [r[0] for r in project.paragraph_outline(d.document.id)])
                      for d in project.documents())
        paragraph_ids = [p for _doc, ids in runs for p in ids]
        batch_of = {p: i // documents_per_event for i, (_doc, ids) in enumerate(runs)
                    for p in ids}
        batches: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for coder, paragraph, code in self.pairs(paragraph_ids, codable):
            batches.setdefault((coder, batch_of[paragraph]), []).append((paragraph, code))
        names = self.coder_names()
        return [(names[coder], f"merge {names[coder]}'s batch {batch + 1}", pairs)
                for (coder, batch), pairs in sorted(batches.items())]

    def code(self, project: Project, *, documents_per_event: int = 100) -> int:
        """Apply the study's codings through :meth:`Project.tag_many`, each coder a batch
        of documents at a time; return how many codings went in."""
        return sum(project.tag_many(pairs, coder=coder, summary=summary).changed
                   for coder, summary, pairs in self.batches(project,
                                                             documents_per_event=documents_per_event))
