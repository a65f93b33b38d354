#!/bin/sh
# Fills fuzz/corpus/<target>/ with starting inputs: the small hand-written files in
# fuzz/seeds/, the repository's seeds/, and (when present) a sample of the shared
# datasets in ../shared/data. The corpora are not committed; rerun this to rebuild.
# Targets whose first byte is a selector (parse, pipeline) get it prepended.
set -eu
cd "$(dirname "$0")"
data=../../shared/data
mkdir -p corpus/parse corpus/charset corpus/gzip corpus/json corpus/markdown corpus/html corpus/pipeline

# prefix BYTE FILE OUT: writes BYTE (octal escape) then FILE to OUT.
prefix() { { printf "$1"; cat "$2"; } > "$3"; }

for f in seeds/text/* ../seeds/*.txt; do
    b=$(basename "$f")
    prefix '\000' "$f" "corpus/parse/txt-$b"
    prefix '\000' "$f" "corpus/pipeline/build-$b"
    prefix '\001' "$f" "corpus/pipeline/en-$b"
    cp "$f" "corpus/charset/$b"
    cp "$f" "corpus/markdown/$b"
    gzip -c "$f" > "corpus/gzip/$b.gz"
    gzip -c "$f" | { printf '\007'; cat; } > "corpus/parse/gz-$b"
done
for f in seeds/json/*; do
    b=$(basename "$f")
    prefix '\001' "$f" "corpus/parse/json-$b"
    prefix '\002' "$f" "corpus/parse/ndjson-$b"
    prefix '\000' "$f" "corpus/pipeline/json-$b"
    cp "$f" "corpus/json/$b"
    gzip -c "$f" > "corpus/gzip/$b.gz"
done
for f in seeds/markdown/*; do
    b=$(basename "$f")
    prefix '\004' "$f" "corpus/parse/md-$b"
    prefix '\000' "$f" "corpus/pipeline/md-$b"
    cp "$f" "corpus/markdown/$b"
done
for f in seeds/html/*; do
    b=$(basename "$f")
    prefix '\005' "$f" "corpus/parse/html-$b"
    cp "$f" "corpus/html/$b"
    cp "$f" "corpus/charset/$b"
done
for f in seeds/charset/*; do
    b=$(basename "$f")
    cp "$f" "corpus/charset/$b"
    prefix '\000' "$f" "corpus/parse/cs-$b"
done

if [ -d "$data" ]; then
    # Real pages up to 1 MB, real articles and JSON lines: a sample, not everything.
    for f in $(ls "$data"/article-extraction/html/*.html.gz | head -40); do
        b=$(basename "$f" .gz)
        gzip -dc "$f" > "corpus/html/$b"
        if [ "$(wc -c < "corpus/html/$b")" -gt 1000000 ]; then rm "corpus/html/$b"; continue; fi
        { printf '\005'; cat "corpus/html/$b"; } > "corpus/parse/$b"
    done
    for f in $(ls "$data"/bbc-news/articles/*.txt | head -30); do
        b=$(basename "$f")
        prefix '\000' "$f" "corpus/pipeline/build-$b"
        prefix '\001' "$f" "corpus/pipeline/en-$b"
    done
    for f in "$data"/multilingual/*/*.txt; do
        b=$(basename "$f")
        prefix '\000' "$f" "corpus/pipeline/ml-$b"
        cp "$f" "corpus/charset/ml-$b"
    done
    head -n 3 "$data"/kptimes-sample/train_sample.jsonl > corpus/json/kptimes.ndjson
    head -n 1 "$data"/kptimes-sample/train_sample.jsonl > corpus/json/kptimes.json
    prefix '\002' corpus/json/kptimes.ndjson corpus/parse/kptimes.ndjson
fi
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) files"; done
