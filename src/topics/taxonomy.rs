//! A configurable topic taxonomy: topics defined by weighted terms, phrases and
//! entities, scored per article with the evidence that matched.
//!
//! Unlike the trained classifier, a taxonomy is what an analyst writes and reads: each
//! score comes with the words that produced it. Matching is on lowercase word tokens;
//! a term also matches its plural and -ed/-ing forms (a cheap suffix rule, enough for
//! topic evidence). Score of a topic: `raw / (raw + 5 + words / 50)` where `raw` sums
//! `weight × min(occurrences, 3)` over its evidence, so a few strong clues in a short
//! brief count as much as more clues in a long feature, and no topic reaches 1.

use std::collections::HashMap as StdHashMap;

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::document::{Document, Span, TokenKind};

/// The default taxonomy shipped in `config/topics.toml`.
const BUILTIN: &str = include_str!("../../config/topics.toml");

/// Each piece of evidence counts at most this many times.
const MAX_HITS: usize = 3;

/// Why a taxonomy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a valid taxonomy; names the key.
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong, with the key.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    topic: Vec<TopicDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicDef {
    name: String,
    #[serde(default)]
    terms: StdHashMap<String, f64>,
    #[serde(default)]
    phrases: StdHashMap<String, f64>,
    #[serde(default)]
    entities: StdHashMap<String, f64>,
}

/// One piece of matched evidence, as a byte span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The term, phrase or entity as configured.
    pub term: String,
    /// Where it matched.
    pub span: Span,
    /// Its weight.
    pub weight: f64,
}

/// A topic's score in one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicScore {
    /// The topic's name.
    pub name: String,
    /// Score, 0..1.
    pub score: f64,
    /// What matched, in text order (each piece of evidence at most three times).
    pub evidence: Vec<Evidence>,
}

/// A phrase's words, its topic, weight and configured text.
type PhraseEntry = (Vec<String>, usize, f64, String);

/// A compiled taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    names: Vec<String>,
    /// word → (topic, weight, the configured term).
    terms: HashMap<String, Vec<(usize, f64, String)>>,
    /// first word → (phrase words, topic, weight, phrase).
    phrases: HashMap<String, Vec<PhraseEntry>>,
    /// entity name → (topic, weight).
    entities: HashMap<String, Vec<(usize, f64)>>,
}

impl Taxonomy {
    /// The shipped default taxonomy.
    pub fn builtin() -> Result<Self, TaxonomyError> {
        Self::parse(BUILTIN, "config/topics.toml (built in)")
    }

    /// Loads a taxonomy file.
    pub fn load(path: &Path) -> Result<Self, TaxonomyError> {
        let text = std::fs::read_to_string(path).map_err(|source| TaxonomyError::Read {
            file: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses taxonomy TOML; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, TaxonomyError> {
        let invalid = |message: String| TaxonomyError::Invalid {
            file: file.to_string(),
            message,
        };
        let de = toml::Deserializer::parse(text).map_err(|e| invalid(e.to_string()))?;
        let parsed: FileFormat = serde_path_to_error::deserialize(de)
            .map_err(|e| invalid(format!("key `{}`: {}", e.path(), e.inner())))?;
        let mut t = Taxonomy {
            names: Vec::new(),
            terms: HashMap::default(),
            phrases: HashMap::default(),
            entities: HashMap::default(),
        };
        for (i, def) in parsed.topic.into_iter().enumerate() {
            if def.name.trim().is_empty() {
                return Err(invalid(format!("key `topic[{i}].name`: must not be empty")));
            }
            let check = |kind: &str, key: &str, w: f64| {
                if w.is_finite() && w > 0.0 {
                    Ok(())
                } else {
                    Err(invalid(format!(
                        "key `topic[{i}].{kind}.{key}`: weight must be > 0"
                    )))
                }
            };
            for (term, w) in def.terms {
                check("terms", &term, w)?;
                t.terms
                    .entry(term.to_lowercase())
                    .or_default()
                    .push((i, w, term));
            }
            for (phrase, w) in def.phrases {
                check("phrases", &phrase, w)?;
                let words: Vec<String> = phrase_words(&phrase);
                let Some(first) = words.first().cloned() else {
                    return Err(invalid(format!(
                        "key `topic[{i}].phrases.{phrase}`: empty phrase"
                    )));
                };
                t.phrases
                    .entry(first)
                    .or_default()
                    .push((words, i, w, phrase));
            }
            for (entity, w) in def.entities {
                check("entities", &entity, w)?;
                t.entities.entry(entity).or_default().push((i, w));
            }
            t.names.push(def.name);
        }
        Ok(t)
    }

    /// Scores every topic for a tokenized document (with entities, if extracted) and
    /// returns those at or above `min_score`, best first.
    pub fn score(&self, doc: &Document, min_score: f64) -> Vec<TopicScore> {
        let words: Vec<(Span, String)> = doc
            .tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| {
                let w = doc.slice(t.span).to_lowercase();
                (
                    t.span,
                    if w.contains('’') {
                        w.replace('’', "'")
                    } else {
                        w
                    },
                )
            })
            .collect();
        let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); self.names.len()];
        let mut hits: HashMap<(usize, String), usize> = HashMap::default();
        let mut push = |topic: usize, term: &str, span: Span, weight: f64| {
            let n = hits.entry((topic, term.to_string())).or_insert(0);
            if *n < MAX_HITS {
                *n += 1;
                evidence[topic].push(Evidence {
                    term: term.to_string(),
                    span,
                    weight,
                });
            }
        };
        for (i, (span, w)) in words.iter().enumerate() {
            for form in forms(w) {
                if let Some(list) = self.terms.get(form) {
                    for (topic, weight, term) in list {
                        push(*topic, term, *span, *weight);
                    }
                    break;
                }
            }
            if let Some(list) = self.phrases.get(w.as_str()) {
                for (pw, topic, weight, phrase) in list {
                    let matches = pw.len() <= words.len() - i
                        && pw.iter().zip(&words[i..]).all(|(a, (_, b))| a == b);
                    if matches {
                        let end = words[i + pw.len() - 1].0.end;
                        push(*topic, phrase, Span::new(span.start, end), *weight);
                    }
                }
            }
        }
        for e in &doc.entities {
            for name in std::iter::once(&e.text).chain(&e.aliases) {
                if let Some(list) = self.entities.get(name) {
                    for (topic, weight) in list {
                        for m in &e.mentions {
                            push(*topic, name, *m, *weight);
                        }
                    }
                    break;
                }
            }
        }
        let damping = 5.0 + words.len() as f64 / 50.0;
        let mut out: Vec<TopicScore> = evidence
            .into_iter()
            .enumerate()
            .filter(|(_, ev)| !ev.is_empty())
            .map(|(i, mut ev)| {
                ev.sort_by_key(|e| e.span.start);
                let raw: f64 = ev.iter().map(|e| e.weight).sum();
                TopicScore {
                    name: self.names[i].clone(),
                    score: raw / (raw + damping),
                    evidence: ev,
                }
            })
            .filter(|t| t.score >= min_score)
            .collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }
}

fn phrase_words(phrase: &str) -> Vec<String> {
    phrase
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The word and the forms it may be an inflection of: "talks" → "talks", "talk";
/// "flooding" → "flooding", "flood"; "arrested" → "arrested", "arrest".
fn forms(w: &str) -> impl Iterator<Item = &str> {
    let stems = [
        Some(w),
        w.strip_suffix("ies").filter(|s| s.len() > 2),
        w.strip_suffix("es").filter(|s| s.len() > 2),
        w.strip_suffix('s')
            .filter(|s| s.len() > 2 && !s.ends_with('s')),
        w.strip_suffix("ing").filter(|s| s.len() > 2),
        w.strip_suffix("ed").filter(|s| s.len() > 2),
    ];
    stems.into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Stage;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn doc(text: &str) -> Document {
        let mut d = Document::new(None, text.into());
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut d)
            .expect("tokenizes");
        d
    }

    #[test]
    fn builtin_taxonomy_has_the_default_topics() {
        let t = Taxonomy::builtin().expect("shipped file parses");
        for name in [
            "politics/diplomacy",
            "economy/business",
            "energy",
            "conflict/defence",
            "technology",
            "sport",
            "entertainment/culture",
            "health",
            "science",
            "crime/law",
            "disaster",
        ] {
            assert!(t.names.iter().any(|n| n == name), "{name}");
        }
    }

    #[test]
    fn scores_with_evidence_and_caps_repeats() {
        let t = Taxonomy::parse(
            "[[topic]]\nname = \"energy\"\nterms = { pipeline = 2, gas = 1 }\nphrases = { \"natural gas\" = 3 }\n\
             [[topic]]\nname = \"sport\"\nterms = { goal = 2 }\n",
            "t.toml",
        )
        .unwrap();
        let d = doc(
            "The gas pipeline carries natural gas. Pipelines, pipelines, pipelines everywhere.",
        );
        let s = t.score(&d, 0.0);
        assert_eq!(s.len(), 1, "no sport evidence");
        assert_eq!(s[0].name, "energy");
        let pipelines = s[0]
            .evidence
            .iter()
            .filter(|e| e.term == "pipeline")
            .count();
        assert_eq!(pipelines, 3, "capped at three");
        assert!(
            s[0].evidence
                .iter()
                .any(|e| e.term == "natural gas" && d.slice(e.span) == "natural gas")
        );
        assert!(s[0].score > 0.0 && s[0].score < 1.0);
    }

    #[test]
    fn bad_files_name_the_key() {
        let err = Taxonomy::parse("[[topic]]\nname = \"x\"\nterms = { a = -1 }\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t.toml") && err.contains("topic[0].terms.a"),
            "{err}"
        );
        let err = Taxonomy::parse("[[topic]]\nname = \"x\"\nterm = { a = 1 }\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("term"), "{err}");
    }

    #[test]
    fn inflected_forms_match() {
        let got: Vec<&str> = forms("talks").collect();
        assert!(got.contains(&"talk"));
        assert!(forms("flooding").any(|f| f == "flood"));
        assert!(forms("arrested").any(|f| f == "arrest"));
        assert!(!forms("gas").any(|f| f == "ga"));
    }
}
