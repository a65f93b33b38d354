#!/usr/bin/env python3
"""Trade-off of single words against multi-word phrases in the top 10 keyphrases.

Reads two `newsd eval keyphrases --top 30 --dump FILE` listings of one dataset, one
made with keyphrase_method = "positionrank" (noun phrases) and one with "ranker"
(mostly single words), and prints F1@10 (macro, stemmed exact match, as the eval)
of lists made of the ranker's best k single words and then PositionRank's best
multi-word phrases, for k = 0..10, and of rules that choose k from the article's
length. Only the standard library is used.

    newsd eval keyphrases --dataset D --top 30 --dump pr.txt
    newsd eval keyphrases --dataset D --top 30 --dump rk.txt --config ranker.toml
    scripts/keyphrase-tradeoff.py pr.txt rk.txt

Matching comes from the listings (`+` marks a prediction matching a gold phrase);
two predictions count once when their lower-cased texts are equal, a slight
approximation of the eval's stemmed de-duplication.
"""

import re
import sys

HEADER = re.compile(r"^## (\S+) \(gold (\d+), words (\d+)\)$")
LINE = re.compile(r"^([+ ]) (.*) \(([-\d.]+)\)$")


def parse(path):
    """Document name -> (gold count, words, [(text, hit)])."""
    docs, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = HEADER.match(line)
            if m:
                cur = m.group(1)
                docs[cur] = (int(m.group(2)), int(m.group(3)), [])
                continue
            m = LINE.match(line)
            if m and cur is not None and not line.startswith("  missed:"):
                docs[cur][2].append((m.group(2), m.group(1) == "+"))
    return docs


def mix(phrases, words, k):
    """The ranker's best k single words, then multi-word phrases, then anything."""
    singles = [x for x in words if len(x[0].split()) == 1][:k]
    multi = [x for x in phrases if len(x[0].split()) > 1]
    out, seen = [], set()
    for x in singles + multi + words:
        if len(out) == 10:
            break
        if x[0].lower() not in seen:
            seen.add(x[0].lower())
            out.append(x)
    return out


def f1(chosen, gold):
    m = sum(hit for _, hit in chosen)
    return 0.0 if m == 0 else 2 * m / (len(chosen) + gold)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pr, rk = parse(sys.argv[1]), parse(sys.argv[2])
    names = sorted(set(pr) & set(rk))
    if not names:
        sys.exit("no document in both listings (dumps need the gold/words header)")

    def score(k_of):
        return sum(f1(mix(pr[n][2], rk[n][2], k_of(n)), pr[n][0]) for n in names) / len(names)

    print(f"{len(names)} documents")
    for k in range(11):
        print(f"k={k:2d} single words: F1@10 {score(lambda n, k=k: k):.4f}")
    for limit in (300, 500, 800):
        for short, long in ((7, 0), (8, 1), (10, 2)):
            rule = lambda n: short if pr[n][1] < limit else long  # noqa: E731
            print(f"k={short} below {limit} words, else {long}: F1@10 {score(rule):.4f}")


if __name__ == "__main__":
    main()
