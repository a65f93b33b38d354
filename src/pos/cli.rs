//! The `newsd train pos` and `newsd eval pos` commands, kept apart from `main.rs` so
//! the binary only adds two subcommands and calls [`run_train`] / [`run_eval`].

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::{Value, json};

use super::corpus::read_file;
use super::features::TokenLex;
use super::train::{TrainConfig, train};
use super::{PosError, Tagger};

/// Default location of the shipped model, relative to the working directory.
pub const DEFAULT_MODEL: &str = "config/models/pos-en.bin";

/// Arguments of `newsd train pos`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training corpus, CoNLL-2003 format (tag in the second column).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// Development corpus, used only to choose the epoch.
    #[arg(long, value_name = "FILE")]
    pub dev: PathBuf,
    /// Where to write the model.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Most passes over the training data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,
    /// Shuffle seed.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    /// Averaged weights of at most this magnitude are dropped (smaller model).
    #[arg(long, default_value_t = TrainConfig::default().prune)]
    pub prune: f32,
}

/// Arguments of `newsd eval pos`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Corpus to score, CoNLL-2003 format (tag in the second column).
    #[arg(long, value_name = "FILE")]
    pub conll: PathBuf,
    /// Model file (default: the shipped model built into the binary).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
}

/// Trains and writes a model; progress goes to stderr.
pub fn run_train(args: &TrainArgs) -> Result<(), PosError> {
    let train_data = read_file(&args.train)?;
    let dev_data = read_file(&args.dev)?;
    let cfg = TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        prune: args.prune,
        ..TrainConfig::default()
    };
    let (model, summary) = train(&train_data, &dev_data, &cfg, |line| eprintln!("{line}"))?;
    let bytes = model.to_bytes();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(PosError::io(dir))?;
    }
    std::fs::write(&args.out, &bytes).map_err(PosError::io(&args.out))?;
    eprintln!(
        "wrote {} ({} bytes): epoch {}, dev accuracy {:.4}, {} feature rows, {} dictionary words, {:.1}s",
        args.out.display(),
        bytes.len(),
        summary.best_epoch,
        summary.dev_accuracy,
        summary.rows,
        summary.dict,
        summary.seconds
    );
    Ok(())
}

/// Scores a model on a corpus and returns the JSON report: token accuracy, accuracy
/// on words the dictionary does not settle, and speed (feature analysis included).
pub fn run_eval(args: &EvalArgs) -> Result<Value, PosError> {
    let load_started = Instant::now();
    let tagger = match &args.model {
        Some(path) => std::sync::Arc::new(Tagger::load(path)?),
        None => super::builtin().map_err(PosError::Model)?,
    };
    let load_ms = load_started.elapsed().as_secs_f64() * 1000.0;
    let data = read_file(&args.conll)?;
    let names = tagger.tag_names();
    let (mut right, mut tokens, mut scored, mut scored_right) = (0usize, 0usize, 0usize, 0usize);
    let mut lex: Vec<TokenLex> = Vec::new();
    let mut out = Vec::new();
    let mut seconds = 0.0;
    for s in &data {
        let started = Instant::now();
        lex.clear();
        lex.extend(s.tokens.iter().map(|t| TokenLex::new(t)));
        tagger.tag_lex(&lex, &mut out);
        seconds += started.elapsed().as_secs_f64();
        for ((l, t), gold) in lex.iter().zip(&out).zip(&s.tags) {
            let ok = names.get(usize::from(*t)) == Some(gold);
            right += usize::from(ok);
            tokens += 1;
            if !tagger.model().dict.contains_key(&l.exact) {
                scored += 1;
                scored_right += usize::from(ok);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(json!({
        "accuracy": ratio(right, tokens),
        "tokens": tokens,
        "sentences": data.len(),
        "scored_tokens": scored,
        "scored_accuracy": ratio(scored_right, scored),
        "seconds": seconds,
        "tokens_per_s": if seconds > 0.0 { tokens as f64 / seconds } else { 0.0 },
        "model": args.model.as_ref().map_or("built-in".to_string(), |p| p.display().to_string()),
        "model_load_ms": load_ms,
        "feature_rows": tagger.feature_rows(),
    }))
}
