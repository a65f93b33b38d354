//! Entity-level scoring with conlleval semantics: an entity counts as correct only when
//! its span (first and last token) and its type both match a gold entity exactly.

use std::collections::BTreeMap;

use serde::Serialize;

use super::labels::{EntityLabel, EntitySpan};

/// Precision, recall and F1 of one type or of all types together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Correct predictions over predictions (0 when nothing was predicted).
    pub precision: f64,
    /// Correct predictions over gold entities (0 when there are none).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of gold entities.
    pub support: usize,
}

/// Running counts of gold, predicted and correct entities per type.
#[derive(Debug, Clone, Default)]
pub struct Scorer {
    counts: BTreeMap<EntityLabel, [usize; 3]>,
}

impl Scorer {
    /// An empty scorer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sentence: its gold and its predicted entities.
    pub fn add(&mut self, gold: &[EntitySpan], predicted: &[EntitySpan]) {
        for g in gold {
            self.counts.entry(g.label).or_default()[0] += 1;
        }
        for p in predicted {
            let c = self.counts.entry(p.label).or_default();
            c[1] += 1;
            if gold.contains(p) {
                c[2] += 1;
            }
        }
    }

    /// Scores over all types (micro-averaged, as conlleval reports them).
    pub fn overall(&self) -> Prf {
        let mut sum = [0usize; 3];
        for c in self.counts.values() {
            for k in 0..3 {
                sum[k] += c[k];
            }
        }
        prf(sum)
    }

    /// Scores of one type.
    pub fn of(&self, label: EntityLabel) -> Prf {
        prf(self.counts.get(&label).copied().unwrap_or_default())
    }
}

fn prf([gold, predicted, correct]: [usize; 3]) -> Prf {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(correct, predicted);
    let recall = ratio(correct, gold);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Prf {
        precision,
        recall,
        f1,
        support: gold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(start: usize, end: usize, label: EntityLabel) -> EntitySpan {
        EntitySpan { start, end, label }
    }

    #[test]
    fn exact_span_and_type_are_required() {
        let gold = [
            s(0, 2, EntityLabel::Per),
            s(3, 4, EntityLabel::Loc),
            s(5, 6, EntityLabel::Org),
        ];
        // One exact hit, one wrong type, one wrong boundary, one spurious.
        let pred = [
            s(0, 2, EntityLabel::Per),
            s(3, 4, EntityLabel::Org),
            s(5, 7, EntityLabel::Org),
            s(8, 9, EntityLabel::Misc),
        ];
        let mut sc = Scorer::new();
        sc.add(&gold, &pred);
        let all = sc.overall();
        assert!((all.precision - 0.25).abs() < 1e-12);
        assert!((all.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((all.f1 - 2.0 * 0.25 * (1.0 / 3.0) / (0.25 + 1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(all.support, 3);
        let per = sc.of(EntityLabel::Per);
        assert_eq!((per.precision, per.recall, per.support), (1.0, 1.0, 1));
        let org = sc.of(EntityLabel::Org);
        assert_eq!((org.precision, org.recall), (0.0, 0.0));
        assert_eq!(sc.of(EntityLabel::Misc).support, 0);
    }

    #[test]
    fn empty_scorer_is_zero_not_nan() {
        let all = Scorer::new().overall();
        assert_eq!((all.precision, all.recall, all.f1), (0.0, 0.0, 0.0));
    }
}
