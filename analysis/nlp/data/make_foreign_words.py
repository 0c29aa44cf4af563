"""Rebuild ``foreign_stopwords.tsv`` (a development tool, not imported by consult).

    python analysis/nlp/data/make_foreign_words.py

For each language that :func:`analysis.coding.base.is_codable` looks for (English, German
and ``OTHER_LANGUAGES``), the words of spaCy's stop word list that are no Dutch stop words
and some forty times as frequent in that language as in Dutch (``wordfreq``'s Zipf scale,
1.6 points apart): *the*, *und*, *les*, *çok* are such words; *niemand* (German), *top*
and *per* (English), *prima* (Italian), *nou* (Romanian) and *kom* (Norwegian) are
ordinary Dutch words and are left out. One line per word: language, tab, word.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))

#: 1.6 Zipf points: some forty times as frequent
MIN_RATIO = 1.6


def main() -> int:
    from wordfreq import zipf_frequency

    from analysis.coding.base import OTHER_LANGUAGES
    from analysis.nlp.stopwords import stop_words

    dutch = stop_words("nl")
    lines = []
    for lang in ("en", "de", *OTHER_LANGUAGES):
        kept = 0
        for word in sorted(stop_words(lang) - dutch):
            if len(word) < 2 or not any(ch.isalpha() for ch in word):
                continue
            if zipf_frequency(word, lang) - zipf_frequency(word, "nl") >= MIN_RATIO:
                lines.append(f"{lang}\t{word}")
                kept += 1
        print(f"{lang}: {kept} words", file=sys.stderr)
    out = HERE / "foreign_stopwords.tsv"
    out.write_text("# made by make_foreign_words.py from spaCy's stop word lists and wordfreq; do not edit\n"
                   + "\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
