//! The article pipeline: the [`Stage`] contract and the chain built from config.
//!
//! Stages are plain synchronous objects. They know nothing of files, channels or
//! tasks: the daemon's runner moves whole pipeline runs onto blocking threads, bounds
//! how many run at once and times them. This keeps every stage unit-testable on a
//! string and lets `newsd process` and the daemon share one code path.

pub mod clean;
pub mod extract;
pub mod score;
pub mod tokenize;

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::document::Document;

/// One step of the pipeline: reads and enriches a [`Document`] in place.
pub trait Stage: Send + Sync {
    /// Short stable name, used in config, logs and `timings_us`.
    fn name(&self) -> &'static str;

    /// Runs the stage over one document.
    fn apply(&self, doc: &mut Document) -> Result<(), StageError>;
}

/// Why a stage refused a document. The input then goes to `failed/` with this reason.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// Nothing readable was left once furniture was removed.
    #[error("no text left after removing site furniture")]
    NoText,
    /// A stage ran before a stage it depends on.
    #[error("stage `{stage}` needs `{needs}` to run first")]
    MissingInput {
        /// The stage that could not run.
        stage: &'static str,
        /// The stage it needs.
        needs: &'static str,
    },
}

impl StageError {
    /// Machine-readable reason code written to `failed/<name>.error.json`.
    pub fn code(&self) -> &'static str {
        match self {
            StageError::NoText => "no_text",
            StageError::MissingInput { .. } => "stage_order",
        }
    }
}

/// A stage in the configured chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageName {
    /// Drops site-furniture lines.
    Clean,
    /// Paragraphs, sentences, tokens.
    Tokenize,
    /// Keywords and entities.
    Extract,
    /// Readability and counts.
    Score,
}

/// Settings of the pipeline and of each stage (`[pipeline]` and its sub-tables).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// How many articles are processed at once; 0 means one per CPU core.
    pub concurrency: usize,
    /// Finished records that may wait for the outbox writer before workers pause.
    pub queue: usize,
    /// The stages, in order.
    pub stages: Vec<StageName>,
    /// `[pipeline.clean]`.
    pub clean: clean::CleanConfig,
    /// `[pipeline.tokenize]`.
    pub tokenize: tokenize::TokenizeConfig,
    /// `[pipeline.extract]`.
    pub extract: extract::ExtractConfig,
    /// `[pipeline.score]`.
    pub score: score::ScoreConfig,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            concurrency: 0,
            queue: 64,
            stages: vec![
                StageName::Clean,
                StageName::Tokenize,
                StageName::Extract,
                StageName::Score,
            ],
            clean: clean::CleanConfig::default(),
            tokenize: tokenize::TokenizeConfig::default(),
            extract: extract::ExtractConfig::default(),
            score: score::ScoreConfig::default(),
        }
    }
}

impl PipelineConfig {
    /// The effective number of concurrent articles.
    pub fn effective_concurrency(&self) -> usize {
        if self.concurrency == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.concurrency
        }
    }
}

/// A problem in the pipeline settings, with the dotted key that holds it.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {message}")]
pub struct BuildError {
    /// Dotted config key, e.g. `pipeline.clean.drop_lines[1]`.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

impl BuildError {
    /// Builds an error for `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// The chain of stages an article runs through.
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.stages.iter().map(|s| s.name()).collect();
        f.debug_struct("Pipeline").field("stages", &names).finish()
    }
}

impl Pipeline {
    /// Builds the chain the config names, checking that each stage's inputs come first.
    pub fn build(config: &PipelineConfig) -> Result<Self, BuildError> {
        let mut stages: Vec<Box<dyn Stage>> = Vec::with_capacity(config.stages.len());
        let mut seen: Vec<StageName> = Vec::new();
        for (i, name) in config.stages.iter().enumerate() {
            let key = format!("pipeline.stages[{i}]");
            if seen.contains(name) {
                return Err(BuildError::new(key, format!("stage {name:?} listed twice")));
            }
            let needs_tokens = matches!(name, StageName::Extract | StageName::Score);
            if needs_tokens && !seen.contains(&StageName::Tokenize) {
                return Err(BuildError::new(
                    key,
                    format!("stage {name:?} needs `tokenize` before it"),
                ));
            }
            if *name == StageName::Clean && seen.contains(&StageName::Tokenize) {
                return Err(BuildError::new(
                    key,
                    "`clean` rewrites the text and must come before `tokenize`",
                ));
            }
            let stage: Box<dyn Stage> = match name {
                StageName::Clean => Box::new(clean::Clean::build(&config.clean)?),
                StageName::Tokenize => Box::new(tokenize::Tokenize::build(&config.tokenize)?),
                StageName::Extract => Box::new(extract::Extract::build(&config.extract)?),
                StageName::Score => Box::new(score::Score::build(&config.score)?),
            };
            seen.push(*name);
            stages.push(stage);
        }
        Ok(Self { stages })
    }

    /// Runs every stage over `doc`, recording each stage's time in `doc.timings_us`.
    pub fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        for stage in &self.stages {
            let started = Instant::now();
            stage.apply(doc)?;
            let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            doc.timings_us.push((stage.name(), us));
        }
        Ok(())
    }

    /// Names of the stages, in order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }
}
