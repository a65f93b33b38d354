//! Watchlists: the names and terms an analyst wants to hear about, with weights.
//!
//! Each entry is matched case-insensitively as a sequence of words ("Power of
//! Siberia", "Gazprom", "sanctions"); a one-word entry also matches its plural and
//! -ed/-ing forms. Matches appear in the record with their offsets and feed the
//! priority score.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::document::{Document, Span, TokenKind};
use crate::pipeline::BuildError;

/// One configured entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchEntry {
    /// Name or term to watch for.
    pub text: String,
    /// Its importance, 0..1.
    pub weight: f64,
}

/// An entry's matches in one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchHit {
    /// The entry as configured.
    pub text: String,
    /// Its weight.
    pub weight: f64,
    /// Where it matched (byte spans), in text order.
    pub mentions: Vec<Span>,
}

/// Compiled watchlist.
#[derive(Debug, Clone, Default)]
pub struct Watchlist {
    entries: Vec<(Vec<String>, WatchEntry)>,
    /// First word → entry indices.
    by_first: HashMap<String, Vec<usize>>,
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’' && c != '-')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

/// A word and what it may inflect: "sanctions" → "sanction".
fn stems(w: &str) -> [Option<&str>; 4] {
    [
        Some(w),
        w.strip_suffix('s').filter(|s| s.len() > 2),
        w.strip_suffix("ed").filter(|s| s.len() > 2),
        w.strip_suffix("ing").filter(|s| s.len() > 2),
    ]
}

impl Watchlist {
    /// Compiles the configured entries; `key` names them in errors.
    pub fn build(entries: &[WatchEntry], key: &str) -> Result<Self, BuildError> {
        let mut w = Watchlist::default();
        for (i, e) in entries.iter().enumerate() {
            let words = words_of(&e.text);
            let Some(first) = words.first().cloned() else {
                return Err(BuildError::new(
                    format!("{key}[{i}].text"),
                    "must hold a word",
                ));
            };
            if !(e.weight > 0.0 && e.weight <= 1.0) {
                return Err(BuildError::new(
                    format!("{key}[{i}].weight"),
                    "must be in (0, 1]",
                ));
            }
            w.by_first.entry(first).or_default().push(w.entries.len());
            w.entries.push((words, e.clone()));
        }
        Ok(w)
    }

    /// True when nothing is watched.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Finds every entry in a tokenized document.
    pub fn find(&self, doc: &Document) -> Vec<WatchHit> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        let words: Vec<(Span, String)> = doc
            .tokens
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
            .map(|t| (t.span, doc.slice(t.span).to_lowercase().replace('’', "'")))
            .collect();
        let mut hits: Vec<Vec<Span>> = vec![Vec::new(); self.entries.len()];
        for i in 0..words.len() {
            let forms = stems(&words[i].1);
            let firsts = forms.iter().flatten().filter_map(|f| self.by_first.get(*f));
            for &e in firsts.flatten() {
                let (ew, _) = &self.entries[e];
                let n = ew.len();
                if i + n > words.len() {
                    continue;
                }
                let matched = if n == 1 {
                    true
                } else {
                    // Multi-word entries match word for word; the last word may inflect.
                    ew.iter().enumerate().all(|(k, want)| {
                        let got = &words[i + k].1;
                        got == want
                            || (k == n - 1 && stems(got).iter().flatten().any(|s| s == want))
                    })
                };
                if matched && hits[e].last().is_none_or(|s| s.start != words[i].0.start) {
                    hits[e].push(Span::new(words[i].0.start, words[i + n - 1].0.end));
                }
            }
        }
        self.entries
            .iter()
            .zip(hits)
            .filter(|(_, m)| !m.is_empty())
            .map(|((_, e), mentions)| WatchHit {
                text: e.text.clone(),
                weight: e.weight,
                mentions,
            })
            .collect()
    }
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

    fn list() -> Watchlist {
        Watchlist::build(
            &[
                WatchEntry {
                    text: "Power of Siberia".into(),
                    weight: 1.0,
                },
                WatchEntry {
                    text: "Gazprom".into(),
                    weight: 0.8,
                },
                WatchEntry {
                    text: "sanctions".into(),
                    weight: 0.5,
                },
            ],
            "watchlist.entries",
        )
        .unwrap()
    }

    #[test]
    fn finds_phrases_names_and_inflections_with_offsets() {
        let d = doc(
            "The Power of Siberia 2 pipeline, Gazprom said. New sanction and sanctions hit GAZPROM.",
        );
        let hits = list().find(&d);
        assert_eq!(hits.len(), 3);
        let pos = hits.iter().find(|h| h.text == "Power of Siberia").unwrap();
        assert_eq!(d.slice(pos.mentions[0]), "Power of Siberia");
        let gaz = hits.iter().find(|h| h.text == "Gazprom").unwrap();
        assert_eq!(gaz.mentions.len(), 2, "case-insensitive");
        let sanctions = hits.iter().find(|h| h.text == "sanctions").unwrap();
        assert_eq!(
            sanctions.mentions.len(),
            1,
            "'sanction' is not 'sanctions'; the plural is"
        );
    }

    #[test]
    fn bad_entries_name_the_key() {
        let err = Watchlist::build(
            &[WatchEntry {
                text: "x".into(),
                weight: 2.0,
            }],
            "watchlist.entries",
        )
        .unwrap_err();
        assert_eq!(err.key, "watchlist.entries[0].weight");
    }
}
