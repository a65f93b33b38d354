//! The `extract` stage: what a tokenized article mentions.
//!
//! - key phrases (`keyphrase/`): noun phrases found with the part-of-speech tagger
//!   and scored by PositionRank, or (`keyphrase_method = "ranker"`) candidate n-grams
//!   scored by a logistic-regression re-ranker over YAKE term features and position;
//! - dates resolved against the publication date, quotations with their speakers,
//!   and amounts (`facts/`);
//! - named entities, grouped with their aliases and scored for salience
//!   (`entities.rs`).

pub mod entities;
pub mod facts;
mod idhash;
pub(crate) mod keyphrase;
mod stopwords;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::ner::{Recognizer, find_entities};
use crate::pipeline::{BuildError, Stage, StageError};
use stopwords::Stopwords;

pub use keyphrase::Method as KeyphraseMethod;

/// Upper bound of `max_phrase_words`: every sub-phrase of a run is a candidate, so
/// the work per word grows with this length.
const MAX_PHRASE_WORDS: usize = 10;

/// Settings of the extract stage (`[pipeline.extract]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// Most keywords kept per article, best first (0 turns keywords off).
    pub keywords: usize,
    /// How key phrases are chosen: `positionrank` (noun phrases) or `ranker`.
    pub keyphrase_method: KeyphraseMethod,
    /// Longest key phrase, in words. From 1 to 10.
    pub max_phrase_words: usize,
    /// Extra stopwords on top of the built-in English list: a file with one word per
    /// line, `#` starting a comment line. Read once when the pipeline is built.
    pub stopwords: Option<PathBuf>,
    /// A keyphrase whose lower-cased text is at least this similar to one already
    /// chosen (1 − Levenshtein distance / longer length) is skipped. From 0 to 1;
    /// 1 only skips identical texts.
    pub dedup_similarity: f64,
    /// Weights of the keyphrase re-ranker, a TOML file in the format of
    /// `config/models/keyphrase-ranker.toml`; unset uses those built-in weights.
    /// Read once when the pipeline is built.
    pub ranker: Option<PathBuf>,
    /// Named-entity model file (`newsd train ner` output); unset uses the shipped
    /// `config/models/ner-en.bin`, built into the binary.
    pub ner_model: Option<PathBuf>,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        Self {
            keywords: 10,
            keyphrase_method: KeyphraseMethod::default(),
            max_phrase_words: 3,
            stopwords: None,
            dedup_similarity: 0.9,
            ranker: None,
            ner_model: None,
        }
    }
}

/// The shipped named-entity model.
const BUILTIN_NER: &[u8] = include_bytes!("../../../config/models/ner-en.bin");

/// The shipped recogniser, loaded once per process however often pipelines are built
/// (config checks, reloads): loading takes tens of milliseconds.
fn builtin_recognizer() -> Result<Arc<Recognizer>, String> {
    static CELL: OnceLock<Result<Arc<Recognizer>, String>> = OnceLock::new();
    CELL.get_or_init(|| {
        let bytes: &'static [u8] = BUILTIN_NER;
        let recognizer = Recognizer::from_bytes(bytes)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        // The weights now live in the recogniser's own table.
        crate::pages::release_pages(bytes);
        recognizer
    })
    .clone()
}

/// The extract stage, holding its keyphrase extractor and entity recogniser.
#[derive(Debug, Clone)]
pub struct Extract {
    keyphrases: keyphrase::Keyphrases,
    recognizer: Arc<Recognizer>,
}

impl Extract {
    /// Loads the word lists, re-ranker weights and entity model the config names.
    pub fn build(cfg: &ExtractConfig) -> Result<Self, BuildError> {
        let recognizer = match &cfg.ner_model {
            None => builtin_recognizer().map_err(|e| {
                BuildError::new("pipeline.extract.ner_model", format!("built-in: {e}"))
            }),
            Some(path) => Recognizer::load(path).map(Arc::new).map_err(|e| {
                BuildError::new(
                    "pipeline.extract.ner_model",
                    format!("{}: {e}", path.display()),
                )
            }),
        }?;
        Ok(Self {
            keyphrases: keyphrases(cfg, None)?,
            recognizer,
        })
    }
}

/// The keyphrase extractor the config describes; `ranker`, when given, replaces the
/// configured weights (training starts from untrained ones).
pub(crate) fn keyphrases(
    cfg: &ExtractConfig,
    ranker: Option<keyphrase::Ranker>,
) -> Result<keyphrase::Keyphrases, BuildError> {
    if !(1..=MAX_PHRASE_WORDS).contains(&cfg.max_phrase_words) {
        return Err(BuildError::new(
            "pipeline.extract.max_phrase_words",
            format!("must be between 1 and {MAX_PHRASE_WORDS}"),
        ));
    }
    if !(0.0..=1.0).contains(&cfg.dedup_similarity) {
        return Err(BuildError::new(
            "pipeline.extract.dedup_similarity",
            "must be between 0 and 1",
        ));
    }
    let mut stopwords = Stopwords::builtin();
    if let Some(path) = &cfg.stopwords {
        stopwords.add_file(path)?;
    }
    let ranker = match (ranker, &cfg.ranker) {
        (Some(ranker), _) => Ok(ranker),
        (None, None) => keyphrase::Ranker::builtin()
            .map_err(|e| BuildError::new("pipeline.extract.ranker", format!("built-in: {e}"))),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| keyphrase::Ranker::from_toml(&text))
            .map_err(|e| {
                BuildError::new(
                    "pipeline.extract.ranker",
                    format!("{}: {e}", path.display()),
                )
            }),
    }?;
    let tagger = crate::pos::builtin()
        .map_err(|e| BuildError::new("pipeline.extract", format!("built-in POS model: {e}")))?;
    Ok(keyphrase::Keyphrases::new(
        stopwords,
        ranker,
        tagger,
        cfg.keyphrase_method,
        cfg.keywords,
        cfg.max_phrase_words,
        cfg.dedup_similarity,
    ))
}

impl Stage for Extract {
    fn name(&self) -> &'static str {
        "extract"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        if doc.tokens.is_empty() && !doc.text.trim().is_empty() {
            return Err(StageError::MissingInput {
                stage: "extract",
                needs: "tokenize",
            });
        }
        let published = doc
            .published
            .unwrap_or_else(time::OffsetDateTime::now_utc)
            .date();
        if !doc.is_english() {
            // Every rule and list here is English; on other languages they would give
            // wrong answers ("die" as a keyword), so they give none.
            let code = doc
                .language
                .as_ref()
                .map_or("?", |l| l.code.as_str())
                .to_string();
            doc.warn(format!(
                "language {code}: keywords, dates, quotes, amounts and entities are read for English only and were left empty"
            ));
            return Ok(());
        }
        let mentions: Vec<entities::MentionIn> = find_entities(doc, &self.recognizer)
            .into_iter()
            .map(|m| entities::MentionIn {
                span: m.span,
                label: m.label.as_str(),
                confidence: m.confidence,
            })
            .collect();
        doc.entities = entities::build_entities(doc, &mentions);
        doc.dates = facts::find_dates(doc, published);
        doc.quotes = facts::find_quotes(doc);
        doc.amounts = facts::find_amounts(doc);
        doc.keywords = self.keyphrases.extract(doc);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Keyword;
    use crate::pipeline::clean::{Clean, CleanConfig};
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn prepare(title: Option<&str>, text: &str) -> Document {
        let mut doc = Document::new(title.map(str::to_string), text.to_string());
        Clean::build(&CleanConfig::default())
            .expect("defaults compile")
            .apply(&mut doc)
            .expect("text left");
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut doc)
            .expect("runs");
        doc
    }

    fn extract_with(cfg: &ExtractConfig, doc: &mut Document) -> Vec<Keyword> {
        Extract::build(cfg)
            .expect("builds")
            .apply(doc)
            .expect("tokens present");
        doc.keywords.clone()
    }

    /// The re-ranker's settings (the n-gram extractor).
    fn ranker() -> ExtractConfig {
        ExtractConfig {
            keyphrase_method: KeyphraseMethod::Ranker,
            ..ExtractConfig::default()
        }
    }

    fn texts(keywords: &[Keyword]) -> Vec<&str> {
        keywords.iter().map(|k| k.text.as_str()).collect()
    }

    #[test]
    fn needs_tokens() {
        let stage = Extract::build(&ExtractConfig::default()).expect("builds");
        let mut doc = Document::new(None, "Some text.".into());
        let err = stage.apply(&mut doc).err();
        assert!(matches!(
            err,
            Some(StageError::MissingInput {
                stage: "extract",
                needs: "tokenize"
            })
        ));
        let mut empty = Document::new(None, "  ".into());
        assert!(stage.apply(&mut empty).is_ok());
        assert!(empty.keywords.is_empty());
    }

    #[test]
    fn bad_settings_are_refused() {
        let zero = ExtractConfig {
            max_phrase_words: 0,
            ..ExtractConfig::default()
        };
        let key = Extract::build(&zero).err().map(|e| e.key);
        assert_eq!(key.as_deref(), Some("pipeline.extract.max_phrase_words"));
        let huge = ExtractConfig {
            max_phrase_words: MAX_PHRASE_WORDS + 1,
            ..ExtractConfig::default()
        };
        assert!(Extract::build(&huge).is_err());
        let missing = ExtractConfig {
            stopwords: Some("/nonexistent/newsd-stopwords.txt".into()),
            ..ExtractConfig::default()
        };
        let err = Extract::build(&missing).expect_err("unreadable file");
        assert_eq!(err.key, "pipeline.extract.stopwords");
        assert!(err.message.contains("/nonexistent/newsd-stopwords.txt"));
    }

    #[test]
    fn seed_article_keywords() {
        let seed = include_str!("../../../seeds/xi-jinping-russia-visit.txt");
        let mut doc = prepare(None, seed);
        let keywords = extract_with(&ExtractConfig::default(), &mut doc);
        let got = texts(&keywords);
        assert_eq!(got.len(), 10, "{got:?}");
        for expected in ["Russia", "China", "Xi"] {
            assert!(got.contains(&expected), "{expected} missing from {got:?}");
        }
        // Names are kept whole: no "Jinping", "Vladimir" or "President Xi" pieces.
        assert!(
            got.iter()
                .all(|k| !["Jinping", "Vladimir", "President Xi"].contains(k)),
            "{got:?}"
        );
        assert!((keywords[0].score - 1.0).abs() < 1e-12);
        assert!(keywords.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(keywords.iter().all(|k| k.score > 0.0 && k.score <= 1.0));
        // Possessives are stripped; stopwords never appear alone.
        assert!(
            got.iter().all(|k| !k.ends_with("’s") && !k.ends_with("'s")),
            "{got:?}"
        );
        assert!(!got.contains(&"said") && !got.contains(&"the"), "{got:?}");
        assert!(doc.entities.iter().any(|e| e.text == "Xi Jinping"));
    }

    #[test]
    fn deterministic_and_limited() {
        let seed = include_str!("../../../seeds/xi-jinping-russia-visit.txt");
        let cfg = ExtractConfig {
            keywords: 3,
            ..ExtractConfig::default()
        };
        let first = extract_with(&cfg, &mut prepare(None, seed));
        let second = extract_with(&cfg, &mut prepare(None, seed));
        assert_eq!(first.len(), 3);
        assert_eq!(first, second);
        let none = ExtractConfig {
            keywords: 0,
            ..ExtractConfig::default()
        };
        assert!(extract_with(&none, &mut prepare(None, seed)).is_empty());
    }

    #[test]
    fn phrases_are_runs_of_content_words() {
        let text = "Central bank officials raised interest rates. \
                    The central bank said interest rates would stay high. \
                    Critics of the central bank disagreed.";
        let mut doc = prepare(None, text);
        let got = extract_with(&ExtractConfig::default(), &mut doc);
        let got = texts(&got);
        let rank = |t: &str| got.iter().position(|k| *k == t);
        assert!(rank("central bank").is_some(), "{got:?}");
        assert!(rank("interest rates").is_some(), "{got:?}");
        // Most frequent surface form wins ("central bank" twice, "Central bank" once).
        assert!(!got.contains(&"Central bank"), "{got:?}");
    }

    #[test]
    fn possessives_hyphens_and_long_runs() {
        let text = "Xi’s visit follows Russian-Chinese talks. Xi's aides met. \
                    Alpha Beta Gamma Delta Epsilon Zeta.";
        let mut doc = prepare(None, text);
        let cfg = ExtractConfig {
            keywords: 50,
            max_phrase_words: 3,
            ..ranker()
        };
        let got = extract_with(&cfg, &mut doc);
        let got = texts(&got);
        assert!(got.contains(&"Xi"), "{got:?}");
        assert!(got.contains(&"Russian-Chinese talks"), "{got:?}");
        assert!(got.contains(&"Alpha Beta Gamma"), "{got:?}");
        assert!(got.contains(&"Delta Epsilon Zeta"), "{got:?}");
        assert!(got.iter().all(|k| k.split(' ').count() <= 3), "{got:?}");
    }

    #[test]
    fn title_adds_weight_to_known_phrases_only() {
        let text = "Officials discussed trade. Officials discussed energy. \
                    Energy prices rose. Trade grew.";
        let base = extract_with(&ranker(), &mut prepare(None, text));
        let titled = extract_with(
            &ranker(),
            &mut prepare(Some("Talks on trade and unicorns"), text),
        );
        let rank = |k: &[Keyword], t: &str| k.iter().position(|x| x.text.eq_ignore_ascii_case(t));
        let before = rank(&base, "trade").unwrap_or(usize::MAX);
        let after = rank(&titled, "trade").unwrap_or(usize::MAX);
        assert!(
            after <= before && after < 2,
            "{:?} / {:?}",
            texts(&base),
            texts(&titled)
        );
        let score = |k: &[Keyword]| {
            k.iter()
                .find(|x| x.text == "energy")
                .map_or(0.0, |x| x.score)
        };
        assert!(score(&titled) < score(&base), "trade gained on energy");
        assert!(rank(&titled, "unicorns").is_none());
    }

    #[test]
    fn positionrank_prefers_early_central_noun_phrases() {
        let text = "Congress members plan to sue the Census Bureau over illegal aliens. \
                    Counting illegal aliens would shift House seats, officials said. \
                    The Census Bureau says it must count everyone. \
                    A federal court upheld that approach years ago.";
        // Four, so that none comes from topping up (see the next test).
        let cfg = ExtractConfig {
            keywords: 4,
            ..ExtractConfig::default()
        };
        let got = extract_with(&cfg, &mut prepare(None, text));
        let got = texts(&got);
        let rank = |t: &str| got.iter().position(|k| k.eq_ignore_ascii_case(t));
        assert!(rank("illegal aliens").is_some_and(|r| r < 3), "{got:?}");
        assert!(rank("Census Bureau").is_some_and(|r| r < 3), "{got:?}");
        // Verbs and function words are never phrases; nor pieces of a longer run.
        for absent in ["sue", "said", "Census", "aliens", "the"] {
            assert!(rank(absent).is_none(), "{absent} in {got:?}");
        }
        assert!(got.iter().all(|k| k.split(' ').count() <= 3), "{got:?}");
    }

    #[test]
    fn superlatives_and_courtesy_titles_stay_out_of_noun_phrases() {
        let text = "The largest tanker spill in years fouled the coast. Mr. Hazelwood \
                    commanded the tanker. Crews fought the tanker spill for weeks, and \
                    the worst damage hit the coast near Valdez.";
        let cfg = ExtractConfig {
            keywords: 6,
            ..ExtractConfig::default()
        };
        let got = extract_with(&cfg, &mut prepare(None, text));
        let got = texts(&got);
        assert!(got.contains(&"tanker spill"), "{got:?}");
        assert!(
            got.iter()
                .all(|k| !k.contains("largest") && !k.contains("worst") && !k.starts_with("Mr")),
            "{got:?}"
        );
    }

    #[test]
    fn a_headline_alone_is_topped_up_to_the_limit() {
        let mut doc = prepare(
            Some("True Grit star Hailee Steinfeld in talks to play Sleeping Beauty"),
            "Steinfeld may star.",
        );
        let got = extract_with(&ExtractConfig::default(), &mut doc);
        assert!(got.len() >= 4, "{:?}", texts(&got));
        assert!(
            texts(&got).contains(&"Sleeping Beauty"),
            "{:?}",
            texts(&got)
        );
        assert!(got.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn extra_stopwords_file_applies() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("stop.txt");
        std::fs::write(&path, "# newsroom words\nofficials\n").expect("write");
        let cfg = ExtractConfig {
            stopwords: Some(path),
            ..ExtractConfig::default()
        };
        let text = "Officials discussed trade. Officials discussed energy.";
        let got = extract_with(&cfg, &mut prepare(None, text));
        assert!(
            texts(&got)
                .iter()
                .all(|k| !k.to_lowercase().contains("officials"))
        );
    }
}
