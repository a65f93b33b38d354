//! The feature vector of a candidate phrase: what the re-ranker (`model.rs`) weighs.
//!
//! Every feature is cheap and local to the article; none names a word. They fall in
//! groups:
//!
//! - YAKE: the phrase score `∏S(t) / (TF · (1 + ΣS(t)))` (log), and the mean, least
//!   and greatest term score `S(t)` (see `features.rs`);
//! - length: one indicator per phrase length, and the same crossed with the
//!   article's length (log words − 6), since long articles repeat multi-word
//!   phrases often enough to trust them while short ones do not;
//! - frequency: the phrase count (log), "multi-word and seen once", the least,
//!   greatest and mean term frequency (log);
//! - position: first sentence (1/(1+s) and log(1+s); the title is sentence 0),
//!   first word over article length, the phrase occurring in the title, the
//!   earliest median sentence of its terms, the widest spread of a term over
//!   sentences;
//! - casing: share of capitalised mid-sentence uses of its terms (greatest and
//!   least), all words capitalised, mixed capitalised and lower-case words (a word
//!   counts as capitalised when written so mid-sentence at least once);
//! - word shape: suffix classes of the last word and, for longer phrases, the first
//!   (noun-like "-ion/-ment/-ity…", agent "-er/-or/-ist", adjective-like
//!   "-al/-ive/-ous…", plural "-s", "-ing", "-ed", "-ly"), lower-case "-ing" first
//!   or last word, a digit;
//! - relative weight: the phrase count over the largest count of a phrase of its
//!   length, its most frequent term's frequency over the article's largest, the
//!   frequency of its last (head) word (log);
//! - a capitalised first word before a lower-case last word ("Trump likes", but
//!   also "Ebola patients");
//! - crosses for single words: casing, lead position and frequency, since a lone
//!   word must be a name, an early word or a frequent one to be a keyphrase;
//! - the YAKE score standardised over the article's candidates;
//! - context: the share of its occurrences right after a determiner ("the", "his":
//!   a noun phrase) and right after a pronoun, modal, "to" or "be"/"have" (a verb
//!   or adjective), a part-of-speech hint without a tagger;
//! - generic words (`config/lexicons/generic-en.txt`: "country", "officials",
//!   "week"…): their share of the phrase's words, and whether the last is one;
//! - nesting: how many longer candidates contain it (log), the largest count of
//!   those over its own, and whether one is as frequent as it (then it only ever
//!   appears inside that phrase).

use super::candidates::Candidate;
use super::features::TermFeatures;
use super::words::Words;

/// Names of the features, in vector order; the weights file lists the same names.
pub(crate) const NAMES: [&str; 58] = [
    "yake_ln",
    "len1",
    "len2",
    "len3",
    "len4plus",
    "count_ln",
    "once_multi",
    "first_sentence_inv",
    "first_sentence_ln",
    "first_word_rel",
    "in_title",
    "tf_min_ln",
    "tf_max_ln",
    "tf_mean_ln",
    "capital_max",
    "capital_min",
    "all_upper",
    "mixed_case",
    "ing_first",
    "ing_last",
    "term_score_mean_ln",
    "term_score_min",
    "term_score_max",
    "spread_max",
    "median_min_rel",
    "has_digit",
    "doclen_x_len1",
    "doclen_x_len2",
    "doclen_x_len3plus",
    "last_noun_suffix",
    "last_agent_suffix",
    "last_adj_suffix",
    "last_plural",
    "last_ing",
    "last_ed",
    "last_ly",
    "first_noun_suffix",
    "first_agent_suffix",
    "first_adj_suffix",
    "first_plural",
    "first_ing",
    "first_ed",
    "first_ly",
    "superstrings_ln",
    "superstring_count_ratio",
    "subsumed",
    "head_tf_ln",
    "count_rel",
    "tf_rel",
    "name_then_lower",
    "len1_x_capital",
    "len1_x_first_sentence_inv",
    "len1_x_tf_ln",
    "yake_z",
    "after_determiner",
    "after_verb_marker",
    "generic_share",
    "generic_last",
];

/// Number of features.
pub(crate) const N: usize = NAMES.len();

/// What the features of one candidate are computed from.
pub(super) struct Input<'a> {
    /// The article's words.
    pub(super) words: &'a Words,
    /// Term features, by term id.
    pub(super) feats: &'a [TermFeatures],
    /// The candidate.
    pub(super) cand: &'a Candidate,
    /// Its terms.
    pub(super) terms: &'a [u32],
    /// Its reported text.
    pub(super) surface: &'a str,
    /// Longer candidates containing it, and their largest count.
    pub(super) superstrings: (u32, u32),
    /// The largest count among candidates of the same length.
    pub(super) max_count: u32,
    /// The largest term frequency of the article.
    pub(super) max_tf: u32,
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Whether `word` ends with `suffix` (lower-case ASCII), ignoring ASCII case.
fn ends(word: &str, suffix: &str) -> bool {
    let (w, s) = (word.as_bytes(), suffix.as_bytes());
    w.len() >= s.len() && w[w.len() - s.len()..].eq_ignore_ascii_case(s)
}

/// Suffix classes of a word (7 values, see the module docs).
fn suffixes(word: &str, out: &mut [f64]) {
    let any = |list: &[&str]| list.iter().any(|s| ends(word, s));
    let values = [
        any(&["ion", "ment", "ity", "ness", "ance", "ence", "ship", "ism"]),
        any(&["er", "or", "ist", "ian"]),
        any(&[
            "al", "ive", "ous", "ic", "able", "ible", "ful", "less", "ary", "ant", "ent",
        ]),
        ends(word, "s") && !ends(word, "ss"),
        ends(word, "ing"),
        ends(word, "ed"),
        ends(word, "ly"),
    ];
    for (slot, v) in out.iter_mut().zip(values) {
        *slot = flag(v);
    }
}

/// Whether a word is a lower-case "-ing" form of more than five letters.
fn lower_ing(word: &str) -> bool {
    word.len() > 5 && word.ends_with("ing") && word.bytes().all(|b| b.is_ascii_lowercase())
}

/// Features standardised over the article's candidates: (source, target) indices.
/// Only `yake_ln` becomes `yake_z`: standardising the frequency and term-score
/// features as well lowered F1 on both evaluation sets.
const STANDARDISED: [(usize, usize); 1] = [(0, 53)];

/// Fills the `*_z` features of every vector: the source feature minus the article's
/// mean, over the article's standard deviation, so the re-ranker sees how a phrase
/// compares with the other phrases of its own article.
pub(super) fn standardise(vectors: &mut [[f64; N]]) {
    let n = vectors.len().max(1) as f64;
    for (from, to) in STANDARDISED {
        let mean = vectors.iter().map(|x| x[from]).sum::<f64>() / n;
        let var = vectors
            .iter()
            .map(|x| (x[from] - mean).powi(2))
            .sum::<f64>()
            / n;
        let sd = if var > 1e-12 { var.sqrt() } else { 1.0 };
        for x in vectors.iter_mut() {
            x[to] = (x[from] - mean) / sd;
        }
    }
}

/// The feature vector of one candidate, in [`NAMES`] order.
pub(super) fn vector(input: &Input<'_>) -> [f64; N] {
    let mut x = [0.0; N];
    let Input {
        words,
        feats,
        cand,
        terms,
        surface,
        superstrings,
        max_count,
        max_tf,
    } = *input;
    let n = cand.words;
    let count = f64::from(cand.count.max(1));
    let total_words = words.words.len().max(1) as f64;
    let sentences = f64::from(words.sentences.max(1));
    let term = |t: &u32| feats.get(*t as usize).copied().unwrap_or_default();

    let mut prod = 1.0;
    let mut sum = 0.0;
    let (mut tf_min, mut tf_max, mut tf_log_sum) = (f64::INFINITY, 0.0f64, 0.0);
    let (mut s_min, mut s_max, mut s_log_sum) = (f64::INFINITY, 0.0f64, 0.0);
    let (mut cap_min, mut cap_max) = (f64::INFINITY, 0.0f64);
    let (mut spread, mut median) = (0.0f64, f64::INFINITY);
    for t in terms {
        let f = term(t);
        let tf = f64::from(f.tf.max(1));
        let s = f.score.max(1e-9);
        prod *= s;
        sum += s;
        tf_min = tf_min.min(tf);
        tf_max = tf_max.max(tf);
        tf_log_sum += tf.ln();
        s_min = s_min.min(s);
        s_max = s_max.max(s);
        s_log_sum += s.ln();
        let cap = f64::from(f.capital.max(f.acronym)) / tf;
        cap_min = cap_min.min(cap);
        cap_max = cap_max.max(cap);
        spread = spread.max(f64::from(f.sentences) / sentences);
        median = median.min(f64::from(f.median_sentence) / sentences);
    }
    let k = terms.len().max(1) as f64;
    let first = words.words.get(cand.first_word as usize);
    let first_sentence = f64::from(first.map_or(0, |w| w.sentence));
    let doclen = total_words.ln() - 6.0;
    let mut surface_words = surface.split_whitespace();
    let first_word = surface_words.next();
    let last_word = surface_words.next_back().or(first_word);
    // A word counts as capitalised when its term is written so mid-sentence at least
    // once: a sentence-initial "Critics" is not a name.
    let upper = terms
        .iter()
        .filter(|t| {
            let f = term(t);
            f.capital.max(f.acronym) > 0
        })
        .count();

    x[0] = (prod / (count * (1.0 + sum)) + 1e-9).ln();
    x[1] = flag(n == 1);
    x[2] = flag(n == 2);
    x[3] = flag(n == 3);
    x[4] = flag(n >= 4);
    x[5] = count.ln();
    x[6] = flag(n > 1 && cand.count == 1);
    x[7] = 1.0 / (1.0 + first_sentence);
    x[8] = (1.0 + first_sentence).ln();
    x[9] = f64::from(cand.first_word) / total_words;
    x[10] = flag(cand.in_title);
    x[11] = tf_min.ln();
    x[12] = tf_max.ln();
    x[13] = tf_log_sum / k;
    x[14] = cap_max;
    x[15] = cap_min;
    x[16] = flag(upper == terms.len());
    x[17] = flag(upper > 0 && upper < terms.len());
    x[18] = flag(n > 1 && first_word.is_some_and(lower_ing));
    x[19] = flag(n > 1 && last_word.is_some_and(lower_ing));
    x[20] = s_log_sum / k;
    x[21] = s_min;
    x[22] = s_max;
    x[23] = spread;
    x[24] = median;
    x[25] = flag(surface.chars().any(|c| c.is_ascii_digit()));
    x[26] = doclen * x[1];
    x[27] = doclen * x[2];
    x[28] = doclen * flag(n >= 3);
    if let Some(last) = last_word {
        suffixes(last, &mut x[29..36]);
    }
    if n > 1
        && let Some(first) = first_word
    {
        suffixes(first, &mut x[36..43]);
    }
    let (sup_n, sup_max) = superstrings;
    x[43] = f64::from(sup_n).ln_1p();
    x[44] = f64::from(sup_max) / count;
    x[45] = flag(sup_max >= cand.count && sup_max > 0);
    let capitalised = |t: Option<&u32>| {
        t.is_some_and(|t| {
            let f = term(t);
            f.capital.max(f.acronym) > 0
        })
    };
    x[46] = terms
        .last()
        .map_or(0.0, |t| f64::from(term(t).tf.max(1)).ln());
    x[47] = count / f64::from(max_count.max(1));
    x[48] = tf_max / f64::from(max_tf.max(1));
    x[49] = flag(n > 1 && capitalised(terms.first()) && !capitalised(terms.last()));
    x[50] = x[1] * cap_max;
    x[51] = x[1] * x[7];
    x[52] = x[1] * x[12];
    // x[53], the YAKE score standardised over the article, is set by `standardise`.
    x[54] = f64::from(cand.after_determiner) / count;
    x[55] = f64::from(cand.after_verb_marker) / count;
    let generic = |t: &u32| words.terms.get(*t as usize).is_some_and(|t| t.generic);
    x[56] = terms.iter().filter(|t| generic(t)).count() as f64 / k;
    x[57] = flag(terms.last().is_some_and(generic));
    for v in &mut x {
        if !v.is_finite() {
            *v = 0.0;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::super::candidates::Candidates;
    use super::super::features::features;
    use super::super::select::vectors;
    use super::super::words::words;
    use super::*;
    use crate::document::Document;
    use crate::pipeline::Stage;
    use crate::pipeline::extract::idhash::IdHashState;
    use crate::pipeline::extract::stopwords::Stopwords;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn index(name: &str) -> usize {
        NAMES
            .iter()
            .position(|n| *n == name)
            .expect("known feature")
    }

    #[test]
    fn features_of_hand_made_phrases() {
        let mut doc = Document::new(
            Some("Oil spill".into()),
            "The oil spill spread fast. Workers fought the oil spills. \
             The spread of the slick worried NASA officials."
                .into(),
        );
        Tokenize::build(&TokenizeConfig::default())
            .expect("builds")
            .apply(&mut doc)
            .expect("runs");
        let w = words(&doc, &Stopwords::builtin(), &Stopwords::default());
        let f = features(&w);
        let title = doc.title.as_deref().unwrap_or("");
        let c = Candidates::collect(&w, title, &doc.text, 4, IdHashState::new());
        let all = vectors(&w, &f, &c);
        let get = |s: &str| {
            all.iter()
                .find(|(t, _)| *t == s)
                .map(|(_, x)| *x)
                .unwrap_or_else(|| panic!("{s} missing"))
        };
        let spill = get("oil spill");
        assert_eq!(spill[index("len2")], 1.0);
        assert_eq!(spill[index("in_title")], 1.0);
        // Two body occurrences and the title: count 3.
        assert!((spill[index("count_ln")] - 3f64.ln()).abs() < 1e-12);
        // First body sentence is sentence 1: 1/(1+1).
        assert!((spill[index("first_sentence_inv")] - 0.5).abs() < 1e-12);
        // Both body occurrences follow "the"; the title's follows nothing.
        assert!((spill[index("after_determiner")] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(spill[index("last_plural")], 0.0);
        let nasa = get("NASA officials");
        assert_eq!(nasa[index("name_then_lower")], 1.0);
        assert_eq!(nasa[index("last_plural")], 1.0);
        assert_eq!(nasa[index("once_multi")], 1.0);
        // "spill" only ever occurs inside "oil spill": subsumed.
        let lone = get("spill");
        assert_eq!(lone[index("subsumed")], 1.0);
        // yake_z is standardised over the article: mean 0.
        let mean = all.iter().map(|(_, x)| x[index("yake_z")]).sum::<f64>() / all.len() as f64;
        assert!(mean.abs() < 1e-9, "{mean}");
    }
}
