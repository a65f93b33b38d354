//! Criterion benchmarks of the named-entity recogniser: tagging throughput in tokens
//! per second on one core, and model load time from bytes.
//!
//! Run with `cargo bench --bench ner`. The corpus is the CoNLL-2003 dev set when
//! `../shared/data/conll2003/dev.txt` is present (51,362 tokens in 216 documents),
//! otherwise the seed article, re-tokenised CoNLL-style, repeated.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsd::document::Document;
use newsd::ner::{Recognizer, conll_tokens};
use newsd::pipeline::Stage;
use newsd::pipeline::tokenize::{Tokenize, TokenizeConfig};

const MODEL: &str = "config/models/ner-en.bin";
const DEV: &str = "../shared/data/conll2003/dev.txt";

/// Documents as sentences of owned tokens.
fn corpus() -> (Vec<Vec<Vec<String>>>, &'static str) {
    if let Ok(docs) = newsd::ner::conll::read_file(Path::new(DEV)) {
        let docs = docs
            .into_iter()
            .map(|d| d.sentences.into_iter().map(|s| s.tokens).collect())
            .collect();
        return (docs, "conll_dev");
    }
    let text = std::fs::read_to_string("seeds/xi-jinping-russia-visit.txt").expect("seed article");
    let mut doc = Document::new(None, text);
    Tokenize::build(&TokenizeConfig::default())
        .expect("tokenizer")
        .apply(&mut doc)
        .expect("tokenize");
    let sentences: Vec<Vec<String>> = conll_tokens(&doc)
        .iter()
        .map(|s| s.iter().map(|&sp| doc.slice(sp).to_string()).collect())
        .collect();
    (vec![sentences; 50], "seed_article_x50")
}

fn bench(c: &mut Criterion) {
    let bytes = std::fs::read(MODEL).expect("shipped model");
    let recognizer = Recognizer::from_bytes(&bytes).expect("model loads");
    let (docs, name) = corpus();
    let docs: Vec<Vec<Vec<&str>>> = docs
        .iter()
        .map(|d| {
            d.iter()
                .map(|s| s.iter().map(String::as_str).collect())
                .collect()
        })
        .collect();
    let tokens: usize = docs.iter().flatten().map(Vec::len).sum();

    let mut group = c.benchmark_group("ner");
    group.sample_size(20);
    group.throughput(Throughput::Elements(tokens as u64));
    group.bench_function(format!("recognize_{name}"), |b| {
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                n += recognizer.recognize(black_box(d)).len();
            }
            n
        })
    });
    group.finish();

    let mut group = c.benchmark_group("ner_load");
    group.sample_size(10);
    group.bench_function("from_bytes", |b| {
        b.iter(|| Recognizer::from_bytes(black_box(&bytes)).expect("model loads"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
