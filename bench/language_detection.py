"""Language detection on short comments: accuracy per language, and how often it overrules.

Run from the repository root:

    .venv/bin/python bench/language_detection.py [--half tune|report] [--per-language N]

Texts are the short comments (3 to 12 words once links and @mentions are removed; 4 to 40
characters of Chinese or Japanese) of the
labelled sets in ../shared/data/multilingual, whose folders name their language, and of three
English sets. Hindi texts written mostly in Latin letters count as hi-Latn. Each text falls in
the ``tune`` or the ``report`` half by a hash of its id; thresholds are chosen on ``tune`` and
figures quoted from ``report``. Printed per language: how often ``detect_language`` names the
right language, how often it is *clear* (allowed to overrule a declared language) and how often
a clear detection is wrong, beside py3langid's own top guess.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from civility.text.language import _identifier, _script, detect_language, warm_up

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ENGLISH = ("goemotions_reddit", "kaggle_insults_impermium", "fox_news_comments")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\bURL\b|\bUSER\b|\bRT\b")


def _lines(path: Path) -> Iterator[dict[str, object]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _short(text: str) -> bool:
    """3 to 12 words; for Chinese and Japanese, written without spaces, 4 to 40 characters."""
    unspaced = sum(_script(ch) in ("Han", "Kana") for ch in text)
    if unspaced * 2 > sum(ch.isalpha() for ch in text):
        return 4 <= len(text) <= 40
    return 3 <= len(text.split()) <= 12


def _gold(folder_language: str, text: str) -> str:
    if folder_language.startswith("hi"):
        latin = sum("a" <= ch.lower() <= "z" for ch in text)
        devanagari = sum("\u0900" <= ch <= "\u097f" for ch in text)
        return "hi-Latn" if latin > devanagari else "hi"
    return folder_language


def samples(half: str, per_language: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    # The CONAN sets hold English originals beside their translations, so their folder does
    # not name each text's language.
    folders = [
        (p, p.name.split("-")[0])
        for p in sorted((SHARED / "multilingual").iterdir())
        if not p.name.endswith("-conan")
    ]
    folders += [(SHARED / name, "en") for name in ENGLISH]
    for folder, language in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.jsonl*")):
            for record in _lines(path):
                text = _NOISE.sub(" ", str(record.get("text", ""))).strip()
                if not _short(text):
                    continue
                digest = hashlib.sha256(str(record.get("id", text)).encode()).digest()
                if ("tune" if digest[0] % 2 == 0 else "report") != half:
                    continue
                found[_gold(language, text)].append(text)
    return {
        language: texts[:: max(1, len(texts) // per_language)][:per_language]
        for language, texts in found.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("tune", "report"), default="report")
    parser.add_argument("--per-language", type=int, default=300)
    args = parser.parse_args()
    data = samples(args.half, args.per_language)
    warm_up()
    identifier = _identifier()
    print(f"half={args.half}  texts per language <= {args.per_language}")
    print("lang      n  correct  clear  clear-wrong  py3langid-top1")
    totals = [0, 0, 0, 0, 0]
    elapsed = 0.0
    for language in sorted(data):
        texts = data[language]
        start = time.perf_counter()
        found = [detect_language(t) for t in texts]
        elapsed += time.perf_counter() - start
        correct = sum(d is not None and d.language == language for d in found)
        clear = [d for d in found if d is not None and d.clear]
        wrong = sum(d.language != language for d in clear)
        raw = sum(identifier.classify(t)[0] == language for t in texts)
        n = len(texts)
        totals = [a + b for a, b in zip(totals, (n, correct, len(clear), wrong, raw), strict=True)]
        print(
            f"{language:8s} {n:4d}  {correct / n:6.1%}  {len(clear) / n:5.1%}"
            f"  {wrong / max(1, len(clear)):10.1%}  {raw / n:8.1%}"
        )
    n, correct, clear, wrong, raw = totals
    print(
        f"{'all':8s} {n:4d}  {correct / n:6.1%}  {clear / n:5.1%}"
        f"  {wrong / max(1, clear):10.1%}  {raw / n:8.1%}"
    )
    print(f"detect_language: {elapsed / n * 1e6:.0f} µs per comment")


if __name__ == "__main__":
    main()
