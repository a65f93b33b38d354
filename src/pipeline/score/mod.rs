//! The `score` stage: Flesch readability figures, tone (see `tone.rs`) and topics
//! (see `crate::topics`) of a tokenized article.
//!
//! Both formulas use words, sentences and syllables counted over Word tokens only
//! (numbers and punctuation are left out):
//!
//! - Flesch reading ease = 206.835 − 1.015 · (words / sentences) − 84.6 · (syllables / words)
//! - Flesch–Kincaid grade = 0.39 · (words / sentences) + 11.8 · (syllables / words) − 15.59
//!
//! "Sentences" counts the sentences holding at least one word, so a stray "—" or
//! "2024." line does not make the text look easier. Syllables are estimated from
//! spelling (see `syllables.rs`). With no words, both figures are 0.0 (records are
//! JSON, which has no NaN).

mod syllables;
pub mod tone;
pub mod vader;
pub mod watchlist;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::document::{Distribution, Document, Readability, TokenKind, Topics};
use crate::pipeline::{BuildError, Stage, StageError};
use crate::topics::classifier::{ModelError, TopicModel};
use crate::topics::taxonomy::Taxonomy;

/// Settings of the score stage (`[pipeline.score]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// Topic taxonomy file; unset uses the shipped `config/topics.toml`.
    pub taxonomy: Option<PathBuf>,
    /// Taxonomy topics scoring below this are left out of the record.
    pub min_topic_score: f64,
    /// Topic classifier model; unset uses the shipped `config/models/topics-bbc.bin`.
    pub topic_model: Option<PathBuf>,
    /// Names and terms to watch for (`[[pipeline.score.watchlist]]` tables).
    pub watchlist: Vec<watchlist::WatchEntry>,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        Self {
            taxonomy: None,
            min_topic_score: 0.25,
            topic_model: None,
            watchlist: Vec::new(),
        }
    }
}

/// The score stage: readability, tone and topics.
#[derive(Debug)]
pub struct Score {
    tone: tone::ToneScorer,
    taxonomy: Taxonomy,
    min_topic_score: f64,
    classifier: TopicModel,
    watchlist: watchlist::Watchlist,
}

impl Default for Score {
    fn default() -> Self {
        // The shipped files are checked by tests; this cannot fail in a built binary.
        Self::build(&ScoreConfig::default()).expect("shipped taxonomy and topic model load")
    }
}

impl Score {
    /// Builds the stage, loading the lexicons, the taxonomy and the topic model.
    pub fn build(cfg: &ScoreConfig) -> Result<Self, BuildError> {
        let taxonomy = match &cfg.taxonomy {
            Some(path) => Taxonomy::load(path),
            None => Taxonomy::builtin(),
        }
        .map_err(|e| BuildError::new("pipeline.score.taxonomy", e.to_string()))?;
        if !(0.0..=1.0).contains(&cfg.min_topic_score) {
            return Err(BuildError::new(
                "pipeline.score.min_topic_score",
                "must be between 0 and 1",
            ));
        }
        let classifier = match &cfg.topic_model {
            Some(path) => std::fs::File::open(path)
                .map_err(ModelError::from)
                .and_then(|f| TopicModel::read(std::io::BufReader::new(f))),
            None => crate::topics::builtin_model(),
        }
        .map_err(|e| BuildError::new("pipeline.score.topic_model", e.to_string()))?;
        Ok(Self {
            tone: tone::ToneScorer::new(),
            taxonomy,
            min_topic_score: cfg.min_topic_score,
            classifier,
            watchlist: watchlist::Watchlist::build(&cfg.watchlist, "pipeline.score.watchlist")?,
        })
    }
}

/// The two Flesch figures for the given counts; 0.0 for both when a count is zero.
fn flesch(words: usize, sentences: usize, syllables: usize) -> (f64, f64) {
    if words == 0 || sentences == 0 {
        return (0.0, 0.0);
    }
    let words_per_sentence = words as f64 / sentences as f64;
    let syllables_per_word = syllables as f64 / words as f64;
    let ease = 206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word;
    let grade = 0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59;
    (ease, grade)
}

impl Stage for Score {
    fn name(&self) -> &'static str {
        "score"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        if doc.tokens.is_empty() && !doc.text.trim().is_empty() {
            return Err(StageError::MissingInput {
                stage: "score",
                needs: "tokenize",
            });
        }
        let mut words = 0usize;
        let mut syllable_total = 0usize;
        let mut sentence_lengths: Vec<usize> = Vec::new();
        let mut word_lengths: Vec<usize> = Vec::new();
        let mut last_sentence = None;
        for token in doc.tokens.iter().filter(|t| t.kind == TokenKind::Word) {
            let word = doc.slice(token.span);
            words += 1;
            syllable_total += syllables::syllables(word);
            word_lengths.push(word.chars().count());
            if last_sentence != Some(token.sentence) {
                sentence_lengths.push(0);
                last_sentence = Some(token.sentence);
            }
            if let Some(n) = sentence_lengths.last_mut() {
                *n += 1;
            }
        }
        let (ease, grade) = flesch(words, sentence_lengths.len(), syllable_total);
        doc.readability = Some(Readability {
            flesch_reading_ease: Some(ease),
            flesch_kincaid_grade: Some(grade),
            syllables: syllable_total,
            sentence_length: Distribution::of(&mut sentence_lengths),
            word_length: Distribution::of(&mut word_lengths),
        });
        doc.watchlist = self.watchlist.find(doc);
        if !doc.is_english() {
            // The lexicons, the taxonomy and the topic model are English: no numbers
            // beat wrong numbers.
            let code = doc
                .language
                .as_ref()
                .map_or("?", |l| l.code.as_str())
                .to_string();
            doc.warn(format!(
                "language {code}: tone, topics and readability formulas are English-only and were left null"
            ));
            if let Some(r) = doc.readability.as_mut() {
                r.flesch_reading_ease = None;
                r.flesch_kincaid_grade = None;
            }
            return Ok(());
        }
        let tone = self.tone.score(doc);
        for entity in &mut doc.entities {
            entity.tone = tone::ToneScorer::entity_tone(&tone, &entity.mentions);
        }
        doc.tone = Some(tone);
        doc.topics = Some(Topics {
            classifier: self.classifier.predict(doc),
            taxonomy: self.taxonomy.score(doc, self.min_topic_score),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn score(text: &str) -> Readability {
        let mut doc = Document::new(None, text.to_string());
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut doc)
            .expect("runs");
        Score::build(&ScoreConfig::default())
            .expect("builds")
            .apply(&mut doc)
            .expect("tokens present");
        doc.readability.expect("set by score")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn simple_sentence() {
        // 6 words, 1 sentence, 6 syllables.
        let r = score("The cat sat on the mat.");
        assert_eq!(r.syllables, 6);
        assert!(
            close(r.flesch_reading_ease.unwrap_or(f64::NAN), 116.145),
            "{r:?}"
        );
        assert!(
            close(r.flesch_kincaid_grade.unwrap_or(f64::NAN), -1.45),
            "{r:?}"
        );
    }

    #[test]
    fn two_sentences_with_long_words() {
        // 7 words, 2 sentences, 1+3+1+5+3+1+1 = 15 syllables.
        let r = score("The president signed international agreements. He left.");
        assert_eq!(r.syllables, 15);
        let ease = 206.835 - 1.015 * 3.5 - 84.6 * (15.0 / 7.0);
        let grade = 0.39 * 3.5 + 11.8 * (15.0 / 7.0) - 15.59;
        assert!(
            close(r.flesch_reading_ease.unwrap_or(f64::NAN), ease),
            "{r:?}"
        );
        assert!(
            close(r.flesch_kincaid_grade.unwrap_or(f64::NAN), grade),
            "{r:?}"
        );
    }

    #[test]
    fn numbers_and_wordless_sentences_are_left_out() {
        let with = score("The cat sat on the mat in 2024. 2025.");
        let without = score("The cat sat on the mat in.");
        assert_eq!(with, without);
    }

    #[test]
    fn no_words_gives_zeros_not_nan() {
        for text in ["", "2024. 3.5 — 17%"] {
            let r = score(text);
            assert_eq!(r.flesch_reading_ease, Some(0.0));
            assert_eq!(r.flesch_kincaid_grade, Some(0.0));
            assert!(serde_json::to_string(&r).is_ok());
        }
    }

    #[test]
    fn needs_tokens() {
        let mut doc = Document::new(None, "Words here.".into());
        let err = Score::default().apply(&mut doc).err();
        assert!(matches!(
            err,
            Some(StageError::MissingInput {
                stage: "score",
                needs: "tokenize"
            })
        ));
    }

    #[test]
    fn seed_article_is_plausible() {
        let r = score(include_str!("../../../seeds/xi-jinping-russia-visit.txt"));
        // Long sentences of long words: hard news prose.
        assert!(
            r.flesch_reading_ease.is_some_and(|e| e > 0.0 && e < 50.0),
            "{r:?}"
        );
        assert!(
            r.flesch_kincaid_grade.is_some_and(|g| g > 12.0 && g < 25.0),
            "{r:?}"
        );
        assert!(r.syllables > 500, "{r:?}");
    }
}
