//! Scoring and choosing keywords among the candidates a [`Collector`] gathered.
//!
//! The formula is described in `keywords.rs`; this file applies it and picks the
//! best candidates without listing one phrase twice.

use super::keywords::Collector;
use crate::document::Keyword;

/// A scored candidate, ready for selection.
#[derive(Debug, Clone, Copy)]
struct Scored<'a> {
    score: f64,
    surface: &'a str,
    node: u32,
    count: u32,
}

/// A chosen keyword: its score, the candidate shown, and that candidate's words.
type Chosen<'a> = (f64, Scored<'a>, Vec<u32>);

/// Whether the term sequence `outer` contains `inner` as a contiguous part.
fn contains(outer: &[u32], inner: &[u32]) -> bool {
    outer.len() >= inner.len() && outer.windows(inner.len()).any(|w| w == inner)
}

/// Best first; ties by text. Distinct phrases have distinct surfaces (they differ in
/// at least one word), so this order is total and the output deterministic.
fn order(a: &Scored<'_>, b: &Scored<'_>) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.surface.cmp(b.surface))
}

/// Scores every candidate and keeps the best `limit`, normalised to the best score.
///
/// Candidates seen equally often where one contains the other always occur together,
/// so only one is kept, the longer: a candidate inside a chosen phrase is skipped
/// ("interest" after "interest rates"), and a candidate containing chosen words takes
/// the place (and score) of the first of them ("Jinping" becomes "Chinese President
/// Xi Jinping" when the name occurs only there).
pub(super) fn rank(collector: &Collector<'_>, limit: usize) -> Vec<Keyword> {
    let mut scored: Vec<Scored<'_>> = Vec::with_capacity(collector.phrases.len());
    let mut terms = Vec::new();
    for (node, phrase) in (0u32..).zip(&collector.phrases) {
        collector.terms_of(node, &mut terms);
        let cap = f64::from(phrase.words);
        let rake: f64 = terms
            .iter()
            .filter_map(|id| collector.term_stats.get(*id as usize))
            .map(|t| (f64::from(t.degree) / f64::from(t.freq.max(1))).min(cap))
            .sum();
        let damping = if phrase.words > 1 && phrase.count < 2 {
            1.0 / (cap * cap)
        } else {
            1.0
        };
        let score = phrase.weight * rake * damping;
        let surface = collector.surface(phrase);
        if score.is_finite() && score > 0.0 && !surface.is_empty() {
            scored.push(Scored {
                score,
                surface,
                node,
                count: phrase.count,
            });
        }
    }

    // Sort only a generous head; the tail is sorted only if skips use the head up.
    let head = scored.len().min(limit.saturating_mul(8).max(32));
    if head < scored.len() {
        scored.select_nth_unstable_by(head, order);
    }
    let (top, tail) = scored.split_at_mut(head);
    top.sort_unstable_by(order);
    let mut chosen: Vec<Chosen<'_>> = Vec::with_capacity(limit);
    for candidate in top.iter() {
        if chosen.len() == limit {
            break;
        }
        choose(collector, *candidate, &mut chosen);
    }
    if chosen.len() < limit && !tail.is_empty() {
        tail.sort_unstable_by(order);
        for candidate in tail.iter() {
            if chosen.len() == limit {
                break;
            }
            choose(collector, *candidate, &mut chosen);
        }
    }

    let best = chosen.first().map_or(1.0, |c| c.0);
    chosen
        .into_iter()
        .map(|(score, c, _)| Keyword {
            text: c.surface.split_whitespace().collect::<Vec<_>>().join(" "),
            score: (score / best).clamp(0.0, 1.0),
        })
        .collect()
}

/// Adds `candidate` to `chosen` unless it is redundant (see [`rank`]).
fn choose<'a>(collector: &Collector<'a>, candidate: Scored<'a>, chosen: &mut Vec<Chosen<'a>>) {
    let mut words = Vec::new();
    collector.terms_of(candidate.node, &mut words);
    let same_count = |c: &Scored<'_>| c.count == candidate.count;
    if chosen
        .iter()
        .any(|(_, c, w)| same_count(c) && contains(w, &words))
    {
        return;
    }
    let mut placed = false;
    let mut i = 0;
    while i < chosen.len() {
        let supersedes = chosen
            .get(i)
            .is_some_and(|(_, c, w)| same_count(c) && contains(&words, w));
        if supersedes {
            if placed {
                chosen.remove(i);
                continue;
            }
            if let Some(slot) = chosen.get_mut(i) {
                slot.1 = candidate;
                slot.2 = words.clone();
            }
            placed = true;
        }
        i += 1;
    }
    if !placed {
        chosen.push((candidate.score, candidate, words));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment() {
        assert!(contains(&[1, 2, 3], &[2, 3]));
        assert!(contains(&[1, 2, 3], &[1, 2, 3]));
        assert!(!contains(&[1, 2, 3], &[1, 3]));
        assert!(!contains(&[2], &[2, 3]));
    }

    #[test]
    fn order_is_score_then_text() {
        let a = Scored {
            score: 2.0,
            surface: "b",
            node: 0,
            count: 1,
        };
        let b = Scored { surface: "a", ..a };
        let c = Scored { score: 3.0, ..a };
        let mut all = [a, b, c];
        all.sort_unstable_by(order);
        let texts: Vec<(f64, &str)> = all.iter().map(|s| (s.score, s.surface)).collect();
        assert_eq!(texts, [(3.0, "b"), (2.0, "a"), (2.0, "b")]);
    }
}
