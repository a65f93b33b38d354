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
    // Co-occurrences as (from, to) pairs, both ways, then merged into compressed rows
    // of (neighbour, count): grouped by `from` with a counting pass, and duplicates
    // within a row folded through `slot`. The order of a row's edges does not change
    // any score: each neighbour gets one addition per row, and rows are visited in
    // term order.
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
    let (start, edges) = merge_rows(&pairs, terms);
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

/// Compressed rows of the co-occurrence graph: `edges[start[t]..start[t + 1]]` holds
/// each neighbour of term `t` once, with how many pairs joined them.
fn merge_rows(pairs: &[(u32, u32)], terms: usize) -> (Vec<usize>, Vec<(u32, f64)>) {
    // Pairs grouped by their first term (a counting sort).
    let mut first = vec![0usize; terms + 1];
    for &(from, _) in pairs {
        if let Some(c) = first.get_mut(from as usize + 1) {
            *c += 1;
        }
    }
    for t in 0..terms {
        first[t + 1] += first[t];
    }
    let mut fill = first.clone();
    let mut grouped = vec![0u32; first[terms]];
    for &(from, to) in pairs {
        if let Some(at) = fill.get_mut(from as usize)
            && let Some(g) = grouped.get_mut(*at)
        {
            *g = to;
            *at += 1;
        }
    }
    // `slot[to]`: where `to` sits in the current row's edges, valid when
    // `row_of[to]` is the current row.
    let mut slot = vec![0usize; terms];
    let mut row_of = vec![u32::MAX; terms];
    let mut start = Vec::with_capacity(terms + 1);
    let mut edges: Vec<(u32, f64)> = Vec::with_capacity(grouped.len());
    start.push(0);
    for t in 0..terms {
        for &to in &grouped[first[t]..first[t + 1]] {
            let k = to as usize;
            if k >= terms {
                continue;
            }
            if row_of[k] == t as u32 {
                edges[slot[k]].1 += 1.0;
            } else {
                row_of[k] = t as u32;
                slot[k] = edges.len();
                edges.push((to, 1.0));
            }
        }
        start.push(edges.len());
    }
    (start, edges)
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
    fn rows_merge_every_pair_once_per_neighbour() {
        // A deterministic scatter of pairs over 7 terms, with repeats.
        let pairs: Vec<(u32, u32)> = (0..200u32)
            .map(|i| ((i * 5 + i / 7) % 7, (i * 3 + 1) % 7))
            .filter(|(a, b)| a != b)
            .collect();
        let (start, edges) = merge_rows(&pairs, 7);
        assert_eq!(start.len(), 8);
        for t in 0..7u32 {
            let row = &edges[start[t as usize]..start[t as usize + 1]];
            let mut want: Vec<(u32, f64)> = Vec::new();
            let mut tos: Vec<u32> = pairs.iter().filter(|p| p.0 == t).map(|p| p.1).collect();
            tos.sort_unstable();
            for to in tos {
                match want.last_mut() {
                    Some(last) if last.0 == to => last.1 += 1.0,
                    _ => want.push((to, 1.0)),
                }
            }
            let mut got = row.to_vec();
            got.sort_by_key(|e| e.0);
            assert_eq!(got, want, "row {t}");
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
