//! Trains the keyphrase re-ranker and prints its weights file on stdout.
//!
//! ```sh
//! cargo run --release --example fit_keyphrase_ranker -- \
//!     ../shared/data/duc2001:1 ../shared/data/500n-kpcrowd:0.2 \
//!     > config/models/keyphrase-ranker.toml
//! ```
//!
//! With `--export` first, it prints every candidate's features and label instead
//! (one JSON line per document), for study outside the daemon.
//!
//! With `--folds K` first, it prints K-fold cross-validated F1@10 per dataset (one
//! JSON line each) instead of weights.
//!
//! Each argument is a dataset folder (the layout `newsd eval keyphrases` reads) with
//! an optional `:weight` for its candidates in the loss (default 1). The pipeline
//! settings are the defaults (`config/newsd.toml` mirrors them), so the candidates
//! are those the daemon scores.

use std::path::PathBuf;
use std::process::ExitCode;

use newsd::evaluate::ranker::{cross_validate, export, fit_ranker};
use newsd::pipeline::PipelineConfig;

/// L2 penalty on the standardised weights, unless `--l2 X` says otherwise.
const L2: f64 = 100.0;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut folds = None;
    let mut l2 = L2;
    let mut export_only = false;
    while let Some(flag) = args.first().filter(|a| a.starts_with("--")).cloned() {
        if flag == "--export" {
            export_only = true;
            args.remove(0);
            continue;
        }
        let value = args.get(1).and_then(|v| v.parse::<f64>().ok());
        match (flag.as_str(), value) {
            ("--folds", Some(k)) if k >= 2.0 => folds = Some(k as usize),
            ("--l2", Some(x)) if x > 0.0 && x.is_finite() => l2 = x,
            _ => {
                eprintln!("fit_keyphrase_ranker: bad option {flag} (--folds K >= 2, --l2 X > 0)");
                return ExitCode::from(2);
            }
        }
        args.drain(..2);
    }
    let mut datasets = Vec::new();
    for arg in args {
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
    if export_only {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        return match export(&datasets, &PipelineConfig::default(), &mut out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fit_keyphrase_ranker: {e}");
                ExitCode::from(1)
            }
        };
    }
    if let Some(k) = folds {
        return match cross_validate(&datasets, &PipelineConfig::default(), l2, k, 10) {
            Ok(report) => {
                for scores in report {
                    println!("{}", serde_json::json!(scores));
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("fit_keyphrase_ranker: {e}");
                ExitCode::from(1)
            }
        };
    }
    match fit_ranker(&datasets, &PipelineConfig::default(), l2) {
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
            header.push_str(&format!("L2 penalty {}.\n", summary.l2));
            header.push_str(
                "Provenance: the shared (not held-out) parts of the datasets above; see\n\
                 their SOURCE.md (DUC-2001: Wan & Xiao 2008, NIST/TREC news; 500N-KPCrowd\n\
                 v1.1: Marujo et al. 2012). This file holds feature statistics and\n\
                 weights only, no text.\n",
            );
            match cross_validate(&datasets, &PipelineConfig::default(), l2, 4, 10) {
                Ok(report) => {
                    header.push_str(
                        "4-fold cross-validated F1@10 with these settings (macro / micro):",
                    );
                    for s in report {
                        header.push_str(&format!(
                            "\n  {}: {:.4} / {:.4}",
                            s.path.display(),
                            s.macro_avg.f1,
                            s.micro_avg.f1
                        ));
                    }
                }
                Err(e) => header.push_str(&format!("Cross-validation failed: {e}")),
            }
            print!("{}", ranker.to_toml(&header));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fit_keyphrase_ranker: {e}");
            ExitCode::from(1)
        }
    }
}
