"""No sentence of the course is copied from the seeds: no run of 8 consecutive words is shared.

The seeds (the lecture notes and slides the course is built from, as text dumps) sit beside the
repository in ``../shared/seeds/*.txt``; the facts carry over, the sentences do not. This test
tokenizes every seed and every piece of course prose (lowercase words, punctuation dropped)
and fails on each run of ``RUN`` = 8 consecutive words that a course text shares with a seed,
naming the course file (and notebook cell), the seed file and the shared words.

Course prose: the markdown and the code source of the lessons (``notebooks/*.ipynb``) and of
the exercises (``exercises/source/**/*.ipynb``), the ``.py`` and ``.md`` files of
``course_lib/``, and ``README.md``.

On a clone without ``../shared/seeds`` the check against the real seeds is skipped (with the
reason); the tests of the checker itself (a planted copied sentence is caught, a paraphrase is
not) run everywhere.
"""
from __future__ import annotations

import json
import pathlib
import re
import unicodedata

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
RUN = 8

# Runs of 8 words that may be shared because they are not prose (e.g. a run of variable names
# forced by the notation). Each entry: the 8 words, space-separated, and why. Keep it short.
ALLOWED: dict[str, str] = {}


def words(text: str) -> list[str]:
    """Lowercase words, punctuation dropped. NFKC folds the seeds' mathematical letters
    (e.g. U+1D43F, a math italic L) into plain ones; apostrophes are dropped inside words."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\w)['\u2019\u2018](?=\w)", "", text)
    return re.findall(r"[^\W_]+", text)


def runs(tokens: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def shared_runs(text: str, seed_runs: dict[tuple[str, ...], str], n: int = RUN):
    """[(seed name, shared words)] for each maximal run of >= n words of `text` whose every
    n-word window occurs in a seed (overlapping windows are merged into one run)."""
    tokens = words(text)
    hits, start, end, seed = [], None, None, None
    for i in range(len(tokens) - n + 1):
        window = tuple(tokens[i:i + n])
        if window in seed_runs and " ".join(window) not in ALLOWED:
            if start is not None and i <= end:          # overlaps the current run: extend it
                end = i + n
            else:
                if start is not None:
                    hits.append((seed, " ".join(tokens[start:end])))
                start, end, seed = i, i + n, seed_runs[window]
    if start is not None:
        hits.append((seed, " ".join(tokens[start:end])))
    return hits


def seed_index(texts: dict[str, str], n: int = RUN) -> dict[tuple[str, ...], str]:
    """{n-word window: name of a seed containing it}."""
    index = {}
    for name, text in sorted(texts.items()):
        for window in runs(words(text), n):
            index.setdefault(window, name)
    return index


def course_texts(root: pathlib.Path = ROOT):
    """Yield (where, text) for every piece of course prose: one per notebook cell, one per file."""
    notebooks = sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("exercises/source/**/*.ipynb"))
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for k, cell in enumerate(cells):
            if cell["cell_type"] in ("markdown", "code"):
                source = cell["source"]
                yield f"{path.relative_to(root)} cell {k}", "".join(source) if isinstance(source, list) else source
    files = sorted(root.glob("course_lib/**/*.py")) + sorted(root.glob("course_lib/**/*.md"))
    for path in files + [root / "README.md"]:
        if path.exists():
            yield str(path.relative_to(root)), path.read_text(encoding="utf-8")


def find_copies(seed_texts: dict[str, str], texts) -> list[str]:
    index = seed_index(seed_texts)
    return [f"{where}: shares with seed {seed}: '{shared}'"
            for where, text in texts for seed, shared in shared_runs(text, index)]


# ---------------------------------------------------------------- the checker itself
SEED = ("Recap. The empirical risk is an unbiased estimate of the expected divergence, though "
        "there is no guarantee that minimizing it will minimize the expected divergence.")


def test_words_drop_punctuation_and_case():
    assert words("The Empirical-risk, isn\u2019t (it)? \U0001d43f\U0001d45c\U0001d460\U0001d460") == \
        ["the", "empirical", "risk", "isnt", "it", "loss"]


def test_a_planted_copied_sentence_is_caught():
    planted = ("A new lesson.\n\nAs we saw, THE empirical risk is an *unbiased estimate* of the "
               "expected divergence; so we minimize it.")
    hits = find_copies({"seed.txt": SEED}, [("planted.ipynb cell 3", planted)])
    assert hits == ["planted.ipynb cell 3: shares with seed seed.txt: 'the empirical risk is an "
                    "unbiased estimate of the expected divergence'"]


def test_a_paraphrase_and_a_short_quote_pass():
    ours = ("Averaged over training sets, the training loss at a fixed W equals the expected "
            "loss; the empirical risk is an unbiased estimate, no more.")   # 7 shared words at most
    assert find_copies({"seed.txt": SEED}, [("ours.md", ours)]) == []


def test_runs_across_a_markdown_line_break_are_caught():
    planted = "there is no guarantee\nthat minimizing it\n  will minimize the expected"
    assert len(find_copies({"seed.txt": SEED}, [("x.py", planted)])) == 1


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not on this clone")
def test_the_real_checker_catches_a_real_seed_sentence():
    seed_texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    planted = "Note: " + " ".join(words(next(iter(seed_texts.values())))[40:52]) + "."
    assert find_copies(seed_texts, [("planted.md", planted)])


# ---------------------------------------------------------------- the course against the seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seeds to compare with: {SEEDS} is absent "
                    "(the course repository alone does not carry them)")
def test_no_run_of_eight_words_repeats_the_seeds():
    seed_texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    assert seed_texts, f"{SEEDS} holds no .txt seed"
    hits = find_copies(seed_texts, course_texts())
    assert not hits, f"{len(hits)} runs of {RUN}+ words copied from the seeds:\n" + "\n".join(hits)
