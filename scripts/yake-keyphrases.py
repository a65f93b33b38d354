#!/usr/bin/env python3
"""YAKE's keyphrases for a dataset, to be scored by newsd's own rules.

Reads the texts `newsd eval keyphrases --texts` writes (JSON Lines: name, title,
body), runs the `yake` package on each document's title and body, and writes JSON
Lines {"name", "keyphrases"} (best first) for `newsd eval keyphrases --predictions`.
Needs Python with `yake` installed (the peer's environment has it: see
../shared/peer/README).

    newsd eval keyphrases --dataset D --texts texts.jsonl
    python scripts/yake-keyphrases.py texts.jsonl > yake.jsonl
    newsd eval keyphrases --dataset D --predictions yake.jsonl

Defaults are YAKE's own and the peer's: n-grams up to 3 words, de-duplication
threshold 0.9, window 1, 10 keyphrases.
"""

import argparse
import json
import sys

import yake


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("texts", help="JSON Lines from `newsd eval keyphrases --texts`")
    ap.add_argument("--n", type=int, default=3, help="longest n-gram (words)")
    ap.add_argument("--dedup", type=float, default=0.9, help="de-duplication threshold")
    ap.add_argument("--window", type=int, default=1, help="co-occurrence window")
    ap.add_argument("--top", type=int, default=10, help="keyphrases per document")
    args = ap.parse_args()

    extractor = yake.KeywordExtractor(
        lan="en", n=args.n, dedup_lim=args.dedup, window_size=args.window, top=args.top
    )
    with open(args.texts, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            # A full stop after the title keeps YAKE from reading it and the first
            # sentence as one sentence.
            text = doc["body"] if not doc.get("title") else doc["title"] + ".\n" + doc["body"]
            phrases = [kw for kw, _score in extractor.extract_keywords(text)]
            json.dump({"name": doc["name"], "keyphrases": phrases}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")


if __name__ == "__main__":
    main()
