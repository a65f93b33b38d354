//! Noun-phrase candidates and their graph scores.
//!
//! A candidate is a maximal run of adjectives followed by nouns inside one sentence
//! (`JJ* NN+`, the pattern of TextRank, SingleRank and PositionRank): "illegal
//! aliens", "national head count", "U.S. Constitution". Runs longer than `max_words`
//! are dropped rather than cut, since a cut piece is rarely a phrase of its own (on
//! DUC-2001, cutting to the last words, or keeping a trailing name, scored lower).
//! Occurrences with the same term sequence are one candidate, reported in its most
//! frequent written form (body forms before title forms, then the earliest).
//!
//! A candidate scores the sum of its words' graph scores, so a phrase of central
//! words beats each of them alone.

use std::collections::HashMap;

use super::tagged::{Class, TWord};

/// One candidate phrase.
#[derive(Debug, Clone)]
pub(super) struct Phrase {
    /// Its terms, first to last.
    pub(super) terms: Vec<u32>,
    /// Occurrences.
    pub(super) count: u32,
    /// Written forms: (index of the first word, index past the last word, uses).
    forms: Vec<(usize, usize, u32)>,
}

impl Phrase {
    /// The form to report: body before title, then most used, then earliest.
    pub(super) fn form(&self, words: &[TWord]) -> (usize, usize) {
        let in_title = |f: &(usize, usize, u32)| words.get(f.0).is_some_and(|w| w.in_title);
        self.forms
            .iter()
            .min_by(|a, b| {
                (in_title(a), std::cmp::Reverse(a.2), a.0).cmp(&(
                    in_title(b),
                    std::cmp::Reverse(b.2),
                    b.0,
                ))
            })
            .map_or((0, 0), |f| (f.0, f.1))
    }
}

/// Collects the `JJ* NN+` candidates of `words` (up to `max_words` words), in order
/// of first occurrence. `same` tells whether two word ranges are written alike.
pub(super) fn candidates(
    words: &[TWord],
    max_words: usize,
    same: impl Fn((usize, usize), (usize, usize)) -> bool,
) -> Vec<Phrase> {
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut out: Vec<Phrase> = Vec::new();
    let mut terms: Vec<u32> = Vec::with_capacity(max_words);
    let mut emit = |start: usize, end: usize| {
        if end <= start || end - start > max_words {
            return;
        }
        terms.clear();
        terms.extend(words[start..end].iter().map(|w| w.term));
        let slot = match index.get(terms.as_slice()) {
            Some(&slot) => slot,
            None => {
                out.push(Phrase {
                    terms: terms.clone(),
                    count: 0,
                    forms: Vec::new(),
                });
                index.insert(terms.clone(), out.len() - 1);
                out.len() - 1
            }
        };
        let Some(p) = out.get_mut(slot) else { return };
        p.count += 1;
        if let Some(f) = p.forms.iter_mut().find(|f| same((f.0, f.1), (start, end))) {
            f.2 += 1;
        } else if p.forms.len() < 8 {
            p.forms.push((start, end, 1));
        }
    };
    // The open run: its first word, and where its nouns start (None: no noun yet).
    let mut start = 0usize;
    let mut nouns: Option<usize> = None;
    for (i, w) in words.iter().enumerate() {
        let new_sentence = i > 0 && words.get(i - 1).is_some_and(|p| p.sentence != w.sentence);
        if new_sentence {
            if nouns.is_some() {
                emit(start, i);
            }
            start = i;
            nouns = None;
        }
        match w.class {
            Class::Noun => {
                nouns.get_or_insert(i);
            }
            Class::Adj => {
                if nouns.is_some() {
                    // An adjective after a noun opens the next phrase.
                    emit(start, i);
                    start = i;
                    nouns = None;
                }
            }
            Class::Other => {
                if nouns.is_some() {
                    emit(start, i);
                }
                start = i + 1;
                nouns = None;
            }
        }
    }
    if nouns.is_some() {
        emit(start, words.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn w(term: u32, class: Class, sentence: u32) -> TWord {
        TWord {
            span: Span::new(0, 0),
            in_title: false,
            term,
            class,
            sentence,
        }
    }

    #[test]
    fn adjectives_then_nouns_make_one_phrase() {
        use Class::{Adj, Noun, Other};
        // "the(9) illegal(1) aliens(2) count(3) , big(4) ; new(5) old(6) house(7)"
        // then a new sentence "aliens(2)".
        let words = [
            w(9, Other, 0),
            w(1, Adj, 0),
            w(2, Noun, 0),
            w(3, Noun, 0),
            w(8, Other, 0),
            w(4, Adj, 0),
            w(8, Other, 0),
            w(5, Adj, 0),
            w(6, Adj, 0),
            w(7, Noun, 0),
            w(2, Noun, 1),
        ];
        let got: Vec<Vec<u32>> = candidates(&words, 4, |_, _| true)
            .into_iter()
            .map(|p| p.terms)
            .collect();
        assert_eq!(got, vec![vec![1, 2, 3], vec![5, 6, 7], vec![2]]);
        // Too long: dropped, not cut.
        let got = candidates(&words, 2, |_, _| true);
        assert_eq!(got.len(), 1);
        // A noun then an adjective: two phrases, the adjective opening the second.
        let words = [w(1, Noun, 0), w(2, Adj, 0), w(3, Noun, 0), w(1, Noun, 0)];
        let got: Vec<Vec<u32>> = candidates(&words, 4, |_, _| true)
            .into_iter()
            .map(|p| p.terms)
            .collect();
        assert_eq!(got, vec![vec![1], vec![2, 3, 1]]);
    }
}
