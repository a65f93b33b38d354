#!/usr/bin/env bash
# Rebuilds the VADER data files from the reference package (vaderSentiment 3.3.2, MIT).
# The two lexicons are the package's own files; the booster, negation and special-case
# lists are the module's constants written out as data.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
python3 -m pip install --quiet --target "$tmp" vaderSentiment==3.3.2 --no-deps
pkg="$tmp/vaderSentiment"
tr -d '\r' < "$pkg/vader_lexicon.txt" > vader_lexicon.txt
cp "$pkg/emoji_utf8_lexicon.txt" emoji_utf8_lexicon.txt
PYTHONPATH="$tmp" python3 - <<'PY'
from vaderSentiment import vaderSentiment as v
hdr = "# Derived from vaderSentiment 3.3.2 (MIT, C.J. Hutto), module constant {}.\n# Rebuilt by config/lexicons/vader/rebuild.sh\n"
with open('boosters.tsv', 'w') as f:
    f.write(hdr.format('BOOSTER_DICT') + "# word-or-phrase<TAB>scalar\n")
    for k, val in v.BOOSTER_DICT.items():
        f.write(f"{k}\t{val}\n")
with open('negations.txt', 'w') as f:
    f.write(hdr.format('NEGATE') + "# one negation word per line\n")
    for k in v.NEGATE:
        f.write(k + "\n")
with open('special_cases.tsv', 'w') as f:
    f.write(hdr.format('SPECIAL_CASES') + "# phrase<TAB>valence\n")
    for k, val in v.SPECIAL_CASES.items():
        f.write(f"{k}\t{val}\n")
PY
rm -rf "$tmp"
