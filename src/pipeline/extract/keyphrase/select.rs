//! Scoring candidates with the re-ranker and choosing the keyphrases.
//!
//! Candidates are already unique by stem sequence ("oil spill" = "oil spills"). The
//! best-scored are taken in order; one whose lower-cased text is too similar to a
//! phrase already taken (Levenshtein similarity, as in YAKE, at or above
//! `dedup_similarity`) is skipped, so "U.S." and "US" or "Xinhua" and "Xinhuanet"
//! are not both listed.

use super::candidates::Candidates;
use super::features::TermFeatures;
use super::model::Ranker;
use super::signals::{self, Input, N};
use super::words::Words;
use crate::document::Keyword;

/// A scored candidate.
#[derive(Debug, Clone, Copy)]
struct Scored<'a> {
    logit: f64,
    surface: &'a str,
}

/// Best first; ties by text, so the output is deterministic.
fn order(a: &Scored<'_>, b: &Scored<'_>) -> std::cmp::Ordering {
    b.logit
        .total_cmp(&a.logit)
        .then_with(|| a.surface.cmp(b.surface))
}

/// Every candidate seen in the body with its feature vector.
pub(super) fn vectors<'a>(
    words: &Words,
    feats: &[TermFeatures],
    cands: &Candidates<'a>,
) -> Vec<(&'a str, [f64; N])> {
    let superstrings = cands.superstrings();
    let mut max_count = [0u32; 4];
    for cand in &cands.list {
        let slot = (cand.words as usize).clamp(1, 4) - 1;
        if let Some(m) = max_count.get_mut(slot) {
            *m = (*m).max(cand.count);
        }
    }
    let max_tf = feats.iter().map(|f| f.tf).max().unwrap_or(1);
    let mut terms = Vec::new();
    let mut out = Vec::with_capacity(cands.list.len());
    for (node, cand) in (0u32..).zip(&cands.list) {
        if cand.count == 0 {
            continue;
        }
        cands.terms_of(node, &mut terms);
        let surface = cands.surface(cand);
        if surface.is_empty() {
            continue;
        }
        let x = signals::vector(&Input {
            words,
            feats,
            cand,
            terms: &terms,
            surface,
            superstrings: superstrings.get(node as usize).copied().unwrap_or((0, 0)),
            max_count: max_count
                .get((cand.words as usize).clamp(1, 4) - 1)
                .copied()
                .unwrap_or(1),
            max_tf,
        });
        out.push((surface, x));
    }
    let mut xs: Vec<[f64; N]> = out.iter().map(|(_, x)| *x).collect();
    signals::standardise(&mut xs);
    for ((_, x), y) in out.iter_mut().zip(xs) {
        *x = y;
    }
    out
}

/// Scores the candidates and returns the best `limit`, best first. A keyword's score
/// is its probability under the re-ranker over the best one's, so the best is 1.
pub(super) fn select(
    words: &Words,
    feats: &[TermFeatures],
    cands: &Candidates<'_>,
    ranker: &Ranker,
    limit: usize,
    dedup_similarity: f64,
) -> Vec<Keyword> {
    let mut scored: Vec<Scored<'_>> = vectors(words, feats, cands)
        .into_iter()
        .map(|(surface, x)| Scored {
            logit: ranker.logit(&x),
            surface,
        })
        .filter(|s| s.logit.is_finite())
        .collect();
    let chosen = take_best(&mut scored, limit, dedup_similarity);
    let probability = |z: f64| 1.0 / (1.0 + (-z).exp());
    let best = chosen
        .first()
        .map_or(1.0, |c| probability(c.logit))
        .max(f64::MIN_POSITIVE);
    chosen
        .into_iter()
        .map(|c| Keyword {
            text: c.surface.split_whitespace().collect::<Vec<_>>().join(" "),
            score: (probability(c.logit) / best).clamp(0.0, 1.0),
        })
        .collect()
}

/// The texts chosen from `scored` (text, logit) as [`select`] would choose them.
pub(crate) fn choose<'a>(scored: &[(&'a str, f64)], limit: usize, dedup: f64) -> Vec<&'a str> {
    let mut list: Vec<Scored<'a>> = scored
        .iter()
        .map(|(surface, logit)| Scored {
            logit: *logit,
            surface,
        })
        .collect();
    take_best(&mut list, limit, dedup)
        .into_iter()
        .map(|c| c.surface)
        .collect()
}

/// The best `limit` of `scored` in [`order`], skipping near-duplicates of those
/// already taken. Only a generous head is sorted; the tail is sorted only if skips
/// use the head up.
fn take_best<'a>(scored: &mut [Scored<'a>], limit: usize, dedup: f64) -> Vec<Scored<'a>> {
    let head = scored.len().min(limit.saturating_mul(4).max(32));
    if head < scored.len() {
        scored.select_nth_unstable_by(head, order);
    }
    let (top, tail) = scored.split_at_mut(head);
    top.sort_unstable_by(order);
    let mut chosen: Vec<(Scored<'a>, Vec<char>)> = Vec::with_capacity(limit);
    take(top, &mut chosen, limit, dedup);
    if chosen.len() < limit && !tail.is_empty() {
        tail.sort_unstable_by(order);
        take(tail, &mut chosen, limit, dedup);
    }
    chosen.into_iter().map(|(c, _)| c).collect()
}

/// Appends candidates of `list` (sorted) to `chosen` up to `limit`, skipping
/// near-duplicates of those already there.
fn take<'a>(
    list: &[Scored<'a>],
    chosen: &mut Vec<(Scored<'a>, Vec<char>)>,
    limit: usize,
    dedup_similarity: f64,
) {
    // No penalty for sharing words with chosen phrases: gold keyphrases overlap
    // ("tornado", "tornado season", "tornado warning"), and such a penalty (MMR)
    // lowered cross-validated F1 on DUC-2001 (0.297 -> 0.290 at half a logit).
    for cand in list {
        if chosen.len() == limit {
            return;
        }
        let lower: Vec<char> = cand.surface.to_lowercase().chars().collect();
        if chosen
            .iter()
            .any(|(_, other)| at_least(&lower, other, dedup_similarity))
        {
            continue;
        }
        chosen.push((*cand, lower));
    }
}

/// Whether the similarity of `a` and `b` (1 − Levenshtein distance / length of the
/// longer) is at least `threshold`. The edit distance
/// is at least the difference in length, so most pairs are settled without it.
fn at_least(a: &[char], b: &[char], threshold: f64) -> bool {
    let longest = a.len().max(b.len());
    if longest > 0 && 1.0 - (a.len().abs_diff(b.len()) as f64) / (longest as f64) < threshold {
        return false;
    }
    char_similarity(a, b) >= threshold
}

#[cfg(test)]
/// Similarity of two strings: 1 − Levenshtein distance / length of the longer.
fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    char_similarity(&a, &b)
}

/// The similarity of two strings given as characters.
fn char_similarity(a: &[char], b: &[char]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = i;
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let (left, up) = (row[j], row[j + 1]);
            let next = (diag + usize::from(ca != cb)).min(left + 1).min(up + 1);
            diag = up;
            row[j + 1] = next;
        }
    }
    1.0 - row[b.len()] as f64 / longest as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_similarity() {
        assert!((similarity("kitten", "sitting") - (1.0 - 3.0 / 7.0)).abs() < 1e-12);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("abc", "abc"), 1.0);
        assert!(similarity("u.s.", "us") < 0.9);
        assert!(similarity("xinhuanet", "xinhua net") >= 0.9);
    }

    #[test]
    fn the_length_bound_agrees_with_the_distance() {
        let words = [
            "oil spill",
            "oil spills",
            "spill",
            "us",
            "u.s.",
            "",
            "tanker",
            "tankers",
        ];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for t in [0.5, 0.8, 0.9, 1.0] {
                    assert_eq!(
                        at_least(&ca, &cb, t),
                        similarity(a, b) >= t,
                        "{a} / {b} at {t}"
                    );
                }
            }
        }
    }
}
