"""A seeded synthetic interview study of any size, for benchmarks and the CI smoke run.

Transcripts are plain-text files with speaker turns and paragraphs of realistic length
in a mix of English, French and Russian; the codebook has two levels; codings are
spread over coders with a given density. The same seed gives the same study.

    from benchmarks.synth import Study
    study = Study(interviews=1000, paragraphs=200, codes=40, coders=3, codings=1_000_000)
    study.write_transcripts(folder)            # files for the import benchmark
    study.bulk_codings(conn)                    # rows for an imported project
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.ids import new_guid, now

ENGLISH = (
    "We started working with the prison administration in the early nineties",
    "The regional police chief agreed to meet us only after a long wait",
    "Foreign funding made the difference for our training programme",
    "After the 2006 law we had to re-register and answer endless inspections",
    "Personal relations with officials are what opens doors here",
    "The younger activists prefer cooperation to open denunciation",
    "Nobody in the ministry knew that the veterans' project existed",
    "We publish a handbook for officers on the rights of detainees",
    "The Public Chamber asked us to submit a bid, but the paperwork was excessive",
    "In Kazan the situation is different from Moscow",
)
FRENCH = (
    "Nous avons commencé à travailler avec l'administration pénitentiaire",
    "Le chef de la police régionale a finalement accepté de nous recevoir",
    "Les financements étrangers ont été décisifs pour notre programme",
    "Après la loi de 2006, il a fallu se réenregistrer et subir des contrôles",
    "Les relations personnelles avec les fonctionnaires ouvrent les portes",
    "La jeune génération préfère la coopération à la dénonciation",
)
RUSSIAN = (
    "Мы начали работать с тюремной администрацией в начале девяностых",
    "Начальник областной полиции согласился встретиться с нами",
    "Иностранное финансирование сыграло решающую роль в нашей программе",
    "После закона 2006 года нам пришлось заново регистрироваться",
    "Личные отношения с чиновниками открывают двери",
    "Молодые активисты предпочитают сотрудничество открытой критике",
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


@dataclass
class Study:
    """Size and seed of a synthetic study."""

    interviews: int = 1000
    paragraphs: int = 200
    codes: int = 40
    coders: int = 3
    codings: int = 1_000_000
    seed: int = 2009

    @property
    def total_paragraphs(self) -> int:
        """Paragraphs in the whole study."""
        return self.interviews * self.paragraphs

    def transcript(self, n: int) -> str:
        """The text of interview ``n``: alternating questions and multi-sentence answers."""
        rng = random.Random(self.seed * 100_003 + n)
        language = rng.choice((ENGLISH, ENGLISH, FRENCH, RUSSIAN))
        turns = []
        for i in range(self.paragraphs):
            if i % 2 == 0:
                turns.append(f"Q: {rng.choice(QUESTIONS)}?")
            else:
                sentences = [rng.choice(language) for _ in range(rng.randint(2, 6))]
                turns.append(f"A: {'. '.join(sentences)}.")
        return "\n\n".join(turns) + "\n"

    def write_transcripts(self, folder: Path) -> list[Path]:
        """Write every interview as ``interview-NNNN.txt``; return the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for n in range(self.interviews):
            path = folder / f"interview-{n:04d}.txt"
            path.write_text(self.transcript(n), encoding="utf-8")
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

    def coding_rows(self, paragraph_ids: list[int], code_ids: list[int],
                    coder_ids: list[int]) -> Iterator[tuple[str, int, int, int, str]]:
        """``codings`` distinct (paragraph, code, coder) rows, skewed like real coding:
        some themes are common, most paragraphs carry one or two codes."""
        rng = random.Random(self.seed + 1)
        weights = [1 / (rank + 1) for rank in range(len(code_ids))]
        seen: set[tuple[int, int, int]] = set()
        stamp = now()
        target = min(self.codings, len(paragraph_ids) * len(code_ids) * len(coder_ids))
        while len(seen) < target:
            batch = target - len(seen)
            pids = rng.choices(paragraph_ids, k=batch)
            cids = rng.choices(code_ids, weights=weights, k=batch)
            kids = rng.choices(coder_ids, k=batch)
            for key in zip(pids, cids, kids, strict=True):
                if key not in seen:
                    seen.add(key)
                    yield (new_guid(), key[0], key[1], key[2], stamp)

    def bulk_codings(self, conn: sqlite3.Connection) -> int:
        """Insert the study's codings straight into an imported project's tables.

        A benchmark set-up step, not a qcode operation: these rows bypass the event
        log (a million undo records are not what is being measured).
        """
        stamp = now()
        for name in self.coder_names():
            conn.execute("INSERT OR IGNORE INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
                         (new_guid(), name, stamp))
        coder_ids = [r[0] for r in conn.execute(
            "SELECT id FROM coders WHERE name LIKE 'coder%' ORDER BY id")]
        code_ids = [r[0] for r in conn.execute("SELECT id FROM codes ORDER BY id")]
        paragraph_ids = [r[0] for r in conn.execute("SELECT id FROM paragraphs ORDER BY id")]
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO codings (guid, paragraph_id, code_id, coder_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            self.coding_rows(paragraph_ids, code_ids, coder_ids),
        )
        conn.execute("COMMIT")
        return int(conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0])
