#!/bin/sh
# Runs one fuzz target for a fixed time on one core and records its CPU time:
#   fuzz/run.sh TARGET SECONDS [LOG-SUFFIX]
# Uses the binary `cargo +nightly fuzz build -s none` left in fuzz/target (copied
# first, so a rebuild cannot replace it mid-run). Crashes, timeouts and OOMs land in
# fuzz/artifacts/TARGET/; libFuzzer's log and GNU time's figures in fuzz/logs/.
set -eu
cd "$(dirname "$0")"
target=$1
seconds=$2
tag=${3:-}
case $target in
    html|parse) max_len=1048576 ;;
    pipeline) max_len=131072 ;;
    *) max_len=262144 ;;
esac
mkdir -p logs "artifacts/$target" "corpus/$target" bin
cp "target/x86_64-unknown-linux-gnu/release/$target" "bin/$target"
/usr/bin/time -f "cpu_user_s=%U cpu_sys_s=%S wall_s=%e max_rss_kb=%M" -o "logs/$target$tag.time" \
    "bin/$target" "corpus/$target" \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
    > "logs/$target$tag.log" 2>&1 || true
cat "logs/$target$tag.time"
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added|Test unit written|ERROR|SUMMARY" \
    "logs/$target$tag.log" || true
