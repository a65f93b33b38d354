#!/usr/bin/env bash
# The speed race: newsd against the peer pipeline (../shared/peer, spaCy
# en_core_web_sm + VADER + YAKE) on one corpus, in one sitting, runs interleaved
# so the machine's drift hits both alike. Prints one line per run and the ratio of
# the medians. Install the peer first (its README: a venv at ~/.peer-venv).
#   scripts/race-peer.sh [CORPUS_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/data/bbc-news/articles}
RUNS=${2:-3}
PY=${PEER_PY:-$HOME/.peer-venv/bin/python}
PEER=${PEER_DIR:-../shared/peer}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release --locked -q
n=$(find "$CORPUS" -maxdepth 1 -name '*.txt' | wc -l)
newsd_rates=()
peer_rates=()
for i in $(seq 1 "$RUNS"); do
    start=$(date +%s.%N)
    "$PY" "$PEER/peer_pipeline.py" "$CORPUS" --n-process 2 -o "$OUT/peer.ndjson" 2>"$OUT/peer.log"
    end=$(date +%s.%N)
    peer=$(python3 -c "print($n / ($end - $start))")
    peer_rates+=("$peer")
    newsd=$(target/release/newsd bench --corpus "$CORPUS" --scenario throughput --runs 1 |
        python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin][-1]["median_articles_per_s"])')
    newsd_rates+=("$newsd")
    echo "run $i: peer $peer articles/s, newsd $newsd articles/s"
done
python3 - "${peer_rates[*]}" "${newsd_rates[*]}" <<'PY'
import statistics, sys
peer = [float(x) for x in sys.argv[1].split()]
newsd = [float(x) for x in sys.argv[2].split()]
mp, mn = statistics.median(peer), statistics.median(newsd)
print(f"median: peer {mp:.1f} articles/s, newsd {mn:.0f} articles/s, ratio {mn / mp:.0f}x")
PY
