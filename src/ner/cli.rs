//! The `newsd train ner` and `newsd eval ner` commands, kept apart from `main.rs` so
//! the binary only needs to add two subcommands and call [`run_train`] / [`run_eval`].

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::conll::read_file;
use super::eval::Scorer;
use super::gazetteer::Gazetteer;
use super::labels::{EntityLabel, EntitySpan};
use super::train::{TrainConfig, train};
use super::{NerError, Recognizer};

/// Default location of the shipped model, relative to the working directory.
pub const DEFAULT_MODEL: &str = "config/models/ner-en.bin";
/// Default folder of the gazetteer lists compiled into a model at training time.
pub const DEFAULT_GAZETTEERS: &str = "config/gazetteers";

/// `newsd train <what>`.
#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// Train the named-entity recogniser (deterministic: same inputs, same bytes).
    Ner(TrainArgs),
}

/// `newsd eval <what>`.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Score the named-entity recogniser on a CoNLL file; prints one JSON object.
    Ner(EvalArgs),
}

/// Arguments of `newsd train ner`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training corpus, CoNLL-2003 format (IOB1 or IOB2).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// Development corpus, used only to choose the epoch and calibrate confidences.
    #[arg(long, value_name = "FILE")]
    pub dev: PathBuf,
    /// Where to write the model.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Folder of gazetteer lists (`*.txt`) compiled into the model.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_GAZETTEERS)]
    pub gazetteers: PathBuf,
    /// Most passes over the training data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,
    /// Shuffle seed.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    /// Jackknife folds for the second pass (0: a one-pass model).
    #[arg(long, default_value_t = TrainConfig::default().folds)]
    pub folds: usize,
    /// Runs per pass, with different shuffles, whose weights are averaged.
    #[arg(long, default_value_t = TrainConfig::default().replicas)]
    pub replicas: usize,
    /// Static features seen fewer times in the training text are not used.
    #[arg(long, default_value_t = TrainConfig::default().min_count)]
    pub min_count: u32,
    /// Averaged weights of at most this magnitude are dropped (smaller model).
    #[arg(long, default_value_t = TrainConfig::default().prune)]
    pub prune: f32,
}

/// Arguments of `newsd eval ner`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Corpus to score, CoNLL-2003 format (IOB1 or IOB2).
    #[arg(long, value_name = "FILE")]
    pub conll: PathBuf,
    /// Model file.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
    /// Also write `token gold predicted` lines (IOB2) here, for error analysis.
    #[arg(long, value_name = "PATH")]
    pub predictions: Option<PathBuf>,
}

/// Trains and writes a model; progress goes to stderr.
pub fn run_train(args: &TrainArgs) -> Result<(), NerError> {
    let train_docs = read_file(&args.train)?;
    let dev_docs = read_file(&args.dev)?;
    let gazetteer = Gazetteer::from_dir(&args.gazetteers)?;
    eprintln!(
        "gazetteer: {} lists ({}), {} entries",
        gazetteer.names().len(),
        gazetteer.names().join(", "),
        gazetteer.len()
    );
    let cfg = TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        folds: args.folds,
        replicas: args.replicas,
        min_count: args.min_count,
        prune: args.prune,
        ..TrainConfig::default()
    };
    let (model, summary) = train(&train_docs, &dev_docs, gazetteer, &cfg, |line| {
        eprintln!("{line}")
    })?;
    let bytes = model.to_bytes();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| NerError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&args.out, &bytes).map_err(|source| NerError::Io {
        path: args.out.clone(),
        source,
    })?;
    eprintln!(
        "wrote {} ({} bytes): epoch {}, dev F1 {:.4}, {} feature rows, {:.1}s",
        args.out.display(),
        bytes.len(),
        summary.best_epoch,
        summary.dev_f1,
        summary.features,
        summary.seconds
    );
    Ok(())
}

/// Scores the model on a corpus and returns the JSON report.
pub fn run_eval(args: &EvalArgs) -> Result<Value, NerError> {
    let load_started = Instant::now();
    let recognizer = Recognizer::load(&args.model)?;
    let load_ms = load_started.elapsed().as_secs_f64() * 1000.0;
    let docs = read_file(&args.conll)?;
    let mut scorer = Scorer::new();
    let mut tokens = 0usize;
    let mut dump = String::new();
    let started = Instant::now();
    for doc in &docs {
        let sentences: Vec<Vec<&str>> = doc
            .sentences
            .iter()
            .map(|s| s.tokens.iter().map(String::as_str).collect())
            .collect();
        tokens += doc.token_count();
        let mentions = recognizer.recognize(&sentences);
        for (si, s) in doc.sentences.iter().enumerate() {
            let predicted: Vec<EntitySpan> = mentions
                .iter()
                .filter(|m| m.sentence == si)
                .map(|m| EntitySpan {
                    start: m.start,
                    end: m.end,
                    label: m.label,
                })
                .collect();
            if args.predictions.is_some() {
                let gold = iob2(s.tokens.len(), &s.entities);
                let pred = iob2(s.tokens.len(), &predicted);
                for ((t, g), p) in s.tokens.iter().zip(gold).zip(pred) {
                    dump.push_str(&format!("{t} {g} {p}\n"));
                }
                dump.push('\n');
            }
            scorer.add(&s.entities, &predicted);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &args.predictions {
        std::fs::write(path, dump).map_err(|source| NerError::Io {
            path: path.clone(),
            source,
        })?;
    }
    let overall = scorer.overall();
    let mut per_type = serde_json::Map::new();
    for label in EntityLabel::ALL {
        let p = scorer.of(label);
        per_type.insert(
            label.as_str().to_string(),
            json!({"precision": p.precision, "recall": p.recall, "f1": p.f1, "support": p.support}),
        );
    }
    Ok(json!({
        "precision": overall.precision,
        "recall": overall.recall,
        "f1": overall.f1,
        "support": overall.support,
        "per_type": per_type,
        "documents": docs.len(),
        "tokens": tokens,
        "seconds": seconds,
        "tokens_per_s": if seconds > 0.0 { tokens as f64 / seconds } else { 0.0 },
        "model": args.model.display().to_string(),
        "model_load_ms": load_ms,
    }))
}

/// IOB2 tags of a sentence holding `spans`.
fn iob2(len: usize, spans: &[EntitySpan]) -> Vec<String> {
    let mut tags = vec!["O".to_string(); len];
    for s in spans {
        for (i, tag) in tags.iter_mut().enumerate().take(s.end).skip(s.start) {
            let p = if i == s.start { "B" } else { "I" };
            *tag = format!("{p}-{}", s.label.as_str());
        }
    }
    tags
}
