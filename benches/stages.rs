//! Per-stage cost on real articles: `cargo bench --bench stages`.
//!
//! Each stage is timed on documents already prepared by the stages before it, so the
//! figures add up to the pipeline's; `pipeline` runs the whole chain from text.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use newsd::document::Document;
use newsd::input;
use newsd::pipeline::clean::{Clean, CleanConfig};
use newsd::pipeline::extract::{Extract, ExtractConfig};
use newsd::pipeline::score::{Score, ScoreConfig};
use newsd::pipeline::tokenize::{Tokenize, TokenizeConfig};
use newsd::pipeline::{Pipeline, PipelineConfig, Stage};

const ARTICLES: [(&str, &str); 3] = [
    ("seed", include_str!("../seeds/xi-jinping-russia-visit.txt")),
    (
        "gibraltar",
        include_str!("../seeds/bbc-gibraltar-talks.txt"),
    ),
    ("wine", include_str!("../seeds/bbc-illva-changyu-wine.txt")),
];

fn doc(text: &str) -> Document {
    let (title, body) = input::split_title(text);
    Document::new(title, body.to_string())
}

fn stages(c: &mut Criterion) {
    let clean = Clean::build(&CleanConfig::default()).expect("clean builds");
    let tokenize = Tokenize::build(&TokenizeConfig::default()).expect("tokenize builds");
    let extract = Extract::build(&ExtractConfig::default()).expect("extract builds");
    let score = Score::build(&ScoreConfig::default()).expect("score builds");
    let pipeline = Pipeline::build(&PipelineConfig::default()).expect("pipeline builds");
    for (name, text) in ARTICLES {
        let raw = doc(text);
        let mut cleaned = raw.clone();
        clean.apply(&mut cleaned).expect("text");
        let mut tokenized = cleaned.clone();
        tokenize.apply(&mut tokenized).expect("tokens");
        let mut extracted = tokenized.clone();
        extract.apply(&mut extracted).expect("extract");
        let mut g = c.benchmark_group(name);
        g.bench_function("clean", |b| {
            b.iter(|| {
                let mut d = raw.clone();
                clean.apply(black_box(&mut d)).expect("text");
                d
            })
        });
        g.bench_function("tokenize", |b| {
            b.iter(|| {
                let mut d = cleaned.clone();
                tokenize.apply(black_box(&mut d)).expect("tokens");
                d
            })
        });
        g.bench_function("extract", |b| {
            b.iter(|| {
                let mut d = tokenized.clone();
                extract.apply(black_box(&mut d)).expect("extract");
                d
            })
        });
        g.bench_function("score", |b| {
            b.iter(|| {
                let mut d = extracted.clone();
                score.apply(black_box(&mut d)).expect("score");
                d
            })
        });
        g.bench_function("pipeline", |b| {
            b.iter(|| {
                let mut d = raw.clone();
                pipeline.run(black_box(&mut d)).expect("runs");
                d
            })
        });
        g.finish();
    }
}

fn score_parts(c: &mut Criterion) {
    use newsd::pipeline::score::tone::ToneScorer;
    use newsd::topics::taxonomy::Taxonomy;
    let pipeline = Pipeline::build(&PipelineConfig::default()).expect("pipeline builds");
    let mut d = doc(ARTICLES[0].1);
    pipeline.run(&mut d).expect("runs");
    let tone = ToneScorer::new();
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let model = newsd::topics::builtin_model().expect("model");
    let mut g = c.benchmark_group("score_parts");
    g.bench_function("tone", |b| b.iter(|| tone.score(black_box(&d))));
    g.bench_function("taxonomy", |b| {
        b.iter(|| taxonomy.score(black_box(&d), 0.25))
    });
    g.bench_function("classifier", |b| b.iter(|| model.predict(black_box(&d))));
    g.finish();
}

/// The part-of-speech tagger alone on the seed articles' CoNLL-style sentences
/// (token analysis included): throughput in tokens per second.
fn pos(c: &mut Criterion) {
    use criterion::Throughput;
    let tagger = newsd::pos::builtin().expect("shipped POS model");
    let tokenize = Tokenize::build(&TokenizeConfig::default()).expect("tokenize builds");
    let mut sentences: Vec<Vec<String>> = Vec::new();
    for (_, text) in ARTICLES {
        let mut d = doc(text);
        tokenize.apply(&mut d).expect("tokens");
        for s in newsd::ner::conll_tokens(&d) {
            sentences.push(s.iter().map(|&sp| d.slice(sp).to_string()).collect());
        }
    }
    let tokens: usize = sentences.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("pos");
    g.throughput(Throughput::Elements(tokens as u64));
    g.bench_function("tag_seeds", |b| {
        let mut lex = Vec::new();
        let mut out = Vec::new();
        b.iter(|| {
            for s in &sentences {
                lex.clear();
                lex.extend(s.iter().map(|t| newsd::pos::features::TokenLex::new(t)));
                tagger.tag_lex(black_box(&lex), &mut out);
            }
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, stages, score_parts, pos);
criterion_main!(benches);
