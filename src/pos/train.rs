//! Training: a greedy averaged perceptron (Collins 2002), with the epoch chosen on a
//! development set.
//!
//! Each training sentence is tagged left to right with the current weights, the
//! tagger's own guesses as the tag history (so training sees what tagging will); on a
//! wrong guess the features of that token gain weight for the gold tag and lose it
//! for the guess. The saved weights are the average over every step, kept lazily:
//! each weight remembers when it last changed and the running sum up to then.
//!
//! Words seen at least [`TrainConfig::dict_min_count`] times with one tag in at least
//! [`TrainConfig::dict_ratio`] of them go into the model's dictionary and are not
//! trained on (the tagger never scores them).
//!
//! Determinism: sentences are shuffled by a seeded SplitMix64 each epoch and the
//! model file is written sorted, so the same inputs give a byte-identical model.

use std::collections::HashMap;
use std::time::Instant;

use super::PosError;
use super::corpus::TaggedSentence;
use super::features::{STATIC_PER_TOKEN, TokenLex, dynamic_features, static_features};
use super::model::{MAX_TAGS, PosModel};
use super::tagger::{NO_TAG, Tagger, argmax};
use crate::ner::hash::{KeyMap, SplitMix};

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Most passes over the training data.
    pub epochs: usize,
    /// Seed of the sentence shuffle.
    pub seed: u64,
    /// Averaged weights of at most this magnitude are dropped from the saved model.
    pub prune: f32,
    /// Fewest occurrences for a word to enter the dictionary.
    pub dict_min_count: u32,
    /// Smallest share of its occurrences the word's commonest tag must have.
    pub dict_ratio: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            seed: 20_020_706,
            prune: 0.0,
            dict_min_count: 20,
            dict_ratio: 0.97,
        }
    }
}

/// What training reached.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// The epoch whose averaged weights were kept (1-based).
    pub best_epoch: usize,
    /// Dev accuracy of the saved (quantised) model.
    pub dev_accuracy: f64,
    /// Feature rows in the saved model.
    pub rows: usize,
    /// Words in the dictionary.
    pub dict: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// One weight under training: current value, running sum, last change.
#[derive(Debug, Clone, Copy)]
struct Acc {
    tag: u8,
    w: f32,
    total: f64,
    stamp: u64,
}

/// Sparse weights under training: a feature key to its `(tag, weight)` accumulators.
#[derive(Default)]
struct Weights {
    rows: KeyMap<Vec<Acc>>,
    /// Current values as `(tag, weight)`, mirrored for scoring.
    live: KeyMap<Vec<(u8, f32)>>,
}

impl Weights {
    fn row(&self, key: u64) -> &[(u8, f32)] {
        self.live.get(&key).map_or(&[], Vec::as_slice)
    }

    fn update(&mut self, key: u64, tag: u8, delta: f32, now: u64) {
        let row = self.rows.entry(key).or_default();
        let acc = match row.iter_mut().position(|a| a.tag == tag) {
            Some(i) => &mut row[i],
            None => {
                row.push(Acc {
                    tag,
                    w: 0.0,
                    total: 0.0,
                    stamp: now,
                });
                let last = row.len() - 1;
                &mut row[last]
            }
        };
        acc.total += (now - acc.stamp) as f64 * f64::from(acc.w);
        acc.stamp = now;
        acc.w += delta;
        let w = acc.w;
        let live = self.live.entry(key).or_default();
        match live.iter_mut().find(|(t, _)| *t == tag) {
            Some(slot) => slot.1 = w,
            None => live.push((tag, w)),
        }
    }

    /// The averaged weights at step `now`, as dense rows.
    fn averaged(&self, tags: usize, now: u64) -> Vec<(u64, Vec<f32>)> {
        let now = now.max(1);
        let mut out: Vec<(u64, Vec<f32>)> = self
            .rows
            .iter()
            .map(|(&key, accs)| {
                let mut dense = vec![0f32; tags];
                for a in accs {
                    let total = a.total + (now - a.stamp) as f64 * f64::from(a.w);
                    if let Some(slot) = dense.get_mut(usize::from(a.tag)) {
                        *slot = (total / now as f64) as f32;
                    }
                }
                (key, dense)
            })
            .collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }
}

/// A corpus with tags as ids and tokens analysed once.
struct Prepared {
    lex: Vec<Vec<TokenLex>>,
    tags: Vec<Vec<u8>>,
}

fn prepare(sentences: &[TaggedSentence], ids: &HashMap<String, u8>, unknown: u8) -> Prepared {
    Prepared {
        lex: sentences
            .iter()
            .map(|s| s.tokens.iter().map(|t| TokenLex::new(t)).collect())
            .collect(),
        tags: sentences
            .iter()
            .map(|s| {
                s.tags
                    .iter()
                    .map(|t| ids.get(t).copied().unwrap_or(unknown))
                    .collect()
            })
            .collect(),
    }
}

/// The tag set of `sentences`, most frequent first (ties by name).
fn tag_set(sentences: &[TaggedSentence]) -> Result<Vec<String>, PosError> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in sentences {
        for t in &s.tags {
            *counts.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if tags.is_empty() || tags.len() > MAX_TAGS {
        return Err(PosError::Model(format!(
            "{} distinct tags in the training data (1 to {MAX_TAGS} allowed)",
            tags.len()
        )));
    }
    Ok(tags.into_iter().map(|(t, _)| t.to_string()).collect())
}

/// The unambiguous frequent words of the training data (exact-form hash to tag).
fn dictionary(data: &Prepared, cfg: &TrainConfig) -> KeyMap<u8> {
    let mut counts: KeyMap<HashMap<u8, u32>> = KeyMap::default();
    for (lex, tags) in data.lex.iter().zip(&data.tags) {
        for (l, t) in lex.iter().zip(tags) {
            *counts.entry(l.exact).or_default().entry(*t).or_default() += 1;
        }
    }
    let mut dict = KeyMap::default();
    for (word, by_tag) in counts {
        let total: u32 = by_tag.values().sum();
        let best = by_tag
            .iter()
            .max_by_key(|(t, c)| (**c, std::cmp::Reverse(**t)));
        if let Some((&tag, &n)) = best
            && total >= cfg.dict_min_count
            && f64::from(n) / f64::from(total) >= cfg.dict_ratio
        {
            dict.insert(word, tag);
        }
    }
    dict
}

/// Token accuracy of `tagger` on prepared data.
fn accuracy(tagger: &Tagger, data: &Prepared) -> f64 {
    let (mut right, mut all) = (0usize, 0usize);
    let mut out = Vec::new();
    for (lex, gold) in data.lex.iter().zip(&data.tags) {
        tagger.tag_lex(lex, &mut out);
        right += out.iter().zip(gold).filter(|(a, b)| a == b).count();
        all += gold.len();
    }
    right as f64 / all.max(1) as f64
}

/// Trains a model on `train`, keeping the epoch whose averaged weights tag `dev`
/// best; `progress` receives one line per epoch.
pub fn train(
    train: &[TaggedSentence],
    dev: &[TaggedSentence],
    cfg: &TrainConfig,
    mut progress: impl FnMut(&str),
) -> Result<(PosModel, TrainSummary), PosError> {
    let started = Instant::now();
    let tags = tag_set(train)?;
    let ids: HashMap<String, u8> = tags.iter().cloned().zip(0u8..).collect();
    let n = tags.len();
    let data = prepare(train, &ids, NO_TAG);
    // Dev tags unseen in training can never be right; `NO_TAG` counts them wrong.
    let dev_data = prepare(dev, &ids, NO_TAG);
    let dict = dictionary(&data, cfg);
    let mut weights = Weights::default();
    let mut order: Vec<usize> = (0..data.lex.len()).collect();
    let mut rng = SplitMix::new(cfg.seed);
    let mut now: u64 = 0;
    let mut best: Option<(f64, usize, PosModel)> = None;
    let mut keys: Vec<u64> = Vec::with_capacity(STATIC_PER_TOKEN);
    let mut dynamic = [0u64; 4];
    let mut scores = vec![0f32; n];
    for epoch in 1..=cfg.epochs.max(1) {
        rng.shuffle(&mut order);
        let (mut right, mut all) = (0usize, 0usize);
        for &si in &order {
            let (lex, gold) = (&data.lex[si], &data.tags[si]);
            let mut prev = [NO_TAG; 2];
            for (i, tok) in lex.iter().enumerate() {
                let truth = gold.get(i).copied().unwrap_or(NO_TAG);
                let guess = match dict.get(&tok.exact) {
                    Some(&t) => t,
                    None => {
                        now += 1;
                        keys.clear();
                        static_features(lex, i, &mut keys);
                        dynamic_features(lex, i, prev, &mut dynamic);
                        scores.fill(0.0);
                        super::tagger::add_rows(&keys, |k| weights.row(k), &mut scores);
                        super::tagger::add_rows(&dynamic, |k| weights.row(k), &mut scores);
                        let guess = argmax(&scores);
                        if guess != truth && truth != NO_TAG {
                            for &k in keys.iter().chain(dynamic.iter()) {
                                weights.update(k, truth, 1.0, now);
                                weights.update(k, guess, -1.0, now);
                            }
                        }
                        guess
                    }
                };
                right += usize::from(guess == truth);
                all += 1;
                prev = [prev[1], guess];
            }
        }
        let model = PosModel::new(
            tags.clone(),
            dict.clone(),
            weights.averaged(n, now),
            cfg.prune,
        );
        // Score what would be saved: the quantised weights.
        let saved = PosModel::from_bytes(&model.to_bytes())?;
        let dev_acc = accuracy(&Tagger::from_model(saved.clone()), &dev_data);
        progress(&format!(
            "epoch {epoch}: train {:.4} (online), dev {dev_acc:.4}, {} rows",
            right as f64 / all.max(1) as f64,
            saved.rows()
        ));
        if best.as_ref().is_none_or(|(acc, _, _)| dev_acc > *acc) {
            best = Some((dev_acc, epoch, saved));
        }
    }
    let (dev_accuracy, best_epoch, model) =
        best.ok_or_else(|| PosError::Model("no epoch ran".into()))?;
    let summary = TrainSummary {
        best_epoch,
        dev_accuracy,
        rows: model.rows(),
        dict: model.dict.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((model, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(pairs: &[(&str, &str)]) -> TaggedSentence {
        TaggedSentence {
            tokens: pairs.iter().map(|p| p.0.to_string()).collect(),
            tags: pairs.iter().map(|p| p.1.to_string()).collect(),
        }
    }

    #[test]
    fn learns_a_toy_language_deterministically() {
        let data: Vec<TaggedSentence> = (0..30)
            .flat_map(|_| {
                [
                    sentence(&[("the", "DT"), ("dog", "NN"), ("runs", "VBZ")]),
                    sentence(&[("a", "DT"), ("cat", "NN"), ("sleeps", "VBZ")]),
                    sentence(&[("the", "DT"), ("big", "JJ"), ("cat", "NN"), ("runs", "VBZ")]),
                ]
            })
            .collect();
        let cfg = TrainConfig {
            epochs: 3,
            ..TrainConfig::default()
        };
        let (model, summary) = train(&data, &data, &cfg, |_| {}).expect("trains");
        assert!(summary.dev_accuracy > 0.99, "{summary:?}");
        let tagger = Tagger::from_model(model.clone());
        let got = tagger.tag(&["a", "big", "dog", "sleeps"]);
        let names: Vec<&str> = got
            .iter()
            .map(|&t| model.tags[usize::from(t)].as_str())
            .collect();
        assert_eq!(names, ["DT", "JJ", "NN", "VBZ"]);
        let (again, _) = train(&data, &data, &cfg, |_| {}).expect("trains");
        assert_eq!(again.to_bytes(), model.to_bytes());
    }
}
