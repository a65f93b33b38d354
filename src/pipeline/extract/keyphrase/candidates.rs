//! Candidate phrases: every n-gram of up to `max_words` unblocked words inside one run.
//!
//! A run is a maximal stretch of unblocked words of one sentence with nothing between
//! them (see `words.rs`), so a candidate never starts or ends with a stopword, never
//! holds one, and never crosses punctuation; nor does it end with a verb-like word.
//! Candidates with the same term sequence (same stems) are one candidate; its
//! reported text is its most frequent written form in the body (the title's form
//! only when the body has none).

use std::collections::HashMap;

use super::super::idhash::IdHashState;
use super::words::{Before, Word, Words};

/// "None" marker for node and form links.
pub(super) const NONE: u32 = u32::MAX;

/// Most distinct written forms tracked per candidate.
const MAX_FORMS: u32 = 8;

/// One candidate: a node of the phrase tree (its last term below the phrase of its
/// other terms), with its counts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    parent: u32,
    /// The last term.
    pub(super) term: u32,
    /// Number of words.
    pub(super) words: u32,
    /// Occurrences.
    pub(super) count: u32,
    /// Index in [`Words::words`] of the first word of the first occurrence.
    pub(super) first_word: u32,
    /// Whether the candidate occurs in the title.
    pub(super) in_title: bool,
    /// Occurrences right after a determiner, and right after a verb marker.
    pub(super) after_determiner: u32,
    pub(super) after_verb_marker: u32,
    first_form: u32,
    forms: u32,
}

/// A distinct written form of a candidate, and how often it is used.
#[derive(Debug, Clone, Copy)]
struct Form {
    in_title: bool,
    start: usize,
    end: usize,
    count: u32,
    next: u32,
}

/// All candidates of an article.
pub(super) struct Candidates<'a> {
    title: &'a str,
    body: &'a str,
    tree: HashMap<u64, u32, IdHashState>,
    /// The candidates, in order of first occurrence.
    pub(super) list: Vec<Candidate>,
    forms: Vec<Form>,
}

/// The tree key of the child `term` of node `parent` (`NONE` for the root).
fn tree_key(parent: u32, term: u32) -> u64 {
    (u64::from(parent.wrapping_add(1)) << 32) | u64::from(term)
}

impl<'a> Candidates<'a> {
    /// Collects the candidates of `words`, whose spans index `title` and `body`.
    pub(super) fn collect(
        words: &Words,
        title: &'a str,
        body: &'a str,
        max_words: usize,
        ids: IdHashState,
    ) -> Self {
        let mut c = Self {
            title,
            body,
            tree: HashMap::with_capacity_and_hasher(words.words.len() * 2, ids),
            list: Vec::with_capacity(words.words.len() * 2),
            forms: Vec::with_capacity(words.words.len() * 2),
        };
        let all = &words.words;
        // The body first; then the title, whose words only add occurrences to phrases
        // the body has (its Title Case would otherwise make phrases of anything).
        for title_pass in [false, true] {
            let mut start = 0;
            while start < all.len() {
                // The run starting at `start`: unblocked words with no break between.
                let Some(first) = all.get(start) else { break };
                if first.blocked || first.in_title != title_pass {
                    start += 1;
                    continue;
                }
                let mut end = start + 1;
                while all.get(end).is_some_and(|w| !w.blocked && !w.run_start) {
                    end += 1;
                }
                c.run(all, start, end, max_words, title_pass);
                start = end;
            }
        }
        c
    }

    /// Records every n-gram of the run `all[start..end]`.
    fn run(
        &mut self,
        all: &[Word],
        start: usize,
        end: usize,
        max_words: usize,
        existing_only: bool,
    ) {
        // Capitalised names in the run: `name[k]` is the (start, end) of the stretch
        // of capitalised words holding word `start + k`. A phrase may not start or end
        // inside a name ("Path" of "Shining Path"), unless the name is too long to be
        // a phrase itself.
        let upper = |k: usize| !existing_only && all.get(k).is_some_and(|w| w.upper);
        let mut name = vec![(0usize, 0usize); end - start];
        let mut k = start;
        while k < end {
            let mut e = k + 1;
            if upper(k) {
                while e < end && upper(e) {
                    e += 1;
                }
            }
            for slot in name.iter_mut().take(e - start).skip(k - start) {
                *slot = (k, e);
            }
            k = e;
        }
        let inside = |k: usize| {
            let (a, b) = name.get(k - start).copied().unwrap_or((k, k + 1));
            b - a > 1 && b - a <= max_words
        };
        for i in start..end {
            let cut_left = inside(i) && name.get(i - start).is_some_and(|n| n.0 < i);
            let mut node = NONE;
            for j in i..end.min(i + max_words) {
                let (Some(a), Some(b)) = (all.get(i), all.get(j)) else {
                    break;
                };
                if existing_only {
                    match self.tree.get(&tree_key(node, b.term)) {
                        Some(&n) => node = n,
                        None => break,
                    }
                    if !b.no_end && self.list.get(node as usize).is_some_and(|c| c.count > 0) {
                        self.occurrence(node, true, a.start, b.end);
                    }
                    continue;
                }
                node = self.child(node, b.term, (j - i + 1) as u32, i as u32);
                if b.no_end {
                    // The phrase may go on past a verb-like word but not end on it.
                    continue;
                }
                let cut_right = inside(j) && name.get(j - start).is_some_and(|n| n.1 > j + 1);
                if !(cut_left || cut_right) {
                    self.occurrence(node, a.in_title, a.start, b.end);
                    if let Some(c) = self.list.get_mut(node as usize) {
                        c.after_determiner += u32::from(a.before == Before::Determiner);
                        c.after_verb_marker += u32::from(a.before == Before::VerbMarker);
                    }
                }
            }
        }
    }

    /// The node `parent` + `term`, created if new (first seen at word `at`).
    fn child(&mut self, parent: u32, term: u32, words: u32, at: u32) -> u32 {
        let key = tree_key(parent, term);
        if let Some(&node) = self.tree.get(&key) {
            return node;
        }
        let node = u32::try_from(self.list.len()).unwrap_or(NONE);
        self.tree.insert(key, node);
        self.list.push(Candidate {
            parent,
            term,
            words,
            count: 0,
            first_word: at,
            in_title: false,
            after_determiner: 0,
            after_verb_marker: 0,
            first_form: NONE,
            forms: 0,
        });
        node
    }

    /// Counts one occurrence of `node` written at `start..end` of the title or body.
    fn occurrence(&mut self, node: u32, in_title: bool, start: usize, end: usize) {
        let Some(cand) = self.list.get_mut(node as usize) else {
            return;
        };
        cand.count += 1;
        cand.in_title |= in_title;
        let (title, body) = (self.title, self.body);
        let source = |t: bool| if t { title } else { body };
        let written = source(in_title).get(start..end);
        let mut cursor = cand.first_form;
        while let Some(form) = self.forms.get_mut(cursor as usize) {
            if form.in_title == in_title
                && source(form.in_title).get(form.start..form.end) == written
            {
                form.count += 1;
                return;
            }
            cursor = form.next;
        }
        if cand.forms >= MAX_FORMS {
            return;
        }
        cand.forms += 1;
        let index = u32::try_from(self.forms.len()).unwrap_or(NONE);
        self.forms.push(Form {
            in_title,
            start,
            end,
            count: 1,
            next: cand.first_form,
        });
        cand.first_form = index;
    }

    /// The most used written form of `cand`: body forms first, then the most frequent,
    /// then the earliest seen.
    pub(super) fn surface(&self, cand: &Candidate) -> &'a str {
        let mut best: Option<&Form> = None;
        let mut cursor = cand.first_form;
        // Forms are linked newest first, so `>=` keeps the earliest on a tie.
        while let Some(form) = self.forms.get(cursor as usize) {
            let better =
                best.is_none_or(|b| (!form.in_title, form.count) >= (!b.in_title, b.count));
            if better {
                best = Some(form);
            }
            cursor = form.next;
        }
        best.and_then(|f| {
            let source = if f.in_title { self.title } else { self.body };
            source.get(f.start..f.end)
        })
        .unwrap_or("")
    }

    /// The node of the term sequence `terms`, if it is a candidate.
    pub(super) fn find(&self, terms: &[u32]) -> Option<u32> {
        let mut node = NONE;
        for t in terms {
            node = *self.tree.get(&tree_key(node, *t))?;
        }
        (node != NONE).then_some(node)
    }

    /// For every candidate: how many longer candidates contain it, and the largest
    /// count among them (0 when none does).
    pub(super) fn superstrings(&self) -> Vec<(u32, u32)> {
        let mut out = vec![(0u32, 0u32); self.list.len()];
        let mut terms = Vec::new();
        for (node, cand) in (0u32..).zip(&self.list) {
            if cand.words < 2 || cand.count == 0 {
                continue;
            }
            self.terms_of(node, &mut terms);
            let n = terms.len();
            for i in 0..n {
                for j in i + 1..=n {
                    if j - i == n {
                        continue;
                    }
                    let Some(sub) = terms.get(i..j).and_then(|t| self.find(t)) else {
                        continue;
                    };
                    if let Some(slot) = out.get_mut(sub as usize) {
                        slot.0 += 1;
                        slot.1 = slot.1.max(cand.count);
                    }
                }
            }
        }
        out
    }

    /// The terms of `node`, first to last, into `out`.
    pub(super) fn terms_of(&self, mut node: u32, out: &mut Vec<u32>) {
        out.clear();
        while let Some(c) = self.list.get(node as usize) {
            out.push(c.term);
            node = c.parent;
        }
        out.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::pipeline::Stage;
    use crate::pipeline::extract::stopwords::Stopwords;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn texts(title: Option<&str>, body: &str, max_words: usize) -> Vec<(String, u32)> {
        let mut doc = Document::new(title.map(str::to_string), body.to_string());
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut doc)
            .expect("runs");
        let words = super::super::words::words(&doc, &Stopwords::builtin(), &Stopwords::default());
        let title = doc.title.as_deref().unwrap_or("");
        let c = Candidates::collect(&words, title, &doc.text, max_words, IdHashState::new());
        let mut out: Vec<(String, u32)> = c
            .list
            .iter()
            .filter(|x| x.count > 0)
            .map(|x| (c.surface(x).to_string(), x.count))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn runs_stop_at_stopwords_and_punctuation() {
        let got = texts(
            None,
            "The oil spill spread, and oil spills hurt wildlife.",
            4,
        );
        let names: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        // "oil spill" and "oil spills" are one candidate (same stems), seen twice.
        assert!(got.contains(&("oil spill".to_string(), 2)), "{got:?}");
        assert!(names.contains(&"oil spill spread"), "{names:?}");
        // No candidate crosses the comma or holds a stopword.
        assert!(
            !names
                .iter()
                .any(|n| n.contains("spread oil") || n.contains("and"))
        );
        assert!(!names.contains(&"The"), "{names:?}");
    }

    #[test]
    fn names_are_not_cut_unless_too_long() {
        let got = texts(
            None,
            "Rebels of the Shining Path attacked. Shining Path denied it.",
            4,
        );
        let names: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert!(names.contains(&"Shining Path"), "{names:?}");
        assert!(
            !names.contains(&"Path") && !names.contains(&"Shining"),
            "{names:?}"
        );
        // A name longer than max_words may be cut: its pieces are candidates.
        let got = texts(None, "They met Alpha Beta Gamma Delta Epsilon today.", 3);
        let names: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert!(names.contains(&"Alpha Beta Gamma"), "{names:?}");
    }

    #[test]
    fn the_title_only_adds_to_body_phrases() {
        let got = texts(Some("Unicorns And Oil Spill"), "An oil spill spread.", 4);
        assert!(got.contains(&("oil spill".to_string(), 2)), "{got:?}");
        assert!(!got.iter().any(|(s, _)| s.contains("Unicorn")), "{got:?}");
        // The body's form is reported, not the title's Title Case.
        assert!(!got.iter().any(|(s, _)| s == "Oil Spill"), "{got:?}");
    }
}
