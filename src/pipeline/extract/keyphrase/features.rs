//! Per-term statistics and the YAKE term score (Campos et al. 2020).
//!
//! For a term `t` seen `tf` times (title included):
//!
//! - casing `TCase = max(TF_capital, TF_acronym) / (1 + ln tf)`: names and
//!   initialisms are written in capitals mid-sentence;
//! - position `TPos = ln(ln(3 + median sentence))`: terms of the lead score better;
//! - frequency `TFNorm = tf / (mean + sd)` of the tf of unblocked terms;
//! - relatedness to context `TRel = 1 + (DL + DR) · tf / max tf`, where `DL` is the
//!   number of distinct words directly left of `t` over the number of its left
//!   neighbours (and `DR` on the right): a word met beside many different words, as
//!   function words are, is less specific;
//! - dispersion `TSent` = sentences holding `t` over all sentences.
//!
//! `S(t) = TRel · TPos / (TCase + TFNorm / TRel + TSent / TRel)`; lower is better.

use std::collections::HashSet;

use super::words::Words;

/// The statistics of one term and its YAKE score.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TermFeatures {
    /// Occurrences.
    pub(super) tf: u32,
    /// Occurrences written with a capital mid-sentence.
    pub(super) capital: u32,
    /// Occurrences written in capitals.
    pub(super) acronym: u32,
    /// Distinct sentences holding the term.
    pub(super) sentences: u32,
    /// Left neighbours, and how many distinct ones.
    left: u32,
    left_distinct: u32,
    /// Right neighbours, and how many distinct ones.
    right: u32,
    right_distinct: u32,
    /// Median sentence index.
    pub(super) median_sentence: u32,
    /// YAKE's term score `S(t)`; lower is better.
    pub(super) score: f64,
}

/// Computes the features of every term of `words`.
pub(super) fn features(words: &Words) -> Vec<TermFeatures> {
    let mut feats = vec![TermFeatures::default(); words.terms.len()];
    let mut positions: Vec<(u32, u32)> = Vec::with_capacity(words.words.len());
    let mut pairs: HashSet<(u32, u32)> = HashSet::with_capacity(words.words.len() * 2);
    let mut prev: Option<(u32, u32)> = None; // (term, sentence) of the previous word
    for w in &words.words {
        positions.push((w.term, w.sentence));
        if let Some(f) = feats.get_mut(w.term as usize) {
            f.tf += 1;
            f.capital += u32::from(w.capital);
            f.acronym += u32::from(w.acronym);
        }
        if let Some((p, sentence)) = prev
            && sentence == w.sentence
        {
            // p is left of w; w is right of p. Pairs are (term, neighbour), right
            // neighbours marked by the high bit.
            if let Some(f) = feats.get_mut(w.term as usize) {
                f.left += 1;
                if pairs.insert((w.term, p)) {
                    f.left_distinct += 1;
                }
            }
            if let Some(f) = feats.get_mut(p as usize) {
                f.right += 1;
                if pairs.insert((p, w.term | 1 << 31)) {
                    f.right_distinct += 1;
                }
            }
        }
        prev = Some((w.term, w.sentence));
    }

    // Distinct sentences and the median sentence, from the sorted positions.
    positions.sort_unstable();
    let mut i = 0;
    while i < positions.len() {
        let term = positions[i].0;
        let j = positions[i..]
            .iter()
            .position(|p| p.0 != term)
            .map_or(positions.len(), |n| i + n);
        let group = &positions[i..j];
        if let Some(f) = feats.get_mut(term as usize) {
            f.median_sentence = group.get(group.len() / 2).map_or(0, |p| p.1);
            f.sentences = 1 + group.windows(2).filter(|w| w[0].1 != w[1].1).count() as u32;
        }
        i = j;
    }

    let valid: Vec<f64> = words
        .terms
        .iter()
        .zip(&feats)
        .filter(|(t, _)| !t.blocked)
        .map(|(_, f)| f64::from(f.tf))
        .collect();
    let n = valid.len().max(1) as f64;
    let mean = valid.iter().sum::<f64>() / n;
    let sd = (valid.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let max_tf = feats.iter().map(|f| f.tf).max().unwrap_or(1).max(1);
    let sentences = f64::from(words.sentences.max(1));
    for f in &mut feats {
        let tf = f64::from(f.tf.max(1));
        let case = f64::from(f.capital.max(f.acronym)) / (1.0 + tf.ln());
        let pos = (3.0 + f64::from(f.median_sentence)).ln().ln();
        let norm = tf / (mean + sd).max(1e-9);
        let ratio = |d: u32, all: u32| {
            if all == 0 {
                0.0
            } else {
                f64::from(d) / f64::from(all)
            }
        };
        let rel = 1.0
            + (ratio(f.left_distinct, f.left) + ratio(f.right_distinct, f.right)) * tf
                / f64::from(max_tf);
        let sent = f64::from(f.sentences) / sentences;
        f.score = rel * pos / (case + norm / rel + sent / rel);
    }
    feats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::pipeline::Stage;
    use crate::pipeline::extract::stopwords::Stopwords;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn words_of(text: &str) -> (Words, Document) {
        let mut doc = Document::new(None, text.to_string());
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut doc)
            .expect("runs");
        (
            super::super::words::words(&doc, &Stopwords::builtin(), &Stopwords::default()),
            doc,
        )
    }

    fn term_of(words: &Words, doc: &Document, word: &str) -> u32 {
        words
            .words
            .iter()
            .find(|w| doc.text.get(w.start..w.end) == Some(word))
            .map(|w| w.term)
            .expect("word present")
    }

    #[test]
    fn counts_casing_position_and_spread() {
        let text = "The storm hit Texas. Texas officials said the storm weakened. \
                    Storm damage was light. Later the NASA team left.";
        let (words, doc) = words_of(text);
        let feats = features(&words);
        let f = |w: &str| feats[term_of(&words, &doc, w) as usize];
        // "storm" three times in three sentences, once capitalised at a sentence
        // start (not counted as casing).
        let storm = f("storm");
        assert_eq!((storm.tf, storm.capital, storm.sentences), (3, 0, 3));
        // Body sentences count from 1 (0 is the title's).
        assert_eq!(storm.median_sentence, 2);
        // "Texas" is capitalised mid-sentence once; "NASA" is an acronym.
        let texas = f("Texas");
        assert_eq!((texas.tf, texas.capital, texas.sentences), (2, 1, 2));
        assert_eq!(f("NASA").acronym, 1);
        // An early, frequent, dispersed term beats a late one-off (lower is better).
        assert!(storm.score < f("team").score, "{storm:?}");
    }

    #[test]
    fn relatedness_penalises_words_seen_beside_many_others() {
        // "company" always meets the same neighbours; "new" meets a different one
        // each time, as function-like words do.
        let text = "Big company plans. Big company plans. new cars. new roads. new taxes.";
        let (words, doc) = words_of(text);
        let feats = features(&words);
        let f = |w: &str| feats[term_of(&words, &doc, w) as usize];
        assert_eq!(f("company").left, 2);
        assert_eq!(f("company").left_distinct, 1);
        assert_eq!(f("new").right_distinct, 3);
    }
}
