//! Trains the keyphrase re-ranker and prints its weights file on stdout.
//!
//! ```sh
//! cargo run --release --example fit_keyphrase_ranker -- \
//!     ../shared/data/duc2001:1 ../shared/data/500n-kpcrowd:0.2 \
//!     > config/models/keyphrase-ranker.toml
//! ```
//!
//! Each argument is a dataset folder (the layout `newsd eval keyphrases` reads) with
//! an optional `:weight` for its candidates in the loss (default 1). The pipeline
//! settings are the defaults (`config/newsd.toml` mirrors them), so the candidates
//! are those the daemon scores.

use std::path::PathBuf;
use std::process::ExitCode;

use newsd::evaluate::keyphrases::fit_ranker;
use newsd::pipeline::PipelineConfig;

/// L2 penalty on the standardised weights.
const L2: f64 = 1.0;

fn main() -> ExitCode {
    let mut datasets = Vec::new();
    for arg in std::env::args().skip(1) {
        let (path, weight) = match arg.rsplit_once(':') {
            Some((p, w)) => match w.parse::<f64>() {
                Ok(w) if w > 0.0 && w.is_finite() => (p.to_string(), w),
                _ => {
                    eprintln!("fit_keyphrase_ranker: bad weight in {arg:?}");
                    return ExitCode::from(2);
                }
            },
            None => (arg.clone(), 1.0),
        };
        datasets.push((PathBuf::from(path), weight));
    }
    if datasets.is_empty() {
        eprintln!("usage: fit_keyphrase_ranker DATASET[:WEIGHT]...");
        return ExitCode::from(2);
    }
    match fit_ranker(&datasets, &PipelineConfig::default(), L2) {
        Ok((ranker, summary)) => {
            let mut header = String::from(
                "Weights of the newsd keyphrase re-ranker (logistic regression over the\n\
                 features of src/pipeline/extract/keyphrase/signals.rs). Generated; do not edit.\n\
                 Rebuild (from the crate root, with the datasets beside it):\n  \
                 cargo run --release --example fit_keyphrase_ranker --",
            );
            for (path, weight) in &datasets {
                header.push_str(&format!(" {}:{weight}", path.display()));
            }
            header.push_str(" \\\n    > config/models/keyphrase-ranker.toml\nTrained on:\n");
            for d in &summary.datasets {
                header.push_str(&format!(
                    "  {} (weight {}): {} documents, {} candidates, {} matching a gold phrase\n",
                    d.path.display(),
                    d.weight,
                    d.documents,
                    d.candidates,
                    d.positives
                ));
            }
            header.push_str(&format!("L2 penalty {}.", summary.l2));
            print!("{}", ranker.to_toml(&header));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fit_keyphrase_ranker: {e}");
            ExitCode::from(1)
        }
    }
}
