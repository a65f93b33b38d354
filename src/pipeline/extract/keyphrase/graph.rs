//! PositionRank (Florescu & Caragea 2017): a PageRank over the co-occurrence graph
//! of an article's nouns and adjectives, biased towards words met early and often.
//!
//! - Nodes are terms (stems) of graph words ([`Class::Noun`] or [`Class::Adj`]).
//! - Two graph words at most `window - 1` tokens apart in reading order (every token
//!   counts for the distance, sentence ends included, as in the paper) add 1 to the
//!   weight of the edge between their terms.
//! - The bias of a term is the sum of `1 / position` over its occurrences (positions
//!   1-based over all tokens), normalised to sum to one: a word in the lead weighs
//!   more than one in the last paragraph, and each repetition adds a little.
//! - `S = (1 − d) · bias + d · M · S`, where `M` spreads each node's score over its
//!   edges in proportion to their weights; a node without edges gives its score back
//!   through the bias (as NetworkX does for dangling nodes with a personalisation).
//!   Power iteration until the scores move by less than `1e-6` per node in total (as
//!   NetworkX's `pagerank` stops, which the paper's ranking used), or 100 rounds.

use super::tagged::{Class, TWord};

/// Settings of the ranker. The defaults were chosen on the even-indexed half of
/// DUC-2001 among windows 2, 4, 6, 10, 14, 20 and damping 0.75, 0.85, 0.95 (window 14:
/// F1@10 0.313 there, 0.285 on the odd half; the paper's window 10 gave 0.304 and
/// 0.283); 500N-KPCrowd moved by less than 0.01 across them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GraphConfig {
    /// Co-occurrence window in tokens (2 joins direct neighbours only).
    pub(crate) window: usize,
    /// PageRank damping `d`.
    pub(crate) damping: f64,
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            window: 14,
            damping: 0.85,
        }
    }
}

/// Convergence: power iteration stops once the scores move by less than this per
/// node, summed over the nodes. Rankings settle long before: stopping at `1e-9` in
/// total took about twice the rounds for the same keyphrases.
const TOLERANCE: f64 = 1e-6;

/// The PositionRank score of every term (0 for terms that are never graph words).
pub(super) fn rank(words: &[TWord], terms: usize, cfg: GraphConfig) -> Vec<f64> {
    let is_node = |w: &TWord| w.class != Class::Other;
    // Edges as (from, to, weight), gathered then merged: an article has a few
    // thousand tokens, so sorting beats a hash map here.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(words.len() * cfg.window);
    let mut bias = vec![0f64; terms];
    for (i, a) in words.iter().enumerate() {
        if !is_node(a) {
            continue;
        }
        if let Some(b) = bias.get_mut(a.term as usize) {
            *b += 1.0 / (i + 1) as f64;
        }
        for b in words.iter().skip(i + 1).take(cfg.window.saturating_sub(1)) {
            if is_node(b) && b.term != a.term {
                pairs.push((a.term, b.term));
                pairs.push((b.term, a.term));
            }
        }
    }
    let total: f64 = bias.iter().sum();
    if total <= 0.0 {
        return bias;
    }
    bias.iter_mut().for_each(|b| *b /= total);
    pairs.sort_unstable();
    // Compressed rows: start[t]..start[t + 1] index (neighbour, weight) of term t.
    let mut start = vec![0usize; terms + 1];
    let mut edges: Vec<(u32, f64)> = Vec::with_capacity(pairs.len());
    let mut k = 0;
    while k < pairs.len() {
        let (from, to) = pairs[k];
        let mut n = 1;
        while pairs.get(k + n) == Some(&(from, to)) {
            n += 1;
        }
        edges.push((to, n as f64));
        if let Some(s) = start.get_mut(from as usize + 1) {
            *s += 1;
        }
        k += n;
    }
    for t in 0..terms {
        start[t + 1] += start[t];
    }
    let out_weight: Vec<f64> = (0..terms)
        .map(|t| edges[start[t]..start[t + 1]].iter().map(|e| e.1).sum())
        .collect();
    let mut score = bias.clone();
    let mut next = vec![0f64; terms];
    for _ in 0..100 {
        let mut dangling = 0.0;
        next.iter_mut().for_each(|x| *x = 0.0);
        for t in 0..terms {
            if out_weight[t] <= 0.0 {
                dangling += score[t];
                continue;
            }
            let share = score[t] / out_weight[t];
            for &(to, w) in &edges[start[t]..start[t + 1]] {
                next[to as usize] += share * w;
            }
        }
        let mut moved = 0.0;
        for t in 0..terms {
            let v = (1.0 - cfg.damping) * bias[t] + cfg.damping * (next[t] + dangling * bias[t]);
            moved += (v - score[t]).abs();
            score[t] = v;
        }
        if moved < terms as f64 * TOLERANCE {
            break;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn word(term: u32, class: Class) -> TWord {
        TWord {
            span: Span::new(0, 0),
            in_title: false,
            term,
            class,
            sentence: 0,
        }
    }

    #[test]
    fn central_early_words_win_and_scores_sum_to_one() {
        use Class::{Noun, Other};
        // 0 links to 1, 2 and 3; 4 is a stopword-like token and never a node.
        let words = [
            word(1, Noun),
            word(0, Noun),
            word(2, Noun),
            word(4, Other),
            word(0, Noun),
            word(3, Noun),
        ];
        let cfg = GraphConfig {
            window: 2,
            damping: 0.85,
        };
        let s = rank(&words, 5, cfg);
        assert_eq!(s[4], 0.0);
        assert!(s[0] > s[1] && s[0] > s[2] && s[0] > s[3], "{s:?}");
        assert!(s[1] > s[3], "earlier beats later: {s:?}");
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{s:?}");
        assert!(rank(&[], 0, cfg).is_empty());
    }
}
